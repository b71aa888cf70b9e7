//! The `/api/` pass-through: every method, path and query goes to the backend as it came.
//!
//! Both bodies stream without buffering, so a 100 MB upload reaches the backend as it arrives
//! and server-sent events reach the browser one by one. Hop-by-hop headers stop here, `Host`
//! becomes the backend's, and the forwarding headers are recomputed (see [`forwarding`]).

use axum::Json;
use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http::header::{CONNECTION, CONTENT_TYPE, HOST, TE, TRAILER, TRANSFER_ENCODING, UPGRADE};
use http::request::Parts;
use http::{HeaderMap, HeaderName, StatusCode};
use ipnet::IpNet;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::forwarding::{self, CLIENT_CLAIMS};
use crate::request_log::error_chain;
use crate::state::AppState;

/// Headers that describe one connection rather than the message (RFC 9110, section 7.6.1),
/// besides the `proxy-*` family and whatever `Connection` itself names.
const HOP_BY_HOP: [HeaderName; 6] = [
    CONNECTION,
    HeaderName::from_static("keep-alive"),
    TE,
    TRAILER,
    TRANSFER_ENCODING,
    UPGRADE,
];

/// Forwards the request to the backend and streams its answer back.
pub async fn forward_to_backend(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let Some(url) = state.backend.api_url(path_and_query) else {
        return detail(StatusCode::NOT_FOUND, "Not Found");
    };

    let headers = upstream_headers(&parts, &state.trusted_proxies);
    let mut upstream = state
        .backend
        .client()
        .request(parts.method, url)
        .headers(headers);
    // A body-less request stays body-less; a streamed empty body would be sent chunked.
    if body.size_hint().exact() != Some(0) {
        upstream = upstream.body(reqwest::Body::wrap_stream(body.into_data_stream()));
    }

    match upstream.send().await {
        Ok(response) => relay(response, &state.shutdown),
        Err(error) if error.is_connect() || error.is_timeout() => {
            tracing::error!(error = %error_chain(&error), "the API is unreachable");
            detail(StatusCode::BAD_GATEWAY, "The API is unavailable")
        }
        Err(error) => {
            tracing::warn!(error = %error_chain(&error), "the proxied request failed");
            detail(StatusCode::BAD_GATEWAY, "The API is unavailable")
        }
    }
}

/// The request's end-to-end headers, with the backend's `Host` and recomputed forwarding.
fn upstream_headers(parts: &Parts, trusted_proxies: &[IpNet]) -> HeaderMap {
    let mut headers = end_to_end(&parts.headers);
    headers.remove(HOST);
    for name in CLIENT_CLAIMS {
        headers.remove(name);
    }

    let peer = forwarding::peer_address(&parts.extensions);
    headers.extend(forwarding::headers(&parts.headers, peer, trusted_proxies));
    headers
}

/// The backend's answer with its body streamed as it arrives.
pub fn relay(response: reqwest::Response, shutdown: &CancellationToken) -> Response {
    let status = response.status();
    let headers = end_to_end(response.headers());
    let is_event_stream = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));

    let chunks = response.bytes_stream();
    let body = match is_event_stream {
        true => Body::from_stream(chunks.take_until(shutdown.clone().cancelled_owned())),
        false => Body::from_stream(chunks),
    };

    let mut relayed = Response::new(body);
    *relayed.status_mut() = status;
    *relayed.headers_mut() = headers;
    relayed
}

/// A copy of `headers` without the hop-by-hop ones.
fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let named_by_connection: Vec<String> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let is_hop_by_hop = |name: &HeaderName| {
        HOP_BY_HOP.contains(name)
            || name.as_str().starts_with("proxy-")
            || named_by_connection
                .iter()
                .any(|named| named == name.as_str())
    };

    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if !is_hop_by_hop(name) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

/// An error in the backend's own shape, so API clients parse one format.
pub fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn hop_by_hop_headers_and_those_named_by_connection_are_dropped() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONNECTION,
            HeaderValue::from_static("keep-alive, X-Secret-Hop"),
        );
        headers.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        headers.insert("proxy-authorization", HeaderValue::from_static("Basic abc"));
        headers.insert("x-secret-hop", HeaderValue::from_static("1"));
        headers.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        headers.insert("set-cookie", HeaderValue::from_static("a=1"));
        headers.append("set-cookie", HeaderValue::from_static("b=2"));

        let kept = end_to_end(&headers);

        assert_eq!(kept.len(), 2);
        assert_eq!(kept.get_all("set-cookie").iter().count(), 2);
    }
}
