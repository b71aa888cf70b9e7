//! Ethical walls (information barriers), managed by administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lucidity_db::access::{self as access_db, Wall};
use lucidity_db::ids::{GroupId, ProjectId, UserId, WallId};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::grants::{read_subject, unknown_subject};
use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Id, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct WallOut {
    pub id: WallId,
    pub project_id: ProjectId,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

impl From<Wall> for WallOut {
    fn from(w: Wall) -> Self {
        Self {
            id: w.id,
            project_id: w.project_id,
            user_id: w.user_id,
            group_id: w.group_id,
            reason: w.reason,
            created_at: w.created_at,
        }
    }
}

#[derive(Debug, ToSchema)]
pub struct NewWall {
    pub project_id: ProjectId,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    /// Why the barrier exists (the conflict), for the audit trail.
    pub reason: Option<String>,
}

pub struct WallRequest {
    pub project_id: ProjectId,
    pub subject: access_db::Subject,
    pub reason: String,
}

impl FromFields for WallRequest {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let project_id = f.required::<ProjectId>("project_id");
        let subject = read_subject(f);
        let reason = f.optional::<String>("reason");
        Some(Self {
            project_id: project_id?,
            subject: subject?,
            reason: reason?.unwrap_or_default().trim().to_string(),
        })
    }
}

/// Every wall.
#[utoipa::path(get, path = "/api/v1/admin/walls", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<WallOut>), (status = 403, body = ErrorBody)))]
pub async fn list_walls(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> ApiResult<Json<Vec<WallOut>>> {
    access::authorize(&state, &principal, Target::Administration, Need::View).await?;
    let walls = access_db::list_walls(&state.db).await?;
    Ok(Json(walls.into_iter().map(WallOut::from).collect()))
}

/// Put up a wall between a user or group and a project; it applies from the next request.
#[utoipa::path(post, path = "/api/v1/admin/walls", tag = "admin", security(("bearer" = [])),
    request_body = NewWall,
    responses((status = 201, body = WallOut), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ValidationBody)))]
pub async fn create_wall(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    request_id: RequestId,
    Body(request): Body<WallRequest>,
) -> ApiResult<(StatusCode, Json<WallOut>)> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    let result = access_db::insert_wall(
        &state.db,
        request.project_id,
        request.subject,
        &request.reason,
        principal.user_id,
    )
    .await;
    let wall = result.map_err(|error| {
        if access_db::WALL_KEYS
            .iter()
            .any(|k| lucidity_db::is_unique_violation(&error, k))
        {
            return ApiError::Conflict("This wall already exists".into());
        }
        if lucidity_db::is_foreign_key_violation(&error)
            && error.as_database_error().and_then(|e| e.constraint())
                == Some("ethical_walls_project_id_fkey")
        {
            return ApiError::field("project_id", "no such project");
        }
        unknown_subject(error, request.subject)
    })?;

    let detail = json!({ "wall_id": wall.id, "user_id": wall.user_id, "group_id": wall.group_id });
    let target = ("project", wall.project_id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "wall.created",
        target,
        detail,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(wall.into())))
}

/// Take down a wall.
#[utoipa::path(delete, path = "/api/v1/admin/walls/{id}", tag = "admin",
    security(("bearer" = [])), params(("id" = WallId, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_wall(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<WallId>,
    request_id: RequestId,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    if !access_db::delete_wall(&state.db, id).await? {
        return Err(ApiError::NotFound);
    }
    let target = ("wall", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "wall.deleted",
        target,
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
