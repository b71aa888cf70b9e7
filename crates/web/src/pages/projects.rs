//! Projects: the list and the form that creates one (`/projects`), and a project's page
//! (`/projects/{id}`) with its upload area and its documents table, filtered, sorted and paged
//! by the backend, whose status badges the page's script updates live.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::view;
use super::{Nav, Signed, backend_failure, redirect_to, render};
use crate::backend::BackendError;
use crate::state::AppState;

#[derive(Deserialize)]
struct Project {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    access_level: String,
    created_at: DateTime<Utc>,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    nav: Nav,
    projects: Vec<ProjectRow>,
    messages: Vec<String>,
    name: String,
    description: String,
}

struct ProjectRow {
    id: String,
    name: String,
    description: String,
    access: String,
    created: String,
}

#[derive(Default, Deserialize, Serialize)]
pub struct NewProject {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn list_projects(State(state): State<AppState>, signed: Signed) -> Response {
    show_list(
        &state,
        &signed,
        Vec::new(),
        NewProject::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_project(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<NewProject>,
) -> Response {
    let api = signed.session.api(&state);
    let created = api
        .send_json::<_, Project>(Method::POST, "/api/v1/projects", &form)
        .await;
    match created {
        Ok(project) => redirect_to(&format!("/projects/{}", project.id)),
        Err(BackendError::Refused(refusal)) if refusal.status.is_client_error() => {
            let messages = match refusal.messages.is_empty() {
                true => vec!["The project could not be created.".to_owned()],
                false => refusal.messages,
            };
            show_list(&state, &signed, messages, form, refusal.status).await
        }
        Err(error) => backend_failure(error),
    }
}

async fn show_list(
    state: &AppState,
    signed: &Signed,
    messages: Vec<String>,
    form: NewProject,
    status: StatusCode,
) -> Response {
    let projects = match signed
        .session
        .api(state)
        .get::<Vec<Project>>("/api/v1/projects")
        .await
    {
        Ok(projects) => projects,
        Err(error) => return backend_failure(error),
    };
    let page = ProjectsPage {
        nav: signed.nav("projects"),
        projects: projects.into_iter().map(project_row).collect(),
        messages,
        name: form.name,
        description: form.description,
    };
    render(status, &page)
}

fn project_row(project: Project) -> ProjectRow {
    ProjectRow {
        id: project.id,
        name: project.name,
        description: project.description,
        access: view::humanise(&project.access_level),
        created: view::timestamp(&project.created_at),
    }
}

/// The table's filters, sort and page, as they travel in the page's query.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Filters {
    status: String,
    doc_type: String,
    risk: String,
    party: String,
    q: String,
    sort: String,
    order: String,
    page: String,
}

impl Filters {
    /// The pairs for the backend and for links, empty ones left out.
    fn pairs(&self) -> [(&'static str, &str); 8] {
        [
            ("status", &self.status),
            ("doc_type", &self.doc_type),
            ("risk", &self.risk),
            ("party", &self.party),
            ("q", &self.q),
            ("sort", &self.sort),
            ("order", &self.order),
            ("page", &self.page),
        ]
    }

    fn href(&self, project: &str) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.pairs().iter().filter(|(_, value)| !value.is_empty()))
            .finish();
        match query.is_empty() {
            true => format!("/projects/{project}"),
            false => format!("/projects/{project}?{query}"),
        }
    }

