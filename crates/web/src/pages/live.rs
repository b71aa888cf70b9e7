//! What the pages' script talks to: live status events and uploads, made as the signed-in
//! user.
//!
//! The browser holds its session in `HttpOnly` cookies, which the `/api/` pass-through does
//! not turn into credentials (the API takes bearer tokens only, so it cannot be the target of
//! a forged cross-site request). These routes do it for exactly three things, each behind the
//! session and, for the upload, the form token.

use axum::extract::{Path, Request, State};
use axum::response::Response;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, StatusCode};
use uuid::Uuid;

use super::redirect_to;
use crate::proxy;
use crate::request_log::error_chain;
use crate::session::Session;
use crate::state::AppState;

/// Status changes of every document of a project, as server-sent events.
pub async fn project_events(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<Uuid>,
) -> Response {
    let path = format!("/api/v1/projects/{id}/events");
    relay(&state, &session, Method::GET, &path).await
}

/// Status changes of one document, as server-sent events.
pub async fn document_events(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<Uuid>,
) -> Response {
    let path = format!("/api/v1/documents/{id}/events");
    relay(&state, &session, Method::GET, &path).await
}

/// A multipart upload of one or more files, streamed to `POST /api/v1/documents` as it
/// arrives. The script reads the API's JSON answer (one entry per file, or the refusal);
/// a plain form post without the script goes back to the project.
pub async fn upload_documents(
    State(state): State<AppState>,
    session: Session,
    Path(project): Path<Uuid>,
    request: Request,
) -> Response {
    let wants_json = request
        .headers()
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("application/json"));
    let mut upstream = session
        .api(&state)
        .request(Method::POST, "/api/v1/documents");
    for name in [CONTENT_TYPE, CONTENT_LENGTH] {
        if let Some(value) = request.headers().get(&name) {
            upstream = upstream.header(name, value.clone());
        }
    }
    let body = request.into_body().into_data_stream();
    let upstream = upstream.body(reqwest::Body::wrap_stream(body));

    match upstream.send().await {
        Ok(response) if wants_json => proxy::relay(response, &state.shutdown),
        Ok(_) => redirect_to(&format!("/projects/{project}")),
        Err(error) => unavailable(&error),
    }
}

/// Downloads, events: the backend's answer streamed back as it is.
pub async fn relay(state: &AppState, session: &Session, method: Method, path: &str) -> Response {
    match session.api(state).request(method, path).send().await {
        Ok(response) => proxy::relay(response, &state.shutdown),
        Err(error) => unavailable(&error),
    }
}

fn unavailable(error: &reqwest::Error) -> Response {
    tracing::error!(error = %error_chain(error), "the API is unavailable");
    proxy::detail(StatusCode::BAD_GATEWAY, "The API is unavailable")
}
