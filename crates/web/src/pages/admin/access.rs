//! Project access (`/admin/access`): pick a project, see which user or group holds which level
//! on it, grant a level or remove a grant.
//!
//! The project travels in the query (`?project=<id>`), so the page after a change, a bookmark
//! and the picker's own `GET` form all land on the same view. Granting a level to someone who
//! already holds one replaces it: the API keeps one grant per project and subject.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::subjects::{Directory, Subject, SubjectChoices};
use super::{Admin, Choice, Feedback, Outcome, done, outcome};
use crate::backend::{Api, BackendError};
use crate::pages::{Nav, Signed, backend_failure, render, view};
use crate::state::AppState;

/// A project as the pickers need it.
#[derive(Deserialize)]
pub struct ProjectRef {
    pub id: Uuid,
    pub name: String,
}

/// Every project the administrator can see, for a picker. A project behind a wall that closes
/// it to this administrator is not listed: the API hides it from them too.
pub async fn list_projects(api: &Api<'_>) -> Result<Vec<ProjectRef>, BackendError> {
    api.get("/api/v1/projects").await
}

/// The levels of a grant, weakest first, with what each allows.
const LEVELS: [(&str, &str); 3] = [
    ("viewer", "Viewer: reads documents and findings"),
    ("editor", "Editor: also uploads and reviews"),
    ("admin", "Project admin: also manages who has access"),
];

fn level_label(level: &str) -> String {
    match level {
        "admin" => "Project admin".to_owned(),
        other => view::humanise(other),
    }
}

#[derive(Deserialize)]
struct Grant {
    id: Uuid,
    user_id: Option<Uuid>,
    group_id: Option<Uuid>,
    level: String,
    created_at: DateTime<Utc>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct AccessQuery {
    project: String,
    done: String,
}

#[derive(Template)]
#[template(path = "admin/access.html")]
struct AccessPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    projects: Vec<Choice>,
    project: Option<ProjectAccess>,
    /// The grant form's choices; empty until a project is chosen.
    subjects: SubjectChoices,
    levels: Vec<Choice>,
}

/// The chosen project and its grants.
struct ProjectAccess {
    id: String,
    name: String,
    grants: Vec<GrantRow>,
}

struct GrantRow {
    id: String,
    name: String,
    kind: &'static str,
    detail: String,
    level: String,
    granted: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    /// `user:<id>` or `group:<id>`.
    subject: String,
    level: String,
}

pub async fn show_access(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Query(query): Query<AccessQuery>,
) -> Response {
    // A malformed id in a hand-edited address just shows the picker.
    let project = Uuid::parse_str(query.project.trim()).ok();
    let feedback = Feedback::shown(&query.done);
    show(&state, &signed, project, feedback, GrantForm::default()).await
}

pub async fn create_grant(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(project): Path<Uuid>,
    Form(form): Form<GrantForm>,
) -> Response {
    let Some(subject) = Subject::parse(form.subject.trim()) else {
        let feedback = Feedback::invalid("Choose a person or group to grant access to.");
        return show(&state, &signed, Some(project), feedback, form).await;
    };
    let mut body = subject.fields();
    body.insert("level".to_owned(), Value::String(form.level.clone()));

    let path = format!("/api/v1/projects/{project}/grants");
    let api = signed.session.api(&state);
    let granted = api.call(Method::POST, &path, Some(&body)).await;

    match outcome(granted, "Access could not be granted.") {
        Outcome::Done(()) => done(&format!("/admin/access?project={project}"), "grant_added"),
        Outcome::Refused(feedback) => show(&state, &signed, Some(project), feedback, form).await,
        Outcome::Failed(response) => response,
    }
}

pub async fn remove_grant(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path((project, grant)): Path<(Uuid, Uuid)>,
) -> Response {
    let path = format!("/api/v1/projects/{project}/grants/{grant}");
    let api = signed.session.api(&state);
    let removed = api.call::<()>(Method::DELETE, &path, None).await;

    match outcome(removed, "The grant could not be removed.") {
        Outcome::Done(()) => done(&format!("/admin/access?project={project}"), "grant_removed"),
        Outcome::Refused(feedback) => {
            show(
                &state,
                &signed,
                Some(project),
                feedback,
                GrantForm::default(),
            )
            .await
        }
        Outcome::Failed(response) => response,
    }
}

async fn show(
    state: &AppState,
    signed: &Signed,
    project: Option<Uuid>,
    feedback: Feedback,
    form: GrantForm,
) -> Response {
    let api = signed.session.api(state);
    let projects = match list_projects(&api).await {
        Ok(projects) => projects,
        Err(error) => return backend_failure(error),
    };
    let (chosen, subjects) = match project {
        Some(id) => match project_access(&api, id, &projects).await {
            Ok((access, directory)) => (Some(access), directory.choices(&form.subject)),
            Err(error) => return backend_failure(error),
        },
        None => (None, SubjectChoices::default()),
    };

    let page = AccessPage {
        nav: signed.nav("admin"),
        section: "access",
        flash: feedback.flash,
        messages: feedback.messages,
        projects: projects
            .iter()
            .map(|p| Choice::new(p.id.to_string(), p.name.clone(), project == Some(p.id)))
            .collect(),
        project: chosen,
        subjects,
        levels: level_choices(&form.level),
    };
    render(feedback.status, &page)
}

/// The project's grants, and the directory that names their subjects.
async fn project_access(
    api: &Api<'_>,
    id: Uuid,
    projects: &[ProjectRef],
) -> Result<(ProjectAccess, Directory), BackendError> {
    let path = format!("/api/v1/projects/{id}/grants");
    let (grants, directory) = tokio::join!(api.get::<Vec<Grant>>(&path), Directory::load(api));
    let (grants, directory) = (grants?, directory?);

    let name = projects
        .iter()
        .find(|project| project.id == id)
        .map_or_else(|| id.to_string(), |project| project.name.clone());
    let access = ProjectAccess {
        id: id.to_string(),
        name,
        grants: grants.iter().map(|g| grant_row(g, &directory)).collect(),
    };
    Ok((access, directory))
}

/// The level select, `viewer` chosen unless the form said otherwise.
fn level_choices(current: &str) -> Vec<Choice> {
    let current = match current {
        "" => "viewer",
        level => level,
    };
    LEVELS
        .iter()
        .map(|(value, label)| Choice::new(*value, *label, *value == current))
        .collect()
}

fn grant_row(grant: &Grant, directory: &Directory) -> GrantRow {
    let subject = directory.name(Subject::of(grant.user_id, grant.group_id));
    GrantRow {
        id: grant.id.to_string(),
        name: subject.name,
        kind: subject.kind,
        detail: subject.detail,
        level: level_label(&grant.level),
        granted: view::timestamp(&grant.created_at),
    }
}