    fn is_filtered(&self) -> bool {
        [
            &self.status,
            &self.doc_type,
            &self.risk,
            &self.party,
            &self.q,
        ]
        .iter()
        .any(|value| !value.is_empty())
    }
}

#[derive(Deserialize)]
struct DocumentPage {
    total: i64,
    page: i64,
    page_size: i64,
    items: Vec<DocumentItem>,
    facets: Facets,
}

#[derive(Deserialize)]
struct DocumentItem {
    id: String,
    filename: String,
    status: String,
    error_message: Option<String>,
    page_count: Option<i32>,
    created_at: DateTime<Utc>,
    doc_type_label: Option<String>,
    title: Option<String>,
    risk_level: Option<String>,
    risk_score: Option<i32>,
    #[serde(default)]
    parties: Vec<String>,
}

#[derive(Deserialize)]
struct Facets {
    #[serde(default)]
    doc_types: Vec<String>,
    #[serde(default)]
    doc_type_labels: std::collections::HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    nav: Nav,
    project: ProjectRow,
    can_upload: bool,
    filters: Filters,
    filtered: bool,
    clear_href: String,
    columns: Vec<Column>,
    rows: Vec<DocumentRow>,
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
    statuses: Vec<Choice>,
    doc_types: Vec<Choice>,
    risks: Vec<Choice>,
}

/// A sortable column heading: its link toggles the order, `aria-sort` says the current one.
struct Column {
    label: &'static str,
    href: String,
    aria_sort: &'static str,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct DocumentRow {
    id: String,
    filename: String,
    title: String,
    doc_type: String,
    parties: String,
    risk: String,
    risk_class: &'static str,
    status: String,
    status_label: String,
    status_class: &'static str,
    error: String,
    pages: String,
    uploaded: String,
}

pub async fn show_project(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<Uuid>,
    Query(filters): Query<Filters>,
) -> Response {
    let api = signed.session.api(&state);
    let project_path = format!("/api/v1/projects/{id}");
    let documents_path = format!("/api/v1/projects/{id}/documents");
    let query = filters.pairs();
    let (project, documents) = tokio::join!(
        api.get::<Project>(&project_path),
        api.get_with::<DocumentPage>(&documents_path, &query),
    );
    let project = match project {
        Ok(project) => project,
        Err(error) => return backend_failure(error),
    };
    let documents = match documents {
        Ok(documents) => documents,
        Err(error) => return backend_failure(error),
    };

    let project_id = project.id.clone();
    let can_upload = matches!(project.access_level.as_str(), "editor" | "admin");
    let pages = ((documents.total + documents.page_size - 1) / documents.page_size.max(1)).max(1);
    let page_link = |page: i64| {
        let mut moved = filters.clone();
        moved.page = page.to_string();
        moved.href(&project_id)
    };
    let previous = (documents.page > 1).then(|| page_link(documents.page - 1));
    let next = (documents.page < pages).then(|| page_link(documents.page + 1));

    let page = ProjectPage {
        nav: signed.nav("projects"),
        can_upload,
        filtered: filters.is_filtered(),
        clear_href: format!("/projects/{project_id}"),
        columns: columns(&filters, &project_id),
        rows: documents.items.into_iter().map(document_row).collect(),
        total: documents.total,
        page: documents.page,
        pages,
        previous,
        next,
        statuses: choices(
            view::STATUSES.iter().map(|status| status.to_string()),
            &filters.status,
            view::status_label,
        ),
        doc_types: choices(
            documents.facets.doc_types.into_iter(),
            &filters.doc_type,
            |id| match documents.facets.doc_type_labels.get(id) {
                Some(label) => label.clone(),
                None => view::humanise(id),
            },
        ),
        risks: choices(
            ["high", "medium", "low", "none"]
                .iter()
                .map(|risk| risk.to_string()),
            &filters.risk,
            |risk| view::risk_label(Some(risk)).to_owned(),
        ),
        project: project_row(project),
        filters,
    };
    render(StatusCode::OK, &page)
}

fn choices(
    values: impl Iterator<Item = String>,
    current: &str,
    label: impl Fn(&str) -> String,
) -> Vec<Choice> {
    values
        .map(|value| Choice {
            label: label(&value),
            selected: value == current,
            value,
        })
        .collect()
}

/// The headings, each linking to the table sorted by it (toggling the order when it already
/// is), keeping the filters and starting again at page one.
fn columns(filters: &Filters, project: &str) -> Vec<Column> {
    let sortable = [
        ("Document", "filename"),
        ("Type", "doc_type"),
        ("Risk", "risk"),
        ("Status", "status"),
        ("Uploaded", "uploaded"),
    ];
    let current = match filters.sort.as_str() {
        "" => "uploaded",
        sort => sort,
    };
    let descending = match filters.order.as_str() {
        "" => matches!(current, "uploaded" | "updated" | "risk"),
        order => order == "desc",
    };

    sortable
        .into_iter()
        .map(|(label, key)| {
            let mut sorted = filters.clone();
            sorted.sort = key.to_owned();
            sorted.page = String::new();
            let is_current = key == current;
            sorted.order = match (is_current, descending) {
                (true, true) => "asc".to_owned(),
                (true, false) => "desc".to_owned(),
                (false, _) => String::new(),
            };
            let aria_sort = match (is_current, descending) {
                (true, true) => "descending",
                (true, false) => "ascending",
                (false, _) => "none",
            };
            Column {
                label,
                href: sorted.href(project),
                aria_sort,
            }
        })
        .collect()
}

fn document_row(item: DocumentItem) -> DocumentRow {
    let risk = match (item.risk_level.as_deref(), item.risk_score) {
        (Some(level), Some(score)) => format!("{} · {score}", view::risk_label(Some(level))),
        (level, _) => view::risk_label(level).to_owned(),
    };
    DocumentRow {
        title: item.title.unwrap_or_default(),
        doc_type: item.doc_type_label.unwrap_or_default(),
        parties: item.parties.join(" · "),
        risk,
        risk_class: view::risk_class(item.risk_level.as_deref()),
        status_label: view::status_label(&item.status),
        status_class: view::status_class(&item.status),
        status: item.status,
        error: item.error_message.unwrap_or_default(),
        pages: item.page_count.map(|n| n.to_string()).unwrap_or_default(),
        uploaded: view::timestamp(&item.created_at),
        id: item.id,
        filename: item.filename,
    }
}
