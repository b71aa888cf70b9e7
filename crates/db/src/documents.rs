//! Queries on `documents` and the tables of their pipeline (`document_stages`,
//! `document_texts`, `document_pages`).
//!
//! A document row is the source of truth for its state. A worker may work on a document only
//! while it holds the row's lease ([`claim_document`], [`renew_lease`]); every write from the
//! pipeline names the generation and the lease owner, so a worker that lost its lease (it was
//! presumed dead) or works on an outdated generation (the document was reprocessed) changes
//! nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgExecutor, Postgres, Transaction};

use crate::ids::{DocumentId, ProjectId, UserId};

/// The pipeline's statuses, in order; `complete` and `failed` are terminal.
pub const STATUSES: [&str; 9] = [
    "queued",
    "extracting",
    "classifying",
    "playbook",
    "analyzing",
    "embedding",
    "storing",
    "complete",
    "failed",
];

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Document {
    pub id: DocumentId,
    pub project_id: ProjectId,
    pub filename: String,
    pub file_kind: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(skip)]
    pub sha256: Vec<u8>,
    #[serde(skip)]
    pub storage_key: String,
    pub status: String,
    pub error_message: Option<String>,
    pub generation: i32,
    pub attempts: i32,
    pub page_count: Option<i32>,
    pub has_tracked_changes: Option<bool>,
    pub has_comments: Option<bool>,
    pub uploaded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, project_id, filename, file_kind, content_type, size_bytes, sha256, \
                       storage_key, status, error_message, generation, attempts, page_count, \
                       has_tracked_changes, has_comments, uploaded_by, created_at, updated_at, \
                       completed_at";

/// The unique index that makes the same file twice in one project a duplicate.
pub const HASH_KEY: &str = "documents_project_sha256_key";

pub struct NewDocument<'a> {
    pub id: DocumentId,
    pub project_id: ProjectId,
    pub filename: &'a str,
    pub file_kind: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a [u8],
    pub storage_key: &'a str,
    pub uploaded_by: UserId,
}

/// Inserts a queued document; a unique violation on [`HASH_KEY`] means a duplicate.
pub async fn insert_document(
    db: impl PgExecutor<'_>,
    new: &NewDocument<'_>,
) -> sqlx::Result<Document> {
    let sql = format!(
        "INSERT INTO documents (id, project_id, filename, file_kind, content_type, size_bytes, \
                                sha256, storage_key, uploaded_by, enqueued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(new.id)
        .bind(new.project_id)
        .bind(new.filename)
        .bind(new.file_kind)
        .bind(new.content_type)
        .bind(new.size_bytes)
        .bind(new.sha256)
        .bind(new.storage_key)
        .bind(new.uploaded_by)
        .fetch_one(db)
        .await
}

pub async fn find_document(
    db: impl PgExecutor<'_>,
    id: DocumentId,
) -> sqlx::Result<Option<Document>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_by_hash(
    db: impl PgExecutor<'_>,
    project: ProjectId,
    sha256: &[u8],
) -> sqlx::Result<Option<Document>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE project_id = $1 AND sha256 = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(project)
        .bind(sha256)
        .fetch_optional(db)
        .await
}

