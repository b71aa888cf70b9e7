//! Live updates over Server-Sent Events, for one document or for a whole project.
//!
//! Each stream starts with the current state (so a client that connects late is not left
//! waiting), then forwards every status change as it happens. Events reach whichever API
//! instance the browser is connected to: workers publish them through Redis or PostgreSQL,
//! and every instance listens. Access is checked when the stream opens and again before each
//! event, so a revoked grant or a new wall ends the stream.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use lucidity_db::documents;
use lucidity_db::ids::{DocumentId, ProjectId};
use lucidity_queue::DocumentEvent;
use tokio::sync::broadcast;

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Id;
use crate::principal::{CurrentUser, Principal};
use crate::state::AppState;

/// A comment line this often keeps proxies and load balancers from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What a stream follows.
#[derive(Clone, Copy)]
enum Scope {
    Document(DocumentId, ProjectId),
    Project(ProjectId),
}

impl Scope {
    fn project(self) -> ProjectId {
        match self {
            Self::Document(_, project) | Self::Project(project) => project,
        }
    }

    fn matches(self, event: &DocumentEvent) -> bool {
        match self {
            Self::Document(id, _) => event.document_id == id,
            Self::Project(project) => event.project_id == project,
        }
    }
}

/// Status changes of one document (`event: status`, data: the event as JSON).
#[utoipa::path(get, path = "/api/v1/documents/{id}/events", tag = "documents",
    security(("bearer" = [])), params(("id" = DocumentId, Path)),
    responses((status = 200, content_type = "text/event-stream"),
              (status = 404, body = ErrorBody)))]
pub async fn get_document_events(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let document = documents::find_document(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let project = document.project_id;
    access::authorize(&state, &principal, Target::Project(project), Need::View).await?;

    let receiver = state.live.subscribe();
    let current = DocumentEvent {
        document_id: id,
        project_id: project,
        status: document.status,
        error_message: document.error_message,
    };
    Ok(stream_events(
        state,
        principal,
        Scope::Document(id, project),
        vec![current],
        receiver,
    ))
}

/// Status changes of every document in a project.
#[utoipa::path(get, path = "/api/v1/projects/{id}/events", tag = "projects",
    security(("bearer" = [])), params(("id" = ProjectId, Path)),
    responses((status = 200, content_type = "text/event-stream"),
              (status = 404, body = ErrorBody)))]
pub async fn get_project_events(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(project): Id<ProjectId>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    access::authorize(&state, &principal, Target::Project(project), Need::View).await?;
    let receiver = state.live.subscribe();
    Ok(stream_events(
        state,
        principal,
        Scope::Project(project),
        Vec::new(),
        receiver,
    ))
}

fn stream_events(
    state: AppState,
    principal: Principal,
    scope: Scope,
    initial: Vec<DocumentEvent>,
    receiver: broadcast::Receiver<DocumentEvent>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let first = stream::iter(initial.into_iter().map(|event| Ok(to_sse(&event))));
    let live = stream::unfold(
        (state, principal, receiver),
        move |(state, principal, mut receiver)| async move {
            loop {
                let event = match receiver.recv().await {
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let lagged = Event::default().event("lagged").data(missed.to_string());
                        return Some((Ok(lagged), (state, principal, receiver)));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                if !scope.matches(&event) {
                    continue;
                }
                let target = Target::Project(scope.project());
                if access::authorize(&state, &principal, target, Need::View)
                    .await
                    .is_err()
                {
                    return None;
                }
                return Some((Ok(to_sse(&event)), (state, principal, receiver)));
            }
        },
    );
    Sse::new(first.chain(live)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

fn to_sse(event: &DocumentEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_default();
    Event::default().event("status").data(data)
}
