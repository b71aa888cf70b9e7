//! Sign-in, tokens, sign-out and the caller's own account.
//!
//! Users sign in with email and password; machine clients exchange an API credential at
//! `/auth/token`. Both get a short-lived access token and a refresh token. Refreshing rotates:
//! each refresh token works once, and presenting a used one again (a sign that it was stolen)
//! ends the whole session. Failed attempts are throttled per account and per client address.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use lucidity_db::ids::{CredentialId, UserId};
use lucidity_db::{audit, credentials, password, sessions, users};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, ClientAddr, Fields, FromFields, RequestId};
use crate::principal::Authenticated;
use crate::state::AppState;
use crate::throttle::Limit;
use crate::tokens::{self, CREDENTIAL_ACCESS_TTL, CREDENTIAL_REFRESH_TTL};

const BAD_CREDENTIALS: &str = "Incorrect email or password";
const BAD_CLIENT: &str = "Invalid client credentials";
const BAD_REFRESH: &str = "Invalid or expired refresh token";

/// A real Argon2id hash of a random string: verifying against it when the account does not
/// exist takes as long as a real check, so response time does not reveal which emails exist.
fn dummy_hash() -> String {
    static HASH: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| password::hash(&tokens::random_token(24)).unwrap_or_default());
    HASH.clone()
}

#[derive(Debug, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

impl FromFields for LoginRequest {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let email = f.text("email", 320);
        let password = f.required::<String>("password");
        Some(Self {
            email: email?,
            password: password?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// True until the account's password is changed; other endpoints answer 403 until then.
    pub must_change_password: bool,
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody),
              (status = 422, body = ValidationBody), (status = 429, body = ErrorBody)))]
pub async fn create_login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    request_id: RequestId,
    Body(request): Body<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let auth = &state.config.auth;
    let account_key = format!("account:{}", request.email.to_lowercase());
    let address_key = format!("address:{addr}");
    let limits = [
        Limit {
            key: account_key.clone(),
            max_failures: auth.max_failures_per_account,
        },
        Limit {
            key: address_key.clone(),
            max_failures: auth.max_failures_per_address,
        },
    ];
    if let Some(retry_after_secs) = state.throttle.retry_after(&limits).await {
        state.metrics.login("throttled");
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }

    let user = users::find_user_by_email(&state.db, &request.email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches =
        password::verify_blocking(request.password.clone(), stored.unwrap_or_else(dummy_hash))
            .await;

    let user = match user {
        Some(user) if matches => user,
        other => {
            state
                .throttle
                .record_failure(&[&account_key, &address_key])
                .await;
            state.metrics.login("failure");
            let entry = audit::Entry {
                actor: other.map(|u| u.id),
                action: "auth.login_failed",
                client_addr: Some(addr.to_string()),
                request_id: request_id.0.clone(),
                ..Default::default()
            };
            audit::insert_entry(&state.db, &entry).await?;
            return Err(ApiError::Unauthorized(BAD_CREDENTIALS));
        }
    };
    if !user.is_active {
        state.metrics.login("failure");
        return Err(ApiError::Unauthorized("This account is disabled"));
    }

    state.throttle.clear(&account_key).await;
    state.metrics.login("success");
    let entry = audit::Entry {
        actor: Some(user.id),
        action: "auth.login",
        client_addr: Some(addr.to_string()),
        request_id: request_id.0,
        ..Default::default()
    };
    audit::insert_entry(&state.db, &entry).await?;

    let session = sessions::insert_session(&state.db, user.id, None).await?;
    let tokens = issue_tokens(&state, user.id, session, None).await?;
    Ok(Json(TokenResponse {
        must_change_password: user.must_change_password,
        ..tokens
    }))
}

#[derive(Debug, ToSchema)]
pub struct TokenRequest {
    /// `client_credentials` (with client_id and client_secret) or `refresh_token`.
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
}

impl FromFields for TokenRequest {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let grant_type: Option<String> = f.required("grant_type");
        let client_id = f.optional("client_id");
        let client_secret = f.optional("client_secret");
        let refresh_token = f.optional("refresh_token");
        let grant_type = grant_type?;

