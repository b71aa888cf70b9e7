//! Project grants: who may view, edit or manage one project. Managed by the project's admins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lucidity_db::access::{self as access_db, Grant, Level, Subject};
use lucidity_db::ids::{GrantId, GroupId, ProjectId, UserId};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Id, Ids, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantOut {
    pub id: GrantId,
    pub project_id: ProjectId,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    pub level: Level,
    pub created_at: DateTime<Utc>,
}

impl From<Grant> for GrantOut {
    fn from(g: Grant) -> Self {
        Self {
            id: g.id,
            project_id: g.project_id,
            user_id: g.user_id,
            group_id: g.group_id,
            level: g.level,
            created_at: g.created_at,
        }
    }
}

/// Reads exactly one of `user_id` and `group_id`.
pub(crate) fn read_subject(f: &mut Fields) -> Option<Subject> {
    let user = f.optional::<UserId>("user_id")?;
    let group = f.optional::<GroupId>("group_id")?;
    match (user, group) {
        (Some(user), None) => Some(Subject::User(user)),
        (None, Some(group)) => Some(Subject::Group(group)),
        (None, None) => {
            f.invalid("user_id", "give user_id or group_id");
            None
        }
        (Some(_), Some(_)) => {
            f.invalid("group_id", "give user_id or group_id, not both");
            None
        }
    }
}

/// A grant or wall naming a user or group that does not exist: 422 on that field.
pub(crate) fn unknown_subject(error: sqlx::Error, subject: Subject) -> ApiError {
    if lucidity_db::is_foreign_key_violation(&error) {
        let field = match subject {
            Subject::User(_) => "user_id",
            Subject::Group(_) => "group_id",
        };
        return ApiError::field(field, "no such user or group");
    }
    error.into()
}

#[derive(Debug, ToSchema)]
pub struct NewGrant {
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    /// viewer, editor or admin.
    pub level: String,
}

pub struct GrantRequest {
    pub subject: Subject,
    pub level: Level,
}

impl FromFields for GrantRequest {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let subject = read_subject(f);
        let level = f.required::<String>("level").and_then(|raw| {
            let level = Level::parse(&raw);
            if level.is_none() {
                f.invalid("level", "must be viewer, editor or admin");
            }
            level
        });
        Some(Self {
            subject: subject?,
            level: level?,
        })
    }
}

/// The grants on a project (project admin).
#[utoipa::path(get, path = "/api/v1/projects/{id}/grants", tag = "projects",
    security(("bearer" = [])), params(("id" = ProjectId, Path)),
    responses((status = 200, body = Vec<GrantOut>), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn list_grants(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<ProjectId>,
) -> ApiResult<Json<Vec<GrantOut>>> {
    access::authorize(&state, &principal, Target::Project(id), Need::Manage).await?;
    let grants = access_db::list_grants(&state.db, id).await?;
    Ok(Json(grants.into_iter().map(GrantOut::from).collect()))
}

/// Grant a user or group a level on a project, replacing any level they had (project admin).
#[utoipa::path(post, path = "/api/v1/projects/{id}/grants", tag = "projects",
    security(("bearer" = [])), params(("id" = ProjectId, Path)), request_body = NewGrant,
    responses((status = 201, body = GrantOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ValidationBody)))]
pub async fn create_grant(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<ProjectId>,
    request_id: RequestId,
    Body(request): Body<GrantRequest>,
) -> ApiResult<(StatusCode, Json<GrantOut>)> {
    access::authorize(&state, &principal, Target::Project(id), Need::Manage).await?;
    let grant = access_db::upsert_grant(
        &state.db,
        id,
        request.subject,
        request.level,
        principal.user_id,
    )
    .await
    .map_err(|e| unknown_subject(e, request.subject))?;

    let detail = json!({ "grant_id": grant.id, "level": grant.level, "user_id": grant.user_id,
                         "group_id": grant.group_id });
    let target = ("project", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "grant.created",
        target,
        detail,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(grant.into())))
}

/// Revoke a grant; it stops counting on the next request (project admin).
#[utoipa::path(delete, path = "/api/v1/projects/{id}/grants/{grant_id}", tag = "projects",
    security(("bearer" = [])),
    params(("id" = ProjectId, Path), ("grant_id" = GrantId, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_grant(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Ids(id, grant): Ids<ProjectId, GrantId>,
    request_id: RequestId,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Project(id), Need::Manage).await?;
    if !access_db::delete_grant(&state.db, id, grant).await? {
        return Err(ApiError::NotFound);
    }
    let detail = json!({ "grant_id": grant });
    let target = ("project", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "grant.deleted",
        target,
        detail,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
