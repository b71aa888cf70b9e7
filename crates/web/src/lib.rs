//! The web process: Contract Lucidity's front door on port 3000.
//!
//! The load balancer sends every request here. Pages are rendered on the server; everything
//! under `/api/` is streamed to the backend at `BACKEND_INTERNAL_URL`. This process never
//! touches the database or the queue: the backend's HTTP API is its only source of truth.
//!
//! Layout:
//! - `routes`: the one list of every route and the layers around them.
//! - `state`: what every handler shares (the backend client, cookie and origin policy).
//! - `backend`: typed calls to the backend's auth and project endpoints.
//! - `proxy`: the streaming `/api/` pass-through.
//! - `forwarding`: `X-Forwarded-*` and `X-Request-Id` for every call to the backend.
//! - `pages`: the server-rendered pages, one module per resource.
//! - `session`: the `cl_access` and `cl_refresh` cookies.
//! - `csrf`: the `Origin` check on form posts.
//! - `request_log`: the request id and one tracing span per request.

mod backend;
mod csrf;
mod forwarding;
mod pages;
mod proxy;
mod request_log;
mod routes;
mod session;
mod state;

use std::future::IntoFuture;
use std::net::SocketAddr;

use anyhow::Context;
use lucidity_common::Config;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Builds the application without a shutdown signal, for tests that drive it directly.
pub fn router(config: &Config) -> anyhow::Result<axum::Router> {
    routes::app(config, CancellationToken::new())
}

/// Serves on `listener` until `shutdown` fires, then lets requests in flight finish.
///
/// Event streams end at once on shutdown (browsers reconnect to another instance); other
/// responses get `SHUTDOWN_TIMEOUT_SECONDS` to finish before the server stops waiting.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let address = listener
        .local_addr()
        .context("failed to read the listening address")?;
    let app = routes::app(&config, shutdown.clone())?;
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    tracing::info!(%address, "web server listening");

    let server = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown.clone().cancelled_owned())
        .into_future();
    let grace_period = config.shutdown_timeout;
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(grace_period).await;
    };

    tokio::select! {
        result = server => result.context("the web server failed"),
        () = deadline => {
            let seconds = grace_period.as_secs();
            tracing::warn!(seconds, "requests still in flight after the grace period; stopping");
            Ok(())
        }
    }
}

/// Binds `BIND_ADDRESS:WEB_PORT` and serves until `shutdown` fires.
pub async fn run(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let address = SocketAddr::new(config.http.bind_address, config.http.web_port);
    let listener = lucidity_common::net::bind(address, "WEB_PORT").await?;
    serve(listener, config, shutdown).await
}
