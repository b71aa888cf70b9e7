//! Queries on `api_credentials`: client id and hashed secret for machine clients.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};

use crate::ids::{CredentialId, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct Credential {
    pub id: CredentialId,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "id, client_id, secret_hash, name, user_id, created_at, last_used_at, revoked_at";

pub async fn insert_credential(
    db: impl PgExecutor<'_>,
    client_id: &str,
    secret_hash: &str,
    name: &str,
    user: UserId,
    created_by: UserId,
) -> sqlx::Result<Credential> {
    let sql = format!(
        "INSERT INTO api_credentials (id, client_id, secret_hash, name, user_id, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(CredentialId::new())
        .bind(client_id)
        .bind(secret_hash)
        .bind(name)
        .bind(user)
        .bind(created_by)
        .fetch_one(db)
        .await
}

pub async fn find_by_client_id(
    db: impl PgExecutor<'_>,
    client_id: &str,
) -> sqlx::Result<Option<Credential>> {
    let sql = format!("SELECT {COLUMNS} FROM api_credentials WHERE client_id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(client_id)
        .fetch_optional(db)
        .await
}

pub async fn list_credentials(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Credential>> {
    let sql = format!("SELECT {COLUMNS} FROM api_credentials ORDER BY created_at");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(db).await
}

pub async fn touch_credential(db: impl PgExecutor<'_>, id: CredentialId) -> sqlx::Result<()> {
    sqlx::query("UPDATE api_credentials SET last_used_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Revokes a credential; the sessions it opened fail their next request.
pub async fn revoke_credential(db: impl PgExecutor<'_>, id: CredentialId) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE api_credentials SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}
