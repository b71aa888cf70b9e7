//! The append-only audit log: who did what to which resource, from where.
//!
//! Entries hold identifiers and outcomes, never contract text or secrets.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{FromRow, PgExecutor};

use crate::ids::{ProjectId, UserId};

/// One entry to append.
#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    pub actor: Option<UserId>,
    /// Dotted verb, such as `auth.login_failed` or `wall.override`.
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    /// The project the entry belongs to, for per-project activity.
    pub project_id: Option<ProjectId>,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
    pub detail: Value,
}

pub async fn insert_entry(db: impl PgExecutor<'_>, entry: &Entry<'_>) -> sqlx::Result<()> {
    let detail = match &entry.detail {
        Value::Null => Value::Object(Default::default()),
        other => other.clone(),
    };
    sqlx::query(
        "INSERT INTO audit_log (actor_user_id, action, target_type, target_id, client_addr, \
                                request_id, detail, project_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id.as_deref())
    .bind(entry.client_addr.as_deref())
    .bind(entry.request_id.as_deref())
    .bind(detail)
    .bind(entry.project_id)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct Record {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<UserId>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
    pub detail: Value,
    pub project_id: Option<ProjectId>,
}

/// The newest entries first, optionally only one action, at most `limit`.
pub async fn list_entries(
    db: impl PgExecutor<'_>,
    action: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Record>> {
    sqlx::query_as(
        "SELECT id, occurred_at, actor_user_id, action, target_type, target_id, client_addr, \
                request_id, detail, project_id \
         FROM audit_log WHERE ($1::text IS NULL OR action = $1) \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(action)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Document activity (uploads, completions, failures, deletions) in the given projects,
/// newest first.
pub async fn list_project_activity(
    db: impl PgExecutor<'_>,
    projects: &[ProjectId],
    limit: i64,
) -> sqlx::Result<Vec<Record>> {
    let ids: Vec<uuid::Uuid> = projects.iter().map(|p| p.0).collect();
    // The pipeline's own entries name the document but not its file; the file name is added
    // from the document while it exists, so a reader sees which contract each line is about.
    sqlx::query_as(
        "SELECT a.id, a.occurred_at, a.actor_user_id, a.action, a.target_type, a.target_id, \
                a.client_addr, a.request_id, \
                CASE WHEN d.filename IS NULL OR a.detail ? 'filename' THEN a.detail \
                     ELSE a.detail || jsonb_build_object('filename', d.filename) END AS detail, \
                a.project_id \
         FROM audit_log a \
         LEFT JOIN LATERAL ( \
             SELECT filename FROM documents \
             WHERE id = CASE WHEN a.target_type = 'document' \
                              AND a.target_id ~ '^[0-9a-fA-F-]{36}$' \
                             THEN a.target_id::uuid END) d ON true \
         WHERE a.project_id = ANY($1) AND a.action LIKE 'document.%' \
         ORDER BY a.id DESC LIMIT $2",
    )
    .bind(ids)
    .bind(limit)
    .fetch_all(db)
    .await
}
