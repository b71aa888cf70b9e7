//! Request logging: one tracing span per request, carrying the request id.
//!
//! The span records the method, the path without its query string (queries may hold tokens)
//! and `request.id`; one event at the end adds the status and `duration_ms`. Bodies, cookies
//! and headers are never logged.

use std::error::Error;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use tracing::Instrument;

use crate::forwarding::X_REQUEST_ID;

/// Longer incoming ids are replaced: an id is for matching log lines, not for storing data.
const MAX_REQUEST_ID_LEN: usize = 128;

/// Gives the request an id (keeping a sane incoming one) and logs it inside a span.
///
/// `duration_ms` runs until the response headers are ready; a streamed body, such as an event
/// stream, may go on long after.
pub async fn trace_request(mut request: Request, next: Next) -> Response {
    let id = match request.headers().get(X_REQUEST_ID) {
        Some(id) if is_sane(id) => id.clone(),
        _ => new_request_id(),
    };
    request.headers_mut().insert(X_REQUEST_ID, id.clone());

    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request.id = id.to_str().unwrap_or_default(),
    );
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;

    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, duration_ms, "request finished"));

    response.headers_mut().entry(X_REQUEST_ID).or_insert(id);
    response
}

fn is_sane(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic())
}

fn new_request_id() -> HeaderValue {
    let id = uuid::Uuid::new_v4().hyphenated().to_string();
    HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("unknown"))
}

/// An error and its causes on one line, for a log field.
pub fn error_chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