        let (client_id, client_secret, refresh_token) =
            (client_id?, client_secret?, refresh_token?);
        match grant_type.as_str() {
            "client_credentials" => {
                if client_id.is_none() {
                    f.invalid("client_id", "Field required for client_credentials");
                }
                if client_secret.is_none() {
                    f.invalid("client_secret", "Field required for client_credentials");
                }
            }
            "refresh_token" if refresh_token.is_none() => {
                f.invalid("refresh_token", "Field required for refresh_token");
            }
            "refresh_token" => {}
            _ => f.invalid("grant_type", "must be client_credentials or refresh_token"),
        }
        Some(Self {
            grant_type,
            client_id,
            client_secret,
            refresh_token,
        })
    }
}

/// Exchange API client credentials, or a refresh token, for tokens. Accepts JSON or a form.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody),
              (status = 422, body = ValidationBody), (status = 429, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    request_id: RequestId,
    Body(request): Body<TokenRequest, true>,
) -> ApiResult<Json<TokenResponse>> {
    if let Some(refresh_token) = request
        .refresh_token
        .filter(|_| request.grant_type == "refresh_token")
    {
        return refresh(&state, &refresh_token).await.map(Json);
    }
    let client_id = request.client_id.unwrap_or_default();
    let client_secret = request.client_secret.unwrap_or_default();

    let auth = &state.config.auth;
    let client_key = format!("client:{client_id}");
    let address_key = format!("address:{addr}");
    let limits = [
        Limit {
            key: client_key.clone(),
            max_failures: auth.max_failures_per_account,
        },
        Limit {
            key: address_key.clone(),
            max_failures: auth.max_failures_per_address,
        },
    ];
    if let Some(retry_after_secs) = state.throttle.retry_after(&limits).await {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }

    let credential = credentials::find_by_client_id(&state.db, &client_id).await?;
    let stored = credential.as_ref().map(|c| c.secret_hash.clone());
    let matches = password::verify_blocking(client_secret, stored.unwrap_or_else(dummy_hash)).await;
    let credential = match credential {
        Some(c) if matches && c.revoked_at.is_none() => c,
        _ => {
            state
                .throttle
                .record_failure(&[&client_key, &address_key])
                .await;
            return Err(ApiError::Unauthorized(BAD_CLIENT));
        }
    };

    let user = users::find_user(&state.db, credential.user_id).await?;
    if !user.is_some_and(|u| u.is_active) {
        return Err(ApiError::Unauthorized("The credential's user is disabled"));
    }
    state.throttle.clear(&client_key).await;
    credentials::touch_credential(&state.db, credential.id).await?;
    let entry = audit::Entry {
        actor: Some(credential.user_id),
        action: "auth.client_token",
        target_type: Some("api_credential"),
        target_id: Some(credential.id.to_string()),
        client_addr: Some(addr.to_string()),
        request_id: request_id.0,
        ..Default::default()
    };
    audit::insert_entry(&state.db, &entry).await?;

    let user_id = credential.user_id;
    let session = sessions::insert_session(&state.db, user_id, Some(credential.id)).await?;
    issue_tokens(&state, user_id, session, Some(credential.id))
        .await
        .map(Json)
}

#[derive(Debug, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

impl FromFields for RefreshRequest {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        Some(Self {
            refresh_token: f.required("refresh_token")?,
        })
    }
}

/// Exchange a refresh token for new tokens; the presented token stops working.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn create_refresh(
    State(state): State<AppState>,
    Body(request): Body<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    refresh(&state, &request.refresh_token).await.map(Json)
}

/// How long after a refresh token is exchanged a second exchange of it is taken for the same
/// client renewing twice at once (two tabs whose access token lapsed together) rather than a
/// stolen token: it gets tokens of its own, and the session goes on. Later, a second exchange
/// ends the session.
const REFRESH_REUSE_GRACE: Duration = Duration::from_secs(30);

