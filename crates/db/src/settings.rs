//! Queries on `system_settings`: values administrators change while the system runs.

use serde_json::Value;
use sqlx::PgExecutor;

use crate::ids::UserId;

/// JSON array of lower-case extensions accepted for upload.
pub const ALLOWED_FILE_TYPES: &str = "allowed_file_types";
/// Upload limit in MB; never above the `MAX_UPLOAD_SIZE_MB` ceiling.
pub const MAX_UPLOAD_SIZE_MB: &str = "max_upload_size_mb";

/// Inserts a default; an existing value wins.
pub async fn insert_default(db: impl PgExecutor<'_>, key: &str, value: &Value) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO system_settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn list_settings(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, Value)>> {
    sqlx::query_as("SELECT key, value FROM system_settings ORDER BY key")
        .fetch_all(db)
        .await
}

pub async fn upsert_setting(
    db: impl PgExecutor<'_>,
    key: &str,
    value: &Value,
    updated_by: UserId,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO system_settings (key, value, updated_by) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, \
                 updated_by = EXCLUDED.updated_by, updated_at = now()",
    )
    .bind(key)
    .bind(value)
    .bind(updated_by)
    .execute(db)
    .await?;
    Ok(())
}
