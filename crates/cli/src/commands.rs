//! The process subcommands: `serve`, `api`, `worker`, `web` and `migrate`.
//!
//! Each loads and validates the configuration before anything else, binds its ports before
//! starting the database (so a port in use fails fast), and on Ctrl-C or SIGTERM stops its
//! parts in order: listeners and the worker first, the embedded database last.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context;
use lucidity_common::config::AuthSecrets;
use lucidity_common::{Config, net, shutdown, telemetry};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::database::{self, Database};

/// Loads the configuration and starts logging.
pub fn load_config() -> anyhow::Result<Config> {
    load_config_for(AuthSecrets::Required)
}

/// [`load_config`] for a process that may not use the authentication secrets.
fn load_config_for(auth_secrets: AuthSecrets) -> anyhow::Result<Config> {
    let config = Config::load_for(auth_secrets)?;
    telemetry::init(&config);
    Ok(config)
}

pub async fn serve() -> anyhow::Result<()> {
    let config = load_config()?;
    let shutdown = shutdown::on_signal();
    let http = &config.http;
    let api_listener = net::bind(
        SocketAddr::new(http.bind_address, http.api_port),
        "API_PORT",
    )
    .await?;
    let web_listener = net::bind(
        SocketAddr::new(http.bind_address, http.web_port),
        "WEB_PORT",
    )
    .await?;

    let database = database::external_or_embedded(&config).await?;
    let api_port = api_listener.local_addr()?.port();
    let web_port = web_listener.local_addr()?.port();
    let parts = async {
        database::prepare(&database, &config).await?;
        let state = lucidity_api::build_state(config.clone(), database.pool.clone()).await?;

        let mut web_config = config.clone();
        web_config.http.backend_internal_url = loopback_url(config.http.bind_address, api_port)?;
        let mut parts = JoinSet::new();
        parts.spawn(lucidity_api::serve(api_listener, state, shutdown.clone()));
        parts.spawn(lucidity_web::serve(
            web_listener,
            web_config,
            shutdown.clone(),
        ));
        parts.spawn(lucidity_worker::run(
            config.clone(),
            database.pool.clone(),
            shutdown.clone(),
        ));
        tracing::info!(
            user.email = %config.auth.default_admin_email,
            "Contract Lucidity is running: open http://localhost:{web_port} and sign in"
        );
        supervise(parts, &config, &shutdown).await
    };

    let result = parts.await;
    shutdown.cancel();
    close(database, result).await
}

/// Where the in-process web part reaches the in-process API.
fn loopback_url(bind: IpAddr, port: u16) -> anyhow::Result<url::Url> {
    let host = match bind {
        ip if ip.is_unspecified() && ip.is_ipv6() => "[::1]".to_string(),
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    url::Url::parse(&format!("http://{host}:{port}")).context("invalid loopback URL")
}

/// Waits for the first part to end (a failure, or shutdown), then gives the others
/// `SHUTDOWN_TIMEOUT_SECONDS` to finish.
async fn supervise(
    mut parts: JoinSet<anyhow::Result<()>>,
    config: &Config,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let first = parts.join_next().await;
    shutdown.cancel();
    let mut result = flatten(first);

    let rest = async {
        while let Some(joined) = parts.join_next().await {
            if let Err(error) = flatten(Some(joined)) {
                tracing::error!(error = format!("{error:#}"), "a part failed while stopping");
            }
        }
    };
    if tokio::time::timeout(config.shutdown_timeout, rest)
        .await
        .is_err()
    {
        tracing::warn!("parts still running after SHUTDOWN_TIMEOUT_SECONDS; stopping anyway");
        parts.abort_all();
        result = result.and(Ok(()));
    }
    result
}

fn flatten(
    joined: Option<Result<anyhow::Result<()>, tokio::task::JoinError>>,
) -> anyhow::Result<()> {
    match joined {
        None => Ok(()),
        Some(Ok(result)) => result,
        Some(Err(error)) => Err(anyhow::anyhow!("a part crashed: {error}")),
    }
}

/// Closes the database (stopping the embedded server) whatever `result` is, and keeps the
/// first error.
async fn close(database: Database, result: anyhow::Result<()>) -> anyhow::Result<()> {
    let closed = database.close().await;
    match (result, closed) {
        (Err(error), Err(close_error)) => {
            tracing::error!(
                error = format!("{close_error:#}"),
                "database shutdown failed too"
            );
            Err(error)
        }
        (Err(error), Ok(())) | (Ok(()), Err(error)) => Err(error),
        (Ok(()), Ok(())) => {
            tracing::info!("stopped cleanly");
            Ok(())
        }
    }
}

pub async fn api() -> anyhow::Result<()> {
    let config = load_config()?;
    let shutdown = shutdown::on_signal();
    let http = &config.http;
    let listener = net::bind(
        SocketAddr::new(http.bind_address, http.api_port),
        "API_PORT",
    )
    .await?;

    let database = database::external(&config, "api").await?;
    let result = async {
        database::prepare(&database, &config).await?;
        let state = lucidity_api::build_state(config.clone(), database.pool.clone()).await?;
        lucidity_api::serve(listener, state, shutdown.clone()).await
    }
    .await;
    close(database, result).await
}

pub async fn worker() -> anyhow::Result<()> {
    let config = load_config_for(AuthSecrets::Unused)?;
    let shutdown = shutdown::on_signal();
    let database = database::external(&config, "worker").await?;
    let result = lucidity_worker::run(config.clone(), database.pool.clone(), shutdown).await;
    close(database, result).await
}

pub async fn web() -> anyhow::Result<()> {
    let config = load_config_for(AuthSecrets::Unused)?;
    let shutdown = shutdown::on_signal();
    lucidity_web::run(config, shutdown).await
}

pub async fn migrate() -> anyhow::Result<()> {
    let config = load_config()?;
    let database = database::external(&config, "migrate").await?;
    let result = database::prepare(&database, &config).await;
    if result.is_ok() {
        tracing::info!("migrations and seed applied");
    }
    close(database, result).await
}