/// The documents of the given projects, newest first.
pub async fn list_documents(
    db: impl PgExecutor<'_>,
    projects: &[ProjectId],
    limit: i64,
) -> sqlx::Result<Vec<Document>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM documents WHERE project_id = ANY($1) \
         ORDER BY created_at DESC, id LIMIT $2"
    );
    let ids: Vec<uuid::Uuid> = projects.iter().map(|p| p.0).collect();
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// How many documents of the given projects are in each status (statuses with none are left
/// out).
pub async fn count_statuses(
    db: impl PgExecutor<'_>,
    projects: &[ProjectId],
) -> sqlx::Result<Vec<(String, i64)>> {
    let ids: Vec<uuid::Uuid> = projects.iter().map(|p| p.0).collect();
    sqlx::query_as(
        "SELECT status, count(*) FROM documents WHERE project_id = ANY($1) GROUP BY status",
    )
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Deletes the document and everything derived from it; returns its storage key.
pub async fn delete_document(
    db: impl PgExecutor<'_>,
    id: DocumentId,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("DELETE FROM documents WHERE id = $1 RETURNING storage_key")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Starts a new generation: the document is queued again from the first stage.
pub async fn restart_document(
    db: impl PgExecutor<'_>,
    id: DocumentId,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "UPDATE documents SET generation = generation + 1, status = 'queued', attempts = 0, \
                error_message = NULL, run_after = now(), lease_owner = NULL, \
                lease_expires_at = NULL, completed_at = NULL, enqueued_at = now(), \
                updated_at = now() \
         WHERE id = $1 RETURNING generation",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// What a worker needs to process a claimed document.
#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    pub id: DocumentId,
    pub project_id: ProjectId,
    pub generation: i32,
    pub attempts: i32,
    pub file_kind: String,
    pub storage_key: String,
}

/// Takes the lease on a document when it has work to do and nobody live holds it.
pub async fn claim_document(
    db: impl PgExecutor<'_>,
    id: DocumentId,
    generation: i32,
    worker: &str,
    lease_secs: i64,
) -> sqlx::Result<Option<Claimed>> {
    sqlx::query_as(
        "UPDATE documents SET lease_owner = $3, \
                lease_expires_at = now() + make_interval(secs => $4), updated_at = now() \
         WHERE id = $1 AND generation = $2 AND status NOT IN ('complete', 'failed') \
           AND run_after <= now() \
           AND (lease_expires_at IS NULL OR lease_expires_at < now() OR lease_owner = $3) \
         RETURNING id, project_id, generation, attempts, file_kind, storage_key",
    )
    .bind(id)
    .bind(generation)
    .bind(worker)
    .bind(lease_secs as f64)
    .fetch_optional(db)
    .await
}

/// Extends the lease; false when it was lost (expired and taken, or the document changed).
pub async fn renew_lease(
    db: impl PgExecutor<'_>,
    id: DocumentId,
    generation: i32,
    worker: &str,
    lease_secs: i64,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE documents SET lease_expires_at = now() + make_interval(secs => $4) \
         WHERE id = $1 AND generation = $2 AND lease_owner = $3 \
           AND status NOT IN ('complete', 'failed')",
    )
    .bind(id)
    .bind(generation)
    .bind(worker)
    .bind(lease_secs as f64)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records that `stage` starts; false when the lease is no longer this worker's.
pub async fn start_stage(
    tx: &mut Transaction<'_, Postgres>,
    id: DocumentId,
    generation: i32,
    worker: &str,
    stage: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE documents SET status = $4, updated_at = now() \
         WHERE id = $1 AND generation = $2 AND lease_owner = $3",
    )
    .bind(id)
    .bind(generation)
    .bind(worker)
    .bind(stage)
    .execute(&mut **tx)
    .await?;
    if result.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO document_stages (document_id, generation, stage) VALUES ($1, $2, $3) \
         ON CONFLICT (document_id, generation, stage) \
         DO UPDATE SET started_at = now(), finished_at = NULL, duration_ms = NULL",
    )
    .bind(id)
    .bind(generation)
    .bind(stage)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

pub async fn finish_stage(
    db: impl PgExecutor<'_>,
    id: DocumentId,
    generation: i32,
    stage: &str,
    duration_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE document_stages SET finished_at = now(), duration_ms = $4 \
         WHERE document_id = $1 AND generation = $2 AND stage = $3",
    )
    .bind(id)
    .bind(generation)
    .bind(stage)
    .bind(duration_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks the document complete; false when the lease was lost meanwhile.
pub async fn complete_document(
    db: impl PgExecutor<'_>,
    id: DocumentId,
    generation: i32,
    worker: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE documents SET status = 'complete', completed_at = now(), run_after = NULL, \
                lease_owner = NULL, lease_expires_at = NULL, error_message = NULL, \
                updated_at = now() \
         WHERE id = $1 AND generation = $2 AND lease_owner = $3",
    )
    .bind(id)
    .bind(generation)
    .bind(worker)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// What happened to a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Another attempt is scheduled after the back-off.
    Retry,
    /// No attempts left: the document is `failed`.
    Failed,
    /// The lease had been lost; nothing was changed.
    LeaseLost,
}

/// Records a failed attempt: back off and retry, or fail for good after `max_attempts`.
pub async fn fail_attempt(
    db: impl PgExecutor<'_>,
    claim: (DocumentId, i32, &str),
    error: &str,
    max_attempts: i32,
    backoff_ms: i64,
) -> sqlx::Result<AttemptOutcome> {
    let (id, generation, worker) = claim;
    let status: Option<String> = sqlx::query_scalar(
        "UPDATE documents SET attempts = attempts + 1, error_message = $4, \
                status = CASE WHEN attempts + 1 >= $5 THEN 'failed' ELSE 'queued' END, \
                run_after = CASE WHEN attempts + 1 >= $5 THEN NULL \
                                 ELSE now() + make_interval(secs => $6) END, \
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now() \
         WHERE id = $1 AND generation = $2 AND lease_owner = $3 RETURNING status",
    )
    .bind(id)
    .bind(generation)
    .bind(worker)
    .bind(error)
    .bind(max_attempts)
    .bind(backoff_ms as f64 / 1000.0)
    .fetch_optional(db)
    .await?;
    Ok(match status.as_deref() {
        None => AttemptOutcome::LeaseLost,
        Some("failed") => AttemptOutcome::Failed,
        Some(_) => AttemptOutcome::Retry,
    })
}

/// Hands a document back (worker shutdown): it is picked up again at once, from its first
/// stage, without counting an attempt.
pub async fn release_document(
    db: impl PgExecutor<'_>,
    id: DocumentId,
    generation: i32,
    worker: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE documents SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, \
                run_after = now(), enqueued_at = now(), updated_at = now() \
         WHERE id = $1 AND generation = $2 AND lease_owner = $3",
    )
    .bind(id)
    .bind(generation)
    .bind(worker)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Documents with work to do that nobody holds and the queue has not carried recently;
/// marks them as enqueued now. The reconciler sends these to the queue again.
pub async fn take_orphans(
    db: impl PgExecutor<'_>,
    requeue_after_secs: i64,
    limit: i64,
) -> sqlx::Result<Vec<(DocumentId, i32)>> {
    sqlx::query_as(
        "WITH due AS ( \
             SELECT id FROM documents \
             WHERE status NOT IN ('complete', 'failed') AND run_after <= now() \
               AND (lease_expires_at IS NULL OR lease_expires_at < now()) \
               AND (enqueued_at IS NULL \
                    OR enqueued_at < now() - make_interval(secs => $1) \
                    OR enqueued_at < run_after) \
             ORDER BY run_after LIMIT $2 FOR UPDATE SKIP LOCKED) \
         UPDATE documents d SET enqueued_at = now() FROM due WHERE d.id = due.id \
         RETURNING d.id, d.generation",
    )
    .bind(requeue_after_secs as f64)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One page of extracted text: its number, its char range in the text, how it was read.
pub struct PageRow<'a> {
    pub number: i32,
    pub start: i32,
    pub end: i32,
    pub method: &'a str,
}

/// The extraction's output, replacing any earlier one (the stage is idempotent).
pub struct TextRow<'a> {
    pub body: &'a str,
    pub char_count: i32,
    pub pages: &'a [PageRow<'a>],
    pub warnings: serde_json::Value,
    pub has_tracked_changes: bool,
    pub has_comments: bool,
}

