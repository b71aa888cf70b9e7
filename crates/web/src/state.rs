//! What every handler shares, built once from the configuration.
//!
//! Cloning is cheap: the HTTP client and the lists are reference-counted, so axum can hand
//! each request its own copy.

use std::path::PathBuf;
use std::sync::Arc;

use ipnet::IpNet;
use lucidity_common::Config;
use tokio_util::sync::CancellationToken;

use crate::backend::Backend;
use crate::csrf::OriginPolicy;

#[derive(Clone)]
pub struct AppState {
    /// The only way this process reaches data: the backend's HTTP API.
    pub backend: Backend,
    /// Whether session cookies carry `Secure`: in production, or whenever the public URL is
    /// HTTPS, the browser only ever sees HTTPS (the load balancer terminates TLS), while
    /// development runs on plain `http://localhost`.
    pub secure_cookies: bool,
    /// Which `Origin` a form post may come from.
    pub origins: OriginPolicy,
    /// Peers whose `X-Forwarded-*` headers are believed: the load balancer, not the browser.
    pub trusted_proxies: Arc<[IpNet]>,
    /// Fired on shutdown; proxied event streams end when it does, so that a browser left open
    /// cannot hold the process past its grace period.
    pub shutdown: CancellationToken,
    /// Where the set-up command put the front-end packages from npm, served under
    /// `/static/vendor/`.
    pub assets_dir: Arc<PathBuf>,
}

impl AppState {
    pub fn new(config: &Config, shutdown: CancellationToken) -> anyhow::Result<Self> {
        Ok(Self {
            backend: Backend::new(config.http.backend_internal_url.as_str())?,
            secure_cookies: config.is_production() || public_url_is_https(config),
            origins: OriginPolicy::new(config.http.public_frontend_url.as_ref()),
            trusted_proxies: config.http.trusted_proxies.clone().into(),
            shutdown,
            assets_dir: Arc::new(config.web_assets_dir.clone()),
        })
    }
}

/// Whether the site's public address (`NEXT_PUBLIC_FRONTEND_URL`, else `FRONTEND_URL`) is HTTPS.
fn public_url_is_https(config: &Config) -> bool {
    let http = &config.http;
    let public = http
        .public_frontend_url
        .as_ref()
        .or(http.frontend_url.as_ref());
    public.is_some_and(|url| url.scheme() == "https")
}
