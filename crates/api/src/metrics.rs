//! Prometheus metrics, served at `/metrics` on the API port (internal only: the web tier
//! forwards `/api/*` alone, so the public front door never exposes them).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route template (`/api/v1/projects/{id}`), never the raw path, to bound cardinality.
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    pub status: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram>,
    /// Sign-in attempts by outcome: success, failure, throttled.
    pub logins: Family<OutcomeLabels, Counter>,
    /// Unfinished documents by status, read from the database at each scrape.
    documents: Family<StatusLabels, Gauge>,
    /// Hints waiting in the queue (the original's "queue depth above 20" warning).
    queue_depth: Gauge,
    /// Documents that failed for good in the last hour (for the error-rate warning).
    failed_last_hour: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("lucidity");
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.005, 2.0, 12))
        });
        let logins = Family::<OutcomeLabels, Counter>::default();
        let documents = Family::<StatusLabels, Gauge>::default();
        let queue_depth = Gauge::default();
        let failed_last_hour = Gauge::default();

        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            durations.clone(),
        );
        registry.register("auth_logins", "Sign-in attempts by outcome", logins.clone());
        registry.register(
            "documents_unfinished",
            "Documents not yet complete",
            documents.clone(),
        );
        registry.register(
            "queue_depth",
            "Jobs waiting in the queue",
            queue_depth.clone(),
        );
        registry.register(
            "documents_failed_last_hour",
            "Documents that failed in the last hour",
            failed_last_hour.clone(),
        );
        Self {
            registry,
            requests,
            durations,
            logins,
            documents,
            queue_depth,
            failed_last_hour,
        }
    }

    pub fn login(&self, outcome: &str) {
        self.logins
            .get_or_create(&OutcomeLabels {
                outcome: outcome.into(),
            })
            .inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

/// Counts and times every request by route template.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());

    let response = next.run(request).await;

    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    state.metrics.requests.get_or_create(&labels).inc();
    let seconds = started.elapsed().as_secs_f64();
    state
        .metrics
        .durations
        .get_or_create(&labels)
        .observe(seconds);
    response
}

/// Reads the pipeline's gauges from the database and the queue; a failure leaves the last
/// values (the readiness check reports the dependency).
async fn refresh_pipeline_gauges(state: &AppState) {
    if let Ok(counts) = lucidity_db::documents::count_unfinished(&state.db).await {
        state.metrics.documents.clear();
        for (status, count) in counts {
            state
                .metrics
                .documents
                .get_or_create(&StatusLabels { status })
                .set(count);
        }
    }
    if let Ok(depth) = state.queue.depth().await {
        state.metrics.queue_depth.set(depth as i64);
    }
    if let Ok(failed) = lucidity_db::documents::count_failed_since(&state.db, 3600).await {
        state.metrics.failed_last_hour.set(failed);
    }
}

/// `GET /metrics`
pub async fn serve(State(state): State<AppState>) -> impl IntoResponse {
    refresh_pipeline_gauges(&state).await;
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    (
        [(axum::http::header::CONTENT_TYPE, content_type)],
        state.metrics.render(),
    )
}
