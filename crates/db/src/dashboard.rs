//! Read-only totals across the documents of several projects, for the dashboard: risk levels,
//! open findings, and the key terms that date a contract's end (expiration, renewal, notice).
//!
//! Reviewers' decisions count: a rejected finding is not open, a corrected severity replaces
//! the engine's, and a rejected or corrected key term is read as the reviewer left it.

use serde_json::Value;
use sqlx::{FromRow, PgExecutor};

use crate::ids::{DocumentId, ProjectId};

fn uuids(projects: &[ProjectId]) -> Vec<uuid::Uuid> {
    projects.iter().map(|p| p.0).collect()
}

/// How many documents have each risk level; `None` counts the unscored ones.
pub async fn count_risk_levels(
    db: impl PgExecutor<'_>,
    projects: &[ProjectId],
) -> sqlx::Result<Vec<(Option<String>, i64)>> {
    sqlx::query_as(
        "SELECT a.risk_level, count(*) \
         FROM documents d LEFT JOIN document_analyses a ON a.document_id = d.id \
         WHERE d.project_id = ANY($1) GROUP BY a.risk_level",
    )
    .bind(uuids(projects))
    .fetch_all(db)
    .await
}

/// How many findings of each severity no reviewer rejected, by the corrected severity where a
/// reviewer changed it.
pub async fn count_open_findings(
    db: impl PgExecutor<'_>,
    projects: &[ProjectId],
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT COALESCE(r.correction ->> 'severity', f.severity) AS severity, count(*) \
         FROM documents d \
         JOIN findings f ON f.document_id = d.id \
         LEFT JOIN reviews r ON r.document_id = f.document_id AND r.target_kind = 'finding' \
                            AND r.target_key = f.key \
         WHERE d.project_id = ANY($1) AND r.decision IS DISTINCT FROM 'rejected' \
         GROUP BY 1",
    )
    .bind(uuids(projects))
    .fetch_all(db)
    .await
}

/// The terms that date the end of one contract, each as the reviewer left it: `None` when
/// absent or rejected, the correction's `value` when corrected with one, else as stored
/// (`{type, value}`, the shape of `lucidity_analysis::fields::Value`).
#[derive(Debug, Clone, FromRow)]
pub struct EndTerms {
    pub document_id: DocumentId,
    pub project_id: ProjectId,
    pub filename: String,
    /// The `expiration_date` field.
    pub expiration: Option<Value>,
    /// The `renewal` field.
    pub renewal: Option<Value>,
    /// The `renewal_notice_period` field.
    pub notice: Option<Value>,
}

/// The end terms of every document of the given projects that has an expiration date field.
/// `document_fields_end_terms_idx` holds just these fields' rows.
pub async fn list_end_terms(
    db: impl PgExecutor<'_>,
    projects: &[ProjectId],
) -> sqlx::Result<Vec<EndTerms>> {
    let sql = format!(
        "SELECT d.id AS document_id, d.project_id, d.filename, {} AS expiration, \
                {} AS renewal, {} AS notice \
         FROM documents d \
         JOIN document_fields e ON e.document_id = d.id AND e.key = 'expiration_date' \
         LEFT JOIN document_fields r ON r.document_id = d.id AND r.key = 'renewal' \
         LEFT JOIN document_fields n ON n.document_id = d.id AND n.key = 'renewal_notice_period' \
         {} {} {} \
         WHERE d.project_id = ANY($1)",
        reviewed("e"),
        reviewed("r"),
        reviewed("n"),
        review_of("e"),
        review_of("r"),
        review_of("n"),
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(uuids(projects))
        .fetch_all(db)
        .await
}

/// Joins the review of field `f` as `f_review`.
fn review_of(f: &str) -> String {
    format!(
        "LEFT JOIN reviews {f}_review ON {f}_review.document_id = {f}.document_id \
                AND {f}_review.target_kind = 'field' AND {f}_review.target_key = {f}.key"
    )
}

/// The value of field `f` as its review (see [`review_of`]) leaves it.
fn reviewed(f: &str) -> String {
    format!(
        "CASE WHEN {f}_review.decision = 'rejected' THEN NULL \
              WHEN {f}_review.decision = 'corrected' AND {f}_review.correction ? 'value' \
                   THEN {f}_review.correction -> 'value' \
              ELSE {f}.value END"
    )
}

/// An obligation with a deadline or a rhythm of its own, for the dashboard's list.
#[derive(Debug, Clone, FromRow)]
pub struct TimedObligation {
    pub document_id: DocumentId,
    pub project_id: ProjectId,
    pub filename: String,
    pub party: String,
    pub action: String,
    pub due: Option<String>,
    pub recurrence: Option<String>,
    pub page: Option<i32>,
}

/// The obligations that say when (a deadline as written, or how often), from the most
/// recently analysed documents first, at most `limit`.
pub async fn list_timed_obligations(
    db: impl PgExecutor<'_>,
    projects: &[ProjectId],
    limit: i64,
) -> sqlx::Result<Vec<TimedObligation>> {
    sqlx::query_as(
        "SELECT d.id AS document_id, d.project_id, d.filename, o.party, o.action, o.due, \
                o.recurrence, o.page \
         FROM documents d JOIN obligations o ON o.document_id = d.id \
         WHERE d.project_id = ANY($1) AND d.status = 'complete' \
           AND (o.due IS NOT NULL OR o.recurrence IS NOT NULL) \
         ORDER BY d.completed_at DESC NULLS LAST, d.id, o.ordinal \
         LIMIT $2",
    )
    .bind(uuids(projects))
    .bind(limit)
    .fetch_all(db)
    .await
}
