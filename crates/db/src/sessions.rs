//! Queries on `sessions` and `refresh_tokens`.
//!
//! A session is one sign-in and the family of refresh tokens rotated from it. Each refresh
//! token is claimed once; [`claim_refresh_token`] marks it used atomically, so of two
//! concurrent exchanges of the same token exactly one claims it, and the other learns how
//! recently it was claimed (the API forgives a second exchange within a short grace).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};

use crate::ids::{CredentialId, SessionId, UserId};

/// The user and session state the API checks on every authenticated request.
#[derive(Debug, Clone, FromRow)]
pub struct SessionPrincipal {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: crate::users::Role,
    pub is_active: bool,
    pub is_seed_admin: bool,
    pub must_change_password: bool,
    pub session_id: SessionId,
    pub session_revoked: bool,
    pub credential_id: Option<CredentialId>,
    pub credential_revoked: bool,
}

pub async fn insert_session(
    db: impl PgExecutor<'_>,
    user: UserId,
    credential: Option<CredentialId>,
) -> sqlx::Result<SessionId> {
    let id = SessionId::new();
    sqlx::query("INSERT INTO sessions (id, user_id, credential_id) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(user)
        .bind(credential)
        .execute(db)
        .await?;
    Ok(id)
}

pub async fn find_principal(
    db: impl PgExecutor<'_>,
    user: UserId,
    session: SessionId,
) -> sqlx::Result<Option<SessionPrincipal>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.email, u.display_name, u.role, u.is_active, u.is_seed_admin, \
                u.must_change_password, s.id AS session_id, \
                (s.revoked_at IS NOT NULL) AS session_revoked, s.credential_id, \
                coalesce(c.revoked_at IS NOT NULL, false) AS credential_revoked \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN api_credentials c ON c.id = s.credential_id \
         WHERE s.id = $2 AND s.user_id = $1",
    )
    .bind(user)
    .bind(session)
    .fetch_optional(db)
    .await
}

/// Ends a session and so every token issued in it.
pub async fn revoke_session(
    db: impl PgExecutor<'_>,
    session: SessionId,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 \
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(session)
    .bind(reason)
    .execute(db)
    .await?;
    Ok(())
}

/// Ends every session of a user except `keep`; returns how many ended.
pub async fn revoke_user_sessions(
    db: impl PgExecutor<'_>,
    user: UserId,
    keep: Option<SessionId>,
    reason: &str,
) -> sqlx::Result<u64> {
    let result = sqlx::query(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $3 \
         WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)",
    )
    .bind(user)
    .bind(keep)
    .bind(reason)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

pub async fn insert_refresh_token(
    db: impl PgExecutor<'_>,
    session: SessionId,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(uuid::Uuid::new_v4())
    .bind(session)
    .bind(token_hash)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, FromRow)]
pub struct RefreshTokenState {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub credential_id: Option<CredentialId>,
    pub expired: bool,
    pub session_revoked: bool,
    /// True when this call marked the token used; false when it had been used before.
    pub claimed: bool,
    /// True when it had been used before, less than the given grace ago.
    pub used_within_grace: bool,
}

/// Marks the token used, if it was not already, and reports what was found; a token used
/// before is reported as used within the grace when it was used less than `grace` ago.
pub async fn claim_refresh_token(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    grace: std::time::Duration,
) -> sqlx::Result<Option<RefreshTokenState>> {
    sqlx::query_as(
        "WITH found AS ( \
             SELECT t.id, t.used_at, t.expires_at, s.id AS session_id, s.user_id, \
                    s.credential_id, s.revoked_at \
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
             WHERE t.token_hash = $1 FOR UPDATE OF t), \
         claimed AS ( \
             UPDATE refresh_tokens SET used_at = now() \
             WHERE id = (SELECT id FROM found) AND used_at IS NULL RETURNING id) \
         SELECT session_id, user_id, credential_id, (expires_at <= now()) AS expired, \
                (revoked_at IS NOT NULL) AS session_revoked, \
                EXISTS (SELECT 1 FROM claimed) AS claimed, \
                COALESCE(used_at > now() - make_interval(secs => $2), false) \
                    AS used_within_grace \
         FROM found",
    )
    .bind(token_hash)
    .bind(grace.as_secs_f64())
    .fetch_optional(db)
    .await
}

/// Revokes the session that issued `token_hash`, if any (logout by refresh token).
pub async fn session_of_refresh_token(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
) -> sqlx::Result<Option<SessionId>> {
    sqlx::query_scalar("SELECT session_id FROM refresh_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await
}
