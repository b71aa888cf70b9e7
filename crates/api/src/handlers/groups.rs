//! Groups of users, managed by administrators. Grants and walls may name a group.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lucidity_db::groups::{self, Group};
use lucidity_db::ids::{GroupId, UserId};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Id, Ids, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub member_ids: Vec<UserId>,
    pub created_at: DateTime<Utc>,
}

impl From<Group> for GroupOut {
    fn from(g: Group) -> Self {
        Self {
            id: g.id,
            name: g.name,
            description: g.description,
            member_ids: g.member_ids,
            created_at: g.created_at,
        }
    }
}

#[derive(Debug, ToSchema)]
pub struct NewGroup {
    pub name: String,
    pub description: Option<String>,
}

impl FromFields for NewGroup {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let name = f.text("name", 200);
        let description = f.optional::<String>("description");
        Some(Self {
            name: name?,
            description: description?,
        })
    }
}

#[derive(Debug, ToSchema)]
pub struct NewMember {
    pub user_id: UserId,
}

impl FromFields for NewMember {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        Some(Self {
            user_id: f.required("user_id")?,
        })
    }
}

/// Every group with its members.
#[utoipa::path(get, path = "/api/v1/admin/groups", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<GroupOut>), (status = 403, body = ErrorBody)))]
pub async fn list_groups(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> ApiResult<Json<Vec<GroupOut>>> {
    access::authorize(&state, &principal, Target::Administration, Need::View).await?;
    let groups = groups::list_groups(&state.db).await?;
    Ok(Json(groups.into_iter().map(GroupOut::from).collect()))
}

/// Create a group.
#[utoipa::path(post, path = "/api/v1/admin/groups", tag = "admin", security(("bearer" = [])),
    request_body = NewGroup,
    responses((status = 201, body = GroupOut), (status = 409, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn create_group(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    request_id: RequestId,
    Body(request): Body<NewGroup>,
) -> ApiResult<(StatusCode, Json<GroupOut>)> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    let description = request.description.unwrap_or_default();
    let group = groups::insert_group(&state.db, &request.name, description.trim())
        .await
        .map_err(
            |error| match lucidity_db::is_unique_violation(&error, groups::NAME_KEY) {
                true => ApiError::Conflict("A group with this name already exists".into()),
                false => error.into(),
            },
        )?;

    let target = ("group", group.id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "group.created",
        target,
        json!({}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(group.into())))
}

/// One group.
#[utoipa::path(get, path = "/api/v1/admin/groups/{id}", tag = "admin",
    security(("bearer" = [])), params(("id" = GroupId, Path)),
    responses((status = 200, body = GroupOut), (status = 404, body = ErrorBody)))]
pub async fn get_group(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<GroupId>,
) -> ApiResult<Json<GroupOut>> {
    access::authorize(&state, &principal, Target::Administration, Need::View).await?;
    let group = groups::find_group(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(group.into()))
}

/// Delete a group; its grants and walls go with it.
#[utoipa::path(delete, path = "/api/v1/admin/groups/{id}", tag = "admin",
    security(("bearer" = [])), params(("id" = GroupId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_group(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<GroupId>,
    request_id: RequestId,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    if !groups::delete_group(&state.db, id).await? {
        return Err(ApiError::NotFound);
    }
    let target = ("group", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "group.deleted",
        target,
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a user to a group.
#[utoipa::path(post, path = "/api/v1/admin/groups/{id}/members", tag = "admin",
    security(("bearer" = [])), params(("id" = GroupId, Path)), request_body = NewMember,
    responses((status = 204), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn create_member(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<GroupId>,
    request_id: RequestId,
    Body(request): Body<NewMember>,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    groups::find_group(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    groups::insert_member(&state.db, id, request.user_id)
        .await
        .map_err(
            |error| match lucidity_db::is_foreign_key_violation(&error) {
                true => ApiError::field("user_id", "no such user"),
                false => error.into(),
            },
        )?;

    let detail = json!({ "user_id": request.user_id });
    let target = ("group", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "group.member_added",
        target,
        detail,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a user from a group.
#[utoipa::path(delete, path = "/api/v1/admin/groups/{id}/members/{user_id}", tag = "admin",
    security(("bearer" = [])), params(("id" = GroupId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_member(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Ids(id, user): Ids<GroupId, UserId>,
    request_id: RequestId,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    if !groups::delete_member(&state.db, id, user).await? {
        return Err(ApiError::NotFound);
    }
    let detail = json!({ "user_id": user });
    let target = ("group", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "group.member_removed",
        target,
        detail,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
