//! Who is calling: the bearer token checked against the current database state.
//!
//! Every request re-reads the user, the session and (for machine clients) the credential, so
//! a deactivated account, a logout, a revoked session or a revoked credential takes effect
//! on the next request whatever tokens are still unexpired.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use lucidity_db::ids::{CredentialId, SessionId, UserId};
use lucidity_db::sessions::{self, SessionPrincipal};
use lucidity_db::users::Role;

use crate::error::ApiError;
use crate::state::AppState;

/// An authenticated caller, possibly one that must still change their password.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

/// An authenticated caller with no pending password change: what nearly every endpoint takes.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Principal);

#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The account created from DEFAULT_ADMIN_EMAIL, the only one that can pass a wall.
    pub is_seed_admin: bool,
    pub must_change_password: bool,
    pub session_id: SessionId,
    pub credential_id: Option<CredentialId>,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

const INVALID_TOKEN: &str = "Invalid or expired token";

impl<S> FromRequestParts<S> for Authenticated
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = bearer_token(parts).ok_or(ApiError::Unauthorized("Not authenticated"))?;
        let claims = state
            .keys
            .verify_access(token)
            .ok_or(ApiError::Unauthorized(INVALID_TOKEN))?;

        let found = sessions::find_principal(&state.db, claims.sub, claims.sid).await?;
        let row = found.ok_or(ApiError::Unauthorized(INVALID_TOKEN))?;
        if row.session_revoked || row.credential_revoked || row.credential_id != claims.cid {
            return Err(ApiError::Unauthorized(INVALID_TOKEN));
        }
        if !row.is_active {
            return Err(ApiError::Unauthorized("This account is disabled"));
        }
        Ok(Authenticated(principal(row)))
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Authenticated(principal) = Authenticated::from_request_parts(parts, state).await?;
        if principal.must_change_password {
            return Err(ApiError::Forbidden(PASSWORD_CHANGE_REQUIRED));
        }
        Ok(CurrentUser(principal))
    }
}

/// The 403 detail for an account that must change its password before anything else.
pub const PASSWORD_CHANGE_REQUIRED: &str =
    "Password change required: POST /api/v1/auth/change-password first";

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn principal(row: SessionPrincipal) -> Principal {
    Principal {
        user_id: row.user_id,
        email: row.email,
        display_name: row.display_name,
        role: row.role,
        is_seed_admin: row.is_seed_admin,
        must_change_password: row.must_change_password,
        session_id: row.session_id,
        credential_id: row.credential_id,
    }
}