pub async fn save_text(
    tx: &mut Transaction<'_, Postgres>,
    id: DocumentId,
    generation: i32,
    text: &TextRow<'_>,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM document_pages WHERE document_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let numbers: Vec<i32> = text.pages.iter().map(|p| p.number).collect();
    let starts: Vec<i32> = text.pages.iter().map(|p| p.start).collect();
    let ends: Vec<i32> = text.pages.iter().map(|p| p.end).collect();
    let methods: Vec<&str> = text.pages.iter().map(|p| p.method).collect();
    sqlx::query(
        "INSERT INTO document_pages (document_id, page_number, start_offset, end_offset, method) \
         SELECT $1, * FROM UNNEST($2::int[], $3::int[], $4::int[], $5::text[])",
    )
    .bind(id)
    .bind(numbers)
    .bind(starts)
    .bind(ends)
    .bind(methods)
    .execute(&mut **tx)
    .await?;

    sqlx::query(
        "INSERT INTO document_texts (document_id, generation, body, char_count, warnings) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (document_id) DO UPDATE SET generation = EXCLUDED.generation, \
                body = EXCLUDED.body, char_count = EXCLUDED.char_count, \
                warnings = EXCLUDED.warnings, created_at = now()",
    )
    .bind(id)
    .bind(generation)
    .bind(text.body)
    .bind(text.char_count)
    .bind(&text.warnings)
    .execute(&mut **tx)
    .await?;

    sqlx::query(
        "UPDATE documents SET page_count = $2, has_tracked_changes = $3, has_comments = $4 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(text.pages.len() as i32)
    .bind(text.has_tracked_changes)
    .bind(text.has_comments)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct StageTiming {
    pub stage: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
}

/// The stage timings of the document's current generation, in pipeline order.
pub async fn list_stage_timings(
    db: impl PgExecutor<'_>,
    id: DocumentId,
) -> sqlx::Result<Vec<StageTiming>> {
    sqlx::query_as(
        "SELECT s.stage, s.started_at, s.finished_at, s.duration_ms \
         FROM document_stages s JOIN documents d ON d.id = s.document_id \
         WHERE s.document_id = $1 AND s.generation = d.generation ORDER BY s.started_at",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// How many documents are waiting or in progress, by status (for metrics).
pub async fn count_unfinished(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT status, count(*) FROM documents WHERE status NOT IN ('complete', 'failed') \
         GROUP BY status",
    )
    .fetch_all(db)
    .await
}

/// Documents that failed for good in the last `seconds`.
pub async fn count_failed_since(db: impl PgExecutor<'_>, seconds: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM documents \
         WHERE status = 'failed' AND updated_at > now() - make_interval(secs => $1)",
    )
    .bind(seconds as f64)
    .fetch_one(db)
    .await
}

/// The extracted text and its warnings, once the `extracting` stage has run.
pub async fn find_text(
    db: impl PgExecutor<'_>,
    id: DocumentId,
) -> sqlx::Result<Option<(String, serde_json::Value)>> {
    sqlx::query_as("SELECT body, warnings FROM document_texts WHERE document_id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Each page's number, character range in the text (end exclusive) and reading method.
pub async fn list_pages(
    db: impl PgExecutor<'_>,
    id: DocumentId,
) -> sqlx::Result<Vec<(i32, i32, i32, String)>> {
    sqlx::query_as(
        "SELECT page_number, start_offset, end_offset, method FROM document_pages \
         WHERE document_id = $1 ORDER BY page_number",
    )
    .bind(id)
    .fetch_all(db)
    .await
}
