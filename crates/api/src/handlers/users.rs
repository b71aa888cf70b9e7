//! User accounts, managed by administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lucidity_common::config::looks_like_email;
use lucidity_db::ids::UserId;
use lucidity_db::users::{self, NewUser, Role, User, UserChanges};
use lucidity_db::{password, sessions};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Id, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub is_active: bool,
    /// The account created from DEFAULT_ADMIN_EMAIL.
    pub is_default_admin: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            is_active: u.is_active,
            is_default_admin: u.is_seed_admin,
            must_change_password: u.must_change_password,
            created_at: u.created_at,
        }
    }
}

fn read_role(f: &mut Fields, required: bool) -> Option<Option<Role>> {
    let raw = match required {
        true => Some(f.required::<String>("role")?),
        false => f.optional::<String>("role")?,
    };
    let Some(raw) = raw else { return Some(None) };
    match Role::parse(&raw) {
        Some(role) => Some(Some(role)),
        None => {
            f.invalid("role", "must be admin or user");
            None
        }
    }
}

/// A new account: its first password is temporary and must be changed at first sign-in.
#[derive(Debug, ToSchema)]
pub struct NewUserRequest {
    pub email: String,
    pub display_name: Option<String>,
    /// admin or user.
    pub role: String,
    pub password: String,
}

pub struct CreateUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

impl FromFields for CreateUser {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let email = f.text("email", 320);
        if email.as_deref().is_some_and(|e| !looks_like_email(e)) {
            f.invalid("email", "not a valid email address");
        }
        let display_name = f.optional::<String>("display_name");
        let role = read_role(f, true);
        let password = f.required::<String>("password");
        if let Some(weakness) = password.as_deref().and_then(password::weakness) {
            f.invalid("password", weakness);
        }
        Some(Self {
            email: email?,
            display_name: display_name?.unwrap_or_default().trim().to_string(),
            role: role??,
            password: password?,
        })
    }
}

/// Every account.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserOut>), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> ApiResult<Json<Vec<UserOut>>> {
    access::authorize(&state, &principal, Target::Administration, Need::View).await?;
    let users = users::list_users(&state.db).await?;
    Ok(Json(users.into_iter().map(UserOut::from).collect()))
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    request_body = NewUserRequest,
    responses((status = 201, body = UserOut), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ValidationBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    request_id: RequestId,
    Body(request): Body<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserOut>)> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    let hash = password::hash_blocking(request.password)
        .await
        .map_err(anyhow::Error::from)?;
    let new = NewUser {
        email: &request.email,
        display_name: &request.display_name,
        password_hash: &hash,
        role: request.role,
        must_change_password: true,
    };
    let user = users::insert_user(&state.db, &new).await.map_err(|error| {
        match lucidity_db::is_unique_violation(&error, users::EMAIL_KEY) {
            true => ApiError::Conflict("An account with this email already exists".into()),
            false => error.into(),
        }
    })?;

    let target = ("user", user.id.to_string());
    let detail = json!({ "role": user.role });
    super::record_change(
        &state,
        &principal,
        &request_id,
        "user.created",
        target,
        detail,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

#[derive(Debug, ToSchema)]
pub struct UserChangesRequest {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub is_active: Option<bool>,
}

pub struct ChangeUser(UserChanges);

impl FromFields for ChangeUser {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let display_name = f.optional::<String>("display_name");
        let role = read_role(f, false);
        let is_active = f.optional::<bool>("is_active");
        Some(Self(UserChanges {
            display_name: display_name?.map(|n| n.trim().to_string()),
            role: role?,
            is_active: is_active?,
        }))
    }
}

/// Change an account's name, role or active flag. Deactivation ends its sessions at once.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin",
    security(("bearer" = [])), params(("id" = UserId, Path)), request_body = UserChangesRequest,
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<UserId>,
    request_id: RequestId,
    Body(ChangeUser(changes)): Body<ChangeUser>,
) -> ApiResult<Json<UserOut>> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    let existing = users::find_user(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let demotes = changes.role == Some(Role::User) || changes.is_active == Some(false);
    if existing.is_seed_admin && demotes {
        let message = "The default administrator cannot be demoted or deactivated";
        return Err(ApiError::Conflict(message.into()));
    }

    let user = users::update_user(&state.db, id, &changes)
        .await?
        .ok_or(ApiError::NotFound)?;
    if changes.is_active == Some(false) {
        sessions::revoke_user_sessions(&state.db, id, None, "deactivated").await?;
    }
    let detail = json!({ "role": changes.role, "is_active": changes.is_active });
    let target = ("user", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "user.updated",
        target,
        detail,
    )
    .await?;
    Ok(Json(user.into()))
}

#[derive(Debug, ToSchema)]
pub struct PasswordResetRequest {
    /// A temporary password; the user must change it at the next sign-in.
    pub new_password: String,
}

pub struct ResetPassword(String);

impl FromFields for ResetPassword {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let new_password = f.required::<String>("new_password");
        if let Some(weakness) = new_password.as_deref().and_then(password::weakness) {
            f.invalid("new_password", weakness);
        }
        Some(Self(new_password?))
    }
}

/// Set a temporary password; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/reset-password", tag = "admin",
    security(("bearer" = [])), params(("id" = UserId, Path)), request_body = PasswordResetRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn create_password_reset(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<UserId>,
    request_id: RequestId,
    Body(ResetPassword(new_password)): Body<ResetPassword>,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    let hash = password::hash_blocking(new_password)
        .await
        .map_err(anyhow::Error::from)?;
    if !users::update_password(&state.db, id, &hash, true).await? {
        return Err(ApiError::NotFound);
    }
    sessions::revoke_user_sessions(&state.db, id, None, "password_reset").await?;
    let target = ("user", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "user.password_reset",
        target,
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
