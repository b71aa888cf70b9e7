//! API credentials for machine clients. The secret is shown once, at creation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lucidity_db::credentials::{self, Credential};
use lucidity_db::ids::{CredentialId, UserId};
use lucidity_db::password;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Id, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;
use crate::tokens::random_token;

#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialOut {
    pub id: CredentialId,
    pub client_id: String,
    pub name: String,
    /// The account the client acts as.
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<Credential> for CredentialOut {
    fn from(c: Credential) -> Self {
        Self {
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            user_id: c.user_id,
            created_at: c.created_at,
            last_used_at: c.last_used_at,
            revoked_at: c.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCredential {
    #[serde(flatten)]
    pub credential: CredentialOut,
    /// Shown only in this response; store it now.
    pub client_secret: String,
}

#[derive(Debug, ToSchema)]
pub struct NewCredential {
    pub name: String,
    pub user_id: UserId,
}

impl FromFields for NewCredential {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let name = f.text("name", 200);
        let user_id = f.required("user_id");
        Some(Self {
            name: name?,
            user_id: user_id?,
        })
    }
}

/// Every credential (secrets are never shown again).
#[utoipa::path(get, path = "/api/v1/admin/api-credentials", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CredentialOut>), (status = 403, body = ErrorBody)))]
pub async fn list_credentials(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> ApiResult<Json<Vec<CredentialOut>>> {
    access::authorize(&state, &principal, Target::Administration, Need::View).await?;
    let list = credentials::list_credentials(&state.db).await?;
    Ok(Json(list.into_iter().map(CredentialOut::from).collect()))
}

/// Create a credential acting as `user_id`; the response holds the only copy of the secret.
#[utoipa::path(post, path = "/api/v1/admin/api-credentials", tag = "admin",
    security(("bearer" = [])), request_body = NewCredential,
    responses((status = 201, body = CreatedCredential), (status = 403, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn create_credential(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    request_id: RequestId,
    Body(request): Body<NewCredential>,
) -> ApiResult<(StatusCode, Json<CreatedCredential>)> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    let client_id = format!("clc_{}", random_token(12));
    let client_secret = format!("cls_{}", random_token(32));
    let hash = password::hash_blocking(client_secret.clone())
        .await
        .map_err(anyhow::Error::from)?;

    let credential = credentials::insert_credential(
        &state.db,
        &client_id,
        &hash,
        &request.name,
        request.user_id,
        principal.user_id,
    )
    .await
    .map_err(
        |error| match lucidity_db::is_foreign_key_violation(&error) {
            true => ApiError::field("user_id", "no such user"),
            false => error.into(),
        },
    )?;

    let target = ("api_credential", credential.id.to_string());
    let detail = json!({ "user_id": credential.user_id });
    super::record_change(
        &state,
        &principal,
        &request_id,
        "credential.created",
        target,
        detail,
    )
    .await?;
    let body = CreatedCredential {
        credential: credential.into(),
        client_secret,
    };
    Ok((StatusCode::CREATED, Json(body)))
}

/// Revoke a credential; its tokens stop working at once.
#[utoipa::path(delete, path = "/api/v1/admin/api-credentials/{id}", tag = "admin",
    security(("bearer" = [])), params(("id" = CredentialId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_credential(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<CredentialId>,
    request_id: RequestId,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    if !credentials::revoke_credential(&state.db, id).await? {
        return Err(ApiError::NotFound);
    }
    let target = ("api_credential", id.to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "credential.revoked",
        target,
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