async fn refresh(state: &AppState, token: &str) -> ApiResult<TokenResponse> {
    let hash = tokens::refresh_token_hash(token);
    let found = sessions::claim_refresh_token(&state.db, &hash, REFRESH_REUSE_GRACE).await?;
    let found = found.ok_or(ApiError::Unauthorized(BAD_REFRESH))?;

    if !found.claimed && found.used_within_grace {
        tracing::info!(
            session.id = %found.session_id,
            "refresh token exchanged again within the grace period"
        );
    } else if !found.claimed {
        sessions::revoke_session(&state.db, found.session_id, "refresh_token_reuse").await?;
        tracing::warn!(session.id = %found.session_id, "refresh token reused; session revoked");
        let entry = audit::Entry {
            actor: Some(found.user_id),
            action: "auth.refresh_reuse",
            target_type: Some("session"),
            target_id: Some(found.session_id.to_string()),
            ..Default::default()
        };
        audit::insert_entry(&state.db, &entry).await?;
        return Err(ApiError::Unauthorized(BAD_REFRESH));
    }
    if found.expired || found.session_revoked {
        return Err(ApiError::Unauthorized(BAD_REFRESH));
    }

    let user = users::find_user(&state.db, found.user_id).await?;
    let Some(user) = user.filter(|u| u.is_active) else {
        return Err(ApiError::Unauthorized("This account is disabled"));
    };
    let tokens = issue_tokens(state, user.id, found.session_id, found.credential_id).await?;
    Ok(TokenResponse {
        must_change_password: user.must_change_password,
        ..tokens
    })
}

async fn issue_tokens(
    state: &AppState,
    user: UserId,
    session: lucidity_db::ids::SessionId,
    credential: Option<CredentialId>,
) -> ApiResult<TokenResponse> {
    let (access_ttl, refresh_ttl) = match credential {
        Some(_) => (CREDENTIAL_ACCESS_TTL, CREDENTIAL_REFRESH_TTL),
        None => (
            state.config.auth.access_token_ttl,
            state.config.auth.refresh_token_ttl,
        ),
    };
    let access_token = state
        .keys
        .issue_access(user, session, credential, access_ttl)?;

    let refresh_token = tokens::new_refresh_token();
    let expires_at = Utc::now() + chrono::Duration::seconds(refresh_ttl.as_secs() as i64);
    let hash = tokens::refresh_token_hash(&refresh_token);
    sessions::insert_refresh_token(&state.db, session, &hash, expires_at).await?;

    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "bearer",
        expires_in: access_ttl.as_secs(),
        must_change_password: false,
    })
}

/// Sign out: the session of the presented access token ends, with all its tokens.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn create_logout(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
) -> ApiResult<StatusCode> {
    sessions::revoke_session(&state.db, principal.session_id, "logout").await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: users::Role,
    pub must_change_password: bool,
    /// True when this token was issued to an API credential.
    pub is_api_client: bool,
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn get_me(Authenticated(principal): Authenticated) -> Json<Me> {
    Json(Me {
        id: principal.user_id,
        email: principal.email,
        display_name: principal.display_name,
        role: principal.role,
        must_change_password: principal.must_change_password,
        is_api_client: principal.credential_id.is_some(),
    })
}

#[derive(Debug, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

impl FromFields for ChangePasswordRequest {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let current_password: Option<String> = f.required("current_password");
        let new_password: Option<String> = f.required("new_password");
        if let Some(weakness) = new_password.as_deref().and_then(password::weakness) {
            f.invalid("new_password", weakness);
        }
        if new_password.is_some() && new_password == current_password {
            f.invalid("new_password", "must differ from the current password");
        }
        Some(Self {
            current_password: current_password?,
            new_password: new_password?,
        })
    }
}

/// Change the caller's password. Other sessions of the account end; this one continues.
#[utoipa::path(post, path = "/api/v1/auth/change-password", tag = "auth",
    security(("bearer" = [])), request_body = ChangePasswordRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn create_password_change(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    request_id: RequestId,
    Body(request): Body<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    if principal.credential_id.is_some() {
        return Err(ApiError::Forbidden(
            "API clients cannot change the user's password",
        ));
    }
    let user = users::find_user(&state.db, principal.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let stored = user.password_hash.unwrap_or_else(dummy_hash);
    if !password::verify_blocking(request.current_password, stored).await {
        return Err(ApiError::BadRequest(
            "The current password is incorrect".into(),
        ));
    }

    let hash = password::hash_blocking(request.new_password)
        .await
        .map_err(anyhow::Error::from)?;
    users::update_password(&state.db, user.id, &hash, false).await?;
    let ended = sessions::revoke_user_sessions(
        &state.db,
        user.id,
        Some(principal.session_id),
        "password_changed",
    )
    .await?;
    super::record_change(
        &state,
        &principal,
        &request_id,
        "user.password_changed",
        ("user", user.id.to_string()),
        json!({ "sessions_ended": ended }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
