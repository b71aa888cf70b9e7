//! Ethical walls (`/admin/walls`): the list, the form that puts one up and a confirmed delete.
//!
//! A wall keeps one user, or every member of one group, out of one project, whatever they
//! have been granted and even when they are administrators; the API applies it from the next
//! request. Its reason (the conflict) is kept for the audit trail.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::access::{ProjectRef, list_projects};
use super::subjects::{Directory, Subject, SubjectChoices};
use super::{Admin, Choice, DoneQuery, Feedback, Outcome, done, outcome};
use crate::pages::{Nav, Signed, backend_failure, render, view};
use crate::state::AppState;

const WALLS_PATH: &str = "/api/v1/admin/walls";

#[derive(Deserialize)]
struct Wall {
    id: Uuid,
    project_id: Uuid,
    user_id: Option<Uuid>,
    group_id: Option<Uuid>,
    #[serde(default)]
    reason: String,
    created_at: DateTime<Utc>,
}

#[derive(Template)]
#[template(path = "admin/walls.html")]
struct WallsPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    walls: Vec<WallRow>,
    projects: Vec<Choice>,
    subjects: SubjectChoices,
    reason: String,
}

struct WallRow {
    id: String,
    project: String,
    name: String,
    kind: &'static str,
    detail: String,
    reason: String,
    since: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct WallForm {
    project_id: String,
    /// `user:<id>` or `group:<id>`.
    subject: String,
    reason: String,
}

pub async fn list_walls(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Query(query): Query<DoneQuery>,
) -> Response {
    let feedback = Feedback::shown(&query.done);
    show(&state, &signed, feedback, WallForm::default()).await
}

pub async fn create_wall(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Form(form): Form<WallForm>,
) -> Response {
    let project = Uuid::parse_str(form.project_id.trim());
    let subject = Subject::parse(form.subject.trim());
    let (project, subject) = match (project, subject) {
        (Ok(project), Some(subject)) => (project, subject),
        (Err(_), _) => {
            let feedback = Feedback::invalid("Choose the project the wall closes.");
            return show(&state, &signed, feedback, form).await;
        }
        (_, None) => {
            let feedback = Feedback::invalid("Choose the person or group the wall keeps out.");
            return show(&state, &signed, feedback, form).await;
        }
    };

    let mut body = subject.fields();
    body.insert("project_id".to_owned(), Value::String(project.to_string()));
    body.insert(
        "reason".to_owned(),
        Value::String(form.reason.trim().to_owned()),
    );
    let api = signed.session.api(&state);
    let created = api.call(Method::POST, WALLS_PATH, Some(&body)).await;

    match outcome(created, "The wall could not be put up.") {
        Outcome::Done(()) => done("/admin/walls", "wall_created"),
        Outcome::Refused(feedback) => show(&state, &signed, feedback, form).await,
        Outcome::Failed(response) => response,
    }
}

/// Takes a wall down; the page asks before the form is sent.
pub async fn delete_wall(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<Uuid>,
) -> Response {
    let path = format!("{WALLS_PATH}/{id}");
    let api = signed.session.api(&state);
    let deleted = api.call::<()>(Method::DELETE, &path, None).await;

    match outcome(deleted, "The wall could not be taken down.") {
        Outcome::Done(()) => done("/admin/walls", "wall_deleted"),
        Outcome::Refused(feedback) => show(&state, &signed, feedback, WallForm::default()).await,
        Outcome::Failed(response) => response,
    }
}

async fn show(state: &AppState, signed: &Signed, feedback: Feedback, form: WallForm) -> Response {
    let api = signed.session.api(state);
    let (walls, projects, directory) = tokio::join!(
        api.get::<Vec<Wall>>(WALLS_PATH),
        list_projects(&api),
        Directory::load(&api),
    );
    let (walls, projects, directory) = match (walls, projects, directory) {
        (Ok(walls), Ok(projects), Ok(directory)) => (walls, projects, directory),
        (Err(error), ..) | (_, Err(error), _) | (.., Err(error)) => {
            return backend_failure(error);
        }
    };

    let page = WallsPage {
        nav: signed.nav("admin"),
        section: "walls",
        flash: feedback.flash,
        messages: feedback.messages,
        walls: walls
            .iter()
            .map(|wall| wall_row(wall, &projects, &directory))
            .collect(),
        projects: projects
            .iter()
            .map(|p| {
                let id = p.id.to_string();
                let chosen = id == form.project_id.trim();
                Choice::new(id, p.name.clone(), chosen)
            })
            .collect(),
        subjects: directory.choices(form.subject.trim()),
        reason: form.reason,
    };
    render(feedback.status, &page)
}

/// A wall's row. Its project may be one the wall hides from this administrator, so it is named
/// by id when the project list lacks it.
fn wall_row(wall: &Wall, projects: &[ProjectRef], directory: &Directory) -> WallRow {
    let subject = directory.name(Subject::of(wall.user_id, wall.group_id));
    let project = projects
        .iter()
        .find(|project| project.id == wall.project_id)
        .map_or_else(|| wall.project_id.to_string(), |p| p.name.clone());
    WallRow {
        id: wall.id.to_string(),
        project,
        name: subject.name,
        kind: subject.kind,
        detail: subject.detail,
        reason: wall.reason.clone(),
        since: view::timestamp(&wall.created_at),
    }
}
