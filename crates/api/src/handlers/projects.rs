//! Projects (matters): the unit of access. Documents belong to exactly one project.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lucidity_db::access::{self as access_db, Level, Subject};
use lucidity_db::ids::ProjectId;
use lucidity_db::projects::{self, Project};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Id, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;

const MAX_NAME_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 4000;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: ProjectId,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The caller's level on this project: viewer, editor or admin.
    pub access_level: Level,
}

impl ProjectOut {
    fn new(project: Project, access_level: Level) -> Self {
        Self {
            id: project.id,
            name: project.name,
            description: project.description,
            is_default: project.is_default,
            created_at: project.created_at,
            updated_at: project.updated_at,
            access_level,
        }
    }
}

/// The projects the caller may see.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectOut>), (status = 401, body = ErrorBody)))]
pub async fn list_projects(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> ApiResult<Json<Vec<ProjectOut>>> {
    let levels: std::collections::HashMap<ProjectId, Level> =
        access::visible_projects(&state, &principal)
            .await?
            .into_iter()
            .collect();
    let visible = projects::list_projects(&state.db)
        .await?
        .into_iter()
        .filter_map(|project| {
            let level = *levels.get(&project.id)?;
            Some(ProjectOut::new(project, level))
        })
        .collect();
    Ok(Json(visible))
}

#[derive(Debug, ToSchema)]
pub struct NewProject {
    pub name: String,
    pub description: Option<String>,
}

impl FromFields for NewProject {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let name = f.text("name", MAX_NAME_CHARS);
        let description = f.optional::<String>("description");
        let description = description?;
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            f.invalid(
                "description",
                format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            );
        }
        Some(Self {
            name: name?,
            description,
        })
    }
}

/// Create a project; the creator becomes its admin.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    request_body = NewProject,
    responses((status = 201, body = ProjectOut), (status = 409, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn create_project(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    request_id: RequestId,
    Body(request): Body<NewProject>,
) -> ApiResult<(StatusCode, Json<ProjectOut>)> {
    let description = request.description.unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let project = projects::insert_project(
        &mut *tx,
        &request.name,
        description.trim(),
        principal.user_id,
    )
    .await
    .map_err(duplicate_name)?;
    let subject = Subject::User(principal.user_id);
    access_db::upsert_grant(
        &mut *tx,
        project.id,
        subject,
        Level::Admin,
        principal.user_id,
    )
    .await?;
    tx.commit().await?;

    let target = ("project", project.id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "project.created",
        target,
        json!({}),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ProjectOut::new(project, Level::Admin)),
    ))
}

fn duplicate_name(error: sqlx::Error) -> ApiError {
    if lucidity_db::is_unique_violation(&error, projects::NAME_KEY) {
        return ApiError::Conflict("A project with this name already exists".into());
    }
    error.into()
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path)),
    responses((status = 200, body = ProjectOut), (status = 404, body = ErrorBody)))]
pub async fn get_project(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<ProjectId>,
) -> ApiResult<Json<ProjectOut>> {
    let level = access::authorize(&state, &principal, Target::Project(id), Need::View).await?;
    let project = projects::find_project(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(ProjectOut::new(project, level)))
}

#[derive(Debug, ToSchema)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub description: Option<String>,
}

impl FromFields for ProjectChanges {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let name = f.optional_text("name", MAX_NAME_CHARS);
        let description = f.optional::<String>("description");
        let description = description?;
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            f.invalid(
                "description",
                format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            );
        }
        Some(Self {
            name: name?,
            description,
        })
    }
}

/// Rename or describe a project (project admin).
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = ProjectId, Path)), request_body = ProjectChanges,
    responses((status = 200, body = ProjectOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_project(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<ProjectId>,
    request_id: RequestId,
    Body(changes): Body<ProjectChanges>,
) -> ApiResult<Json<ProjectOut>> {
    let level = access::authorize(&state, &principal, Target::Project(id), Need::Manage).await?;
    let description = changes.description.as_deref().map(str::trim);
    let project = projects::update_project(&state.db, id, changes.name.as_deref(), description)
        .await
        .map_err(duplicate_name)?
        .ok_or(ApiError::NotFound)?;

    let target = ("project", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "project.updated",
        target,
        json!({}),
    )
    .await?;
    Ok(Json(ProjectOut::new(project, level)))
}

/// Delete a project and everything in it (project admin). The default project stays.
#[utoipa::path(delete, path = "/api/v1/projects/{id}", tag = "projects",
    security(("bearer" = [])), params(("id" = ProjectId, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn delete_project(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<ProjectId>,
    request_id: RequestId,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Project(id), Need::Manage).await?;
    if !projects::delete_project(&state.db, id).await? {
        return Err(ApiError::Conflict(
            "The default project cannot be deleted".into(),
        ));
    }
    let target = ("project", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "project.deleted",
        target,
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
