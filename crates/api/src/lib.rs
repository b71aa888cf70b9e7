//! The Contract Lucidity REST API (port 8000, internal only in production).
//!
//! Layout:
//! - [`routes`]: every route; handlers live in [`handlers`], one module per resource.
//! - [`access`]: the one authorization function every endpoint goes through.
//! - [`principal`]: who is calling, re-checked against the database on every request.
//! - [`tokens`], [`throttle`]: access and refresh tokens; failed-login throttling.
//! - [`extract`], [`error`]: request parsing and the `{"detail": ...}` error shape.
//! - [`deadlines`]: contract expirations, renewals and notice deadlines from the key terms.
//! - [`metrics`], [`openapi`]: `/metrics` and `/api/openapi.json` with its docs page.

pub mod access;
pub mod deadlines;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod metrics;
pub mod openapi;
pub mod principal;
pub mod routes;
pub mod state;
pub mod throttle;
pub mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use lucidity_common::Config;
use lucidity_common::config::CorsOrigins;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::LatencyUnit;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
pub use crate::state::AppState;

/// How long start-up waits for Redis before giving up with a clear message.
const REDIS_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Builds the shared state: token keys, the Redis connection when configured, the throttle.
pub async fn build_state(config: Config, db: PgPool) -> anyhow::Result<AppState> {
    let redis = match &config.redis.cache_url {
        Some(url) => Some(connect_redis(url.expose(), "REDIS_URL").await?),
        None => None,
    };
    let storage = lucidity_storage::Storage::open(&config.storage)
        .await
        .context("cannot open the document storage")?;
    let broker = config
        .redis
        .broker_url
        .as_ref()
        .map(|u| u.expose().to_string());
    let queue = lucidity_queue::Queue::connect(broker.as_deref(), db.clone()).await?;
    let results = config
        .redis
        .result_url
        .as_ref()
        .map(|u| u.expose().to_string());
    let events = lucidity_queue::Events::connect(results.as_deref(), db.clone()).await?;
    let live = events.listen();
    sweep_partial_uploads(storage.clone());

    let throttle = throttle::Throttle::new(config.auth.failure_window, redis.clone());
    let keys = tokens::TokenKeys::new(&config.auth).context("JWT_SECRET_KEY is unusable")?;
    let query_embedder = Arc::new(state::QueryEmbedder::new(config.model_dir.clone()));
    Ok(AppState {
        db,
        keys: Arc::new(keys),
        throttle: Arc::new(throttle),
        redis,
        metrics: Arc::new(metrics::Metrics::new()),
        config: Arc::new(config),
        storage,
        queue,
        events,
        live,
        query_embedder,
    })
}

/// Partial files older than this are the remains of a crashed write, never a write in progress.
const PARTIAL_FILE_AGE: Duration = Duration::from_secs(3600);

/// Removes, in the background, partial files that crashed writes left in storage.
fn sweep_partial_uploads(storage: lucidity_storage::Storage) {
    tokio::spawn(async move {
        match storage.sweep_partials(PARTIAL_FILE_AGE).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed partial files from storage"),
            Err(error) => tracing::warn!(%error, "could not sweep partial files from storage"),
        }
    });
}

/// Connects to Redis (`redis://` or `rediss://`), retrying briefly while it starts.
pub async fn connect_redis(
    url: &str,
    variable: &str,
) -> anyhow::Result<redis::aio::ConnectionManager> {
    let client = redis::Client::open(url)
        .with_context(|| format!("{variable} is not a usable Redis URL"))?;
    let attempt = async {
        loop {
            match redis::aio::ConnectionManager::new(client.clone()).await {
                Ok(manager) => return manager,
                Err(error) => {
                    tracing::warn!(%error, "waiting for Redis");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    };
    tokio::time::timeout(REDIS_CONNECT_TIMEOUT, attempt)
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "cannot reach Redis at {variable} within {}s: check that it runs and that the URL \
             (host, port, rediss:// for TLS) is right",
                REDIS_CONNECT_TIMEOUT.as_secs()
            )
        })
}

/// The whole HTTP application: API routes, docs, metrics and the middleware stack.
pub fn router(state: AppState) -> Router {
    let ceiling_bytes = state.config.max_upload_size_mb as usize * 1024 * 1024;
    let upload_limit =
        ceiling_bytes * handlers::documents::MAX_FILES_PER_UPLOAD as usize + (1 << 20);
    let (api, openapi) = openapi::ApiDoc::openapi_router(routes::api_routes(upload_limit));
    let docs = SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi);
    let request_id = HeaderName::from_static("x-request-id");

    Router::new()
        .merge(api)
        .merge(docs)
        .route("/metrics", axum::routing::get(metrics::serve))
        .fallback(|| async { ApiError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(cors(&state.config))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                ),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

impl openapi::ApiDoc {
    fn openapi_router(
        routes: utoipa_axum::router::OpenApiRouter<AppState>,
    ) -> (Router<AppState>, utoipa::openapi::OpenApi) {
        let mut doc = Self::openapi();
        let (router, paths) = routes.split_for_parts();
        doc.merge(paths);
        (router, doc)
    }
}

/// The span every request's log lines carry: method, route template and request id. The
/// query string is left out, since it may carry tokens.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or(request.uri().path(), |p| p.as_str());
    tracing::info_span!("request", method = %request.method(), route, request.id = id)
}

fn cors(config: &Config) -> CorsLayer {
    let origins = match &config.http.cors_origins {
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => {
            AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
        }
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER, HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}

/// Serves on `listener` until `shutdown` fires, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "API listening");
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .context("the API server failed")
}

/// Binds the configured API port and serves.
pub async fn run(state: AppState, shutdown: CancellationToken) -> anyhow::Result<()> {
    let http = &state.config.http;
    let addr = SocketAddr::new(http.bind_address, http.api_port);
    let listener = lucidity_common::net::bind(addr, "API_PORT").await?;
    serve(listener, state, shutdown).await
}
