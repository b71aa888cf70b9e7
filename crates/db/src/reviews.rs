//! Queries on `reviews`: a reviewer's decision on a finding or a field of one document.
//!
//! Reviews are keyed by the finding's key or the field's key, never by an analysis row, so
//! reprocessing (which replaces the analysis) leaves them in place and they meet their target
//! again in the new analysis.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{FromRow, PgExecutor};

use crate::ids::{DocumentId, UserId};

/// What a review is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Finding,
    Field,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Finding => "finding",
            Self::Field => "field",
        }
    }
}

/// One decision to record.
pub struct NewReview<'a> {
    pub document_id: DocumentId,
    pub target_kind: TargetKind,
    pub target_key: &'a str,
    /// accepted, rejected or corrected.
    pub decision: &'a str,
    /// Present exactly when the decision is `corrected`.
    pub correction: Option<&'a Value>,
    pub note: Option<&'a str>,
    pub decided_by: UserId,
}

#[derive(Debug, Clone, FromRow)]
pub struct ReviewRow {
    pub target_kind: String,
    pub target_key: String,
    pub decision: String,
    pub correction: Option<Value>,
    pub note: Option<String>,
    pub decided_by: Option<UserId>,
    pub decided_at: DateTime<Utc>,
}

const COLUMNS: &str = "target_kind, target_key, decision, correction, note, decided_by, decided_at";

/// Records a decision, replacing any earlier one on the same target.
pub async fn upsert_review(
    db: impl PgExecutor<'_>,
    review: &NewReview<'_>,
) -> sqlx::Result<ReviewRow> {
    let sql = format!(
        "INSERT INTO reviews (document_id, target_kind, target_key, decision, correction, note, \
                decided_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (document_id, target_kind, target_key) DO UPDATE SET \
                decision = EXCLUDED.decision, correction = EXCLUDED.correction, \
                note = EXCLUDED.note, decided_by = EXCLUDED.decided_by, decided_at = now() \
         RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(review.document_id)
        .bind(review.target_kind.as_str())
        .bind(review.target_key)
        .bind(review.decision)
        .bind(review.correction)
        .bind(review.note)
        .bind(review.decided_by)
        .fetch_one(db)
        .await
}

/// Every decision on the document, findings' and fields' alike.
pub async fn list_reviews(db: impl PgExecutor<'_>, id: DocumentId) -> sqlx::Result<Vec<ReviewRow>> {
    let sql = format!("SELECT {COLUMNS} FROM reviews WHERE document_id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(db)
        .await
}
