//! Queries on a document's analysis: `document_analyses`, `document_fields`, `clauses`,
//! `findings` and `obligations`.
//!
//! The storing stage replaces all of them in one transaction ([`replace_analysis`]), guarded
//! by the document's generation and the worker's lease, so a worker that was presumed dead or
//! works on a reprocessed document's older run writes nothing. Offsets are characters.

use chrono::{DateTime, Utc};
use lucidity_ai::cite::Record;
use serde_json::Value;
use sqlx::{FromRow, PgExecutor, Postgres, Transaction};

use crate::ids::DocumentId;

/// The tables [`replace_analysis`] empties for a document, children first.
const ANALYSIS_TABLES: [&str; 5] = [
    "document_fields",
    "clauses",
    "findings",
    "obligations",
    "document_analyses",
];

/// Replaces the document's analysis with `record`; false (and nothing written) when the
/// document's generation moved on or the lease is no longer `worker`'s.
pub async fn replace_analysis(
    tx: &mut Transaction<'_, Postgres>,
    claim: (DocumentId, i32, &str),
    record: &Record,
) -> sqlx::Result<bool> {
    let (id, generation, worker) = claim;
    // Locks the row until commit: a reprocess or another worker waits for this transaction.
    let holding = sqlx::query(
        "UPDATE documents SET updated_at = now() \
         WHERE id = $1 AND generation = $2 AND lease_owner = $3",
    )
    .bind(id)
    .bind(generation)
    .bind(worker)
    .execute(&mut **tx)
    .await?;
    if holding.rows_affected() == 0 {
        return Ok(false);
    }

    for table in ANALYSIS_TABLES {
        let sql = format!("DELETE FROM {table} WHERE document_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    insert_summary(tx, id, generation, record).await?;
    insert_fields(tx, id, record).await?;
    insert_clauses(tx, id, record).await?;
    insert_findings(tx, id, record).await?;
    insert_obligations(tx, id, record).await?;
    Ok(true)
}

async fn insert_summary(
    tx: &mut Transaction<'_, Postgres>,
    id: DocumentId,
    generation: i32,
    record: &Record,
) -> sqlx::Result<()> {
    let risk = record.risk.as_ref();
    sqlx::query(
        "INSERT INTO document_analyses (document_id, generation, doc_type, confidence, amends, \
                is_contract, reason, title, classification, extraction, risk_score, risk_level, \
                risk_summary, risk_explanation, provenance) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(id)
    .bind(generation)
    .bind(record.doc_type)
    .bind(record.confidence)
    .bind(record.amends)
    .bind(record.is_contract)
    .bind(&record.reason)
    .bind(&record.title)
    .bind(&record.classification)
    .bind(&record.extraction)
    .bind(risk.map(|r| r.score))
    .bind(risk.map(|r| r.level))
    .bind(risk.map(|r| r.summary.as_str()))
    .bind(risk.map(|r| &r.explanation))
    .bind(&record.provenance)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_fields(
    tx: &mut Transaction<'_, Postgres>,
    id: DocumentId,
    record: &Record,
) -> sqlx::Result<()> {
    let fields = &record.fields;
    sqlx::query(
        "INSERT INTO document_fields (document_id, key, name, ordinal, value, display, \
                start_offset, end_offset, page, confidence) \
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::int[], $5::jsonb[], $6::text[], \
                $7::int[], $8::int[], $9::int[], $10::real[])",
    )
    .bind(id)
    .bind(fields.iter().map(|f| f.key.clone()).collect::<Vec<_>>())
    .bind(fields.iter().map(|f| f.name).collect::<Vec<_>>())
    .bind((0..fields.len() as i32).collect::<Vec<_>>())
    .bind(fields.iter().map(|f| f.value.clone()).collect::<Vec<_>>())
    .bind(fields.iter().map(|f| f.display.clone()).collect::<Vec<_>>())
    .bind(fields.iter().map(|f| f.span.start).collect::<Vec<_>>())
    .bind(fields.iter().map(|f| f.span.end).collect::<Vec<_>>())
    .bind(fields.iter().map(|f| f.page).collect::<Vec<_>>())
    .bind(fields.iter().map(|f| f.confidence).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_clauses(
    tx: &mut Transaction<'_, Postgres>,
    id: DocumentId,
    record: &Record,
) -> sqlx::Result<()> {
    let clauses = &record.clauses;
    sqlx::query(
        "INSERT INTO clauses (document_id, ordinal, number, heading, level, start_offset, \
                end_offset, page_start, page_end, categories, labels) \
         SELECT $1, * FROM UNNEST($2::int[], $3::text[], $4::text[], $5::smallint[], \
                $6::int[], $7::int[], $8::int[], $9::int[], $10::jsonb[], $11::jsonb[])",
    )
    .bind(id)
    .bind((0..clauses.len() as i32).collect::<Vec<_>>())
    .bind(clauses.iter().map(|c| c.number.clone()).collect::<Vec<_>>())
    .bind(
        clauses
            .iter()
            .map(|c| c.heading.clone())
            .collect::<Vec<_>>(),
    )
    .bind(clauses.iter().map(|c| c.level).collect::<Vec<_>>())
    .bind(clauses.iter().map(|c| c.span.start).collect::<Vec<_>>())
    .bind(clauses.iter().map(|c| c.span.end).collect::<Vec<_>>())
    .bind(clauses.iter().map(|c| c.page_start).collect::<Vec<_>>())
    .bind(clauses.iter().map(|c| c.page_end).collect::<Vec<_>>())
    .bind(
        clauses
            .iter()
            .map(|c| c.categories.clone())
            .collect::<Vec<_>>(),
    )
    .bind(clauses.iter().map(|c| c.labels.clone()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_findings(
    tx: &mut Transaction<'_, Postgres>,
    id: DocumentId,
    record: &Record,
) -> sqlx::Result<()> {
    let findings = &record.findings;
    sqlx::query(
        "INSERT INTO findings (document_id, key, ordinal, kind, category, severity, title, \
                explanation, playbook_entry_id, suggested_language, start_offset, end_offset, \
                page, clause_ordinal) \
         SELECT $1, * FROM UNNEST($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], \
                $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::int[], \
                $13::int[], $14::int[])",
    )
    .bind(id)
    .bind(findings.iter().map(|f| f.key.clone()).collect::<Vec<_>>())
    .bind((0..findings.len() as i32).collect::<Vec<_>>())
    .bind(findings.iter().map(|f| f.kind.clone()).collect::<Vec<_>>())
    .bind(
        findings
            .iter()
            .map(|f| f.category.clone())
            .collect::<Vec<_>>(),
    )
    .bind(findings.iter().map(|f| f.severity).collect::<Vec<_>>())
    .bind(findings.iter().map(|f| f.title.clone()).collect::<Vec<_>>())
    .bind(
        findings
            .iter()
            .map(|f| f.explanation.clone())
            .collect::<Vec<_>>(),
    )
    .bind(
        findings
            .iter()
            .map(|f| f.playbook_entry.clone())
            .collect::<Vec<_>>(),
    )
    .bind(
        findings
            .iter()
            .map(|f| f.suggested_language.clone())
            .collect::<Vec<_>>(),
    )
    .bind(
        findings
            .iter()
            .map(|f| f.span.map(|s| s.start))
            .collect::<Vec<_>>(),
    )
    .bind(
        findings
            .iter()
            .map(|f| f.span.map(|s| s.end))
            .collect::<Vec<_>>(),
    )
    .bind(findings.iter().map(|f| f.page).collect::<Vec<_>>())
    .bind(findings.iter().map(|f| f.clause).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_obligations(
    tx: &mut Transaction<'_, Postgres>,
    id: DocumentId,
    record: &Record,
) -> sqlx::Result<()> {
    let obligations = &record.obligations;
    sqlx::query(
        "INSERT INTO obligations (document_id, ordinal, party, action, kind, due, recurrence, \
                start_offset, end_offset, page, clause_ordinal) \
         SELECT $1, * FROM UNNEST($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], \
                $7::text[], $8::int[], $9::int[], $10::int[], $11::int[])",
    )
    .bind(id)
    .bind((0..obligations.len() as i32).collect::<Vec<_>>())
    .bind(
        obligations
            .iter()
            .map(|o| o.party.clone())
            .collect::<Vec<_>>(),
    )
    .bind(
        obligations
            .iter()
            .map(|o| o.action.clone())
            .collect::<Vec<_>>(),
    )
    .bind(
        obligations
            .iter()
            .map(|o| o.kind.clone())
            .collect::<Vec<_>>(),
    )
    .bind(
        obligations
            .iter()
            .map(|o| o.due.clone())
            .collect::<Vec<_>>(),
    )
    .bind(
        obligations
            .iter()
            .map(|o| o.recurrence.clone())
            .collect::<Vec<_>>(),
    )
    .bind(obligations.iter().map(|o| o.span.start).collect::<Vec<_>>())
    .bind(obligations.iter().map(|o| o.span.end).collect::<Vec<_>>())
    .bind(obligations.iter().map(|o| o.page).collect::<Vec<_>>())
    .bind(obligations.iter().map(|o| o.clause).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The document-level conclusions of the stored analysis.
#[derive(Debug, Clone, FromRow)]
pub struct AnalysisRow {
    pub generation: i32,
    pub doc_type: String,
    pub confidence: f32,
    pub amends: Option<String>,
    pub is_contract: bool,
    pub reason: Option<Value>,
    pub title: Option<String>,
    pub classification: Value,
    pub extraction: Value,
    pub risk_score: Option<i16>,
    pub risk_level: Option<String>,
    pub risk_summary: Option<String>,
    pub risk_explanation: Option<Value>,
    pub provenance: Value,
    pub created_at: DateTime<Utc>,
}

pub async fn find_analysis(
    db: impl PgExecutor<'_>,
    id: DocumentId,
) -> sqlx::Result<Option<AnalysisRow>> {
    sqlx::query_as(
        "SELECT generation, doc_type, confidence, amends, is_contract, reason, title, \
                classification, extraction, risk_score, risk_level, risk_summary, \
                risk_explanation, provenance, created_at \
         FROM document_analyses WHERE document_id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct FieldRow {
    pub key: String,
    pub name: String,
    pub value: Value,
    pub display: String,
    pub start_offset: i32,
    pub end_offset: i32,
    pub page: Option<i32>,
    pub confidence: f32,
}

const FIELD_COLUMNS: &str = "key, name, value, display, start_offset, end_offset, page, confidence";

pub async fn list_fields(db: impl PgExecutor<'_>, id: DocumentId) -> sqlx::Result<Vec<FieldRow>> {
    let sql = format!(
        "SELECT {FIELD_COLUMNS} FROM document_fields WHERE document_id = $1 ORDER BY ordinal"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(db)
        .await
}

pub async fn find_field(
    db: impl PgExecutor<'_>,
    id: DocumentId,
    key: &str,
) -> sqlx::Result<Option<FieldRow>> {
    let sql =
        format!("SELECT {FIELD_COLUMNS} FROM document_fields WHERE document_id = $1 AND key = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(key)
        .fetch_optional(db)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct ClauseRow {
    pub ordinal: i32,
    pub number: Option<String>,
    pub heading: Option<String>,
    pub level: i16,
    pub start_offset: i32,
    pub end_offset: i32,
    pub page_start: Option<i32>,
    pub page_end: Option<i32>,
    pub categories: Value,
    pub labels: Value,
}

pub async fn list_clauses(db: impl PgExecutor<'_>, id: DocumentId) -> sqlx::Result<Vec<ClauseRow>> {
    sqlx::query_as(
        "SELECT ordinal, number, heading, level, start_offset, end_offset, page_start, \
                page_end, categories, labels \
         FROM clauses WHERE document_id = $1 ORDER BY ordinal",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct FindingRow {
    pub key: String,
    pub kind: String,
    pub category: String,
    pub severity: String,
    pub title: String,
    pub explanation: String,
    pub playbook_entry_id: Option<String>,
    pub suggested_language: Option<String>,
    pub start_offset: Option<i32>,
    pub end_offset: Option<i32>,
    pub page: Option<i32>,
    pub clause_ordinal: Option<i32>,
}

const FINDING_COLUMNS: &str = "key, kind, category, severity, title, explanation, \
                               playbook_entry_id, suggested_language, start_offset, end_offset, \
                               page, clause_ordinal";

/// The findings in engine order, optionally of one severity only.
pub async fn list_findings(
    db: impl PgExecutor<'_>,
    id: DocumentId,
    severity: Option<&str>,
) -> sqlx::Result<Vec<FindingRow>> {
    let sql = format!(
        "SELECT {FINDING_COLUMNS} FROM findings \
         WHERE document_id = $1 AND ($2::text IS NULL OR severity = $2) ORDER BY ordinal"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(severity)
        .fetch_all(db)
        .await
}

pub async fn find_finding(
    db: impl PgExecutor<'_>,
    id: DocumentId,
    key: &str,
) -> sqlx::Result<Option<FindingRow>> {
    let sql = format!("SELECT {FINDING_COLUMNS} FROM findings WHERE document_id = $1 AND key = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(key)
        .fetch_optional(db)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct ObligationRow {
    pub party: String,
    pub action: String,
    pub kind: String,
    pub due: Option<String>,
    pub recurrence: Option<String>,
    pub start_offset: i32,
    pub end_offset: i32,
    pub page: Option<i32>,
    pub clause_ordinal: Option<i32>,
}

pub async fn list_obligations(
    db: impl PgExecutor<'_>,
    id: DocumentId,
) -> sqlx::Result<Vec<ObligationRow>> {
    sqlx::query_as(
        "SELECT party, action, kind, due, recurrence, start_offset, end_offset, page, \
                clause_ordinal \
         FROM obligations WHERE document_id = $1 ORDER BY ordinal",
    )
    .bind(id)
    .fetch_all(db)
    .await
}
