//! The document table of one project: a filtered, sorted page of its documents beside the
//! summary of their analysis, the count of every matching row, and the document types present.
//!
//! Every query starts from the project's own rows (`documents_project_idx`) and reaches the
//! analysis by its primary key. The parties are read from the analysis' extraction only for
//! the rows of the page, never for the whole project.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, Postgres, QueryBuilder};

use crate::documents::STATUSES;
use crate::ids::{DocumentId, ProjectId};

/// One row of the table.
#[derive(Debug, Clone, FromRow)]
pub struct TableRow {
    pub id: DocumentId,
    pub filename: String,
    pub file_kind: String,
    pub status: String,
    pub error_message: Option<String>,
    pub page_count: Option<i32>,
    pub size_bytes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// None until the document is analysed.
    pub doc_type: Option<String>,
    pub title: Option<String>,
    /// None while the document is not scored (not analysed, or not a contract).
    pub risk_level: Option<String>,
    pub risk_score: Option<i16>,
    /// The names of the parties, in the order the analysis found them.
    pub parties: Vec<String>,
}

/// Which risk a row must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// Scored at this level: low, medium or high.
    Level(&'static str),
    /// Not scored.
    Unscored,
}

/// What the rows must match; every part left empty matches everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Any of these statuses.
    pub statuses: Option<&'a [&'static str]>,
    /// This document type id, as `document_analyses.doc_type` stores it.
    pub doc_type: Option<&'a str>,
    pub risk: Option<Risk>,
    /// A case-insensitive substring of a party's name.
    pub party: Option<&'a str>,
    /// A case-insensitive substring of the file name or the title.
    pub text: Option<&'a str>,
}

/// The column a table is sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Uploaded,
    Updated,
    /// Case-insensitive.
    Filename,
    /// In pipeline order: queued first, then each stage, then complete and failed.
    Status,
    /// Unanalysed documents last in either direction.
    DocType,
    /// By score; unscored documents last in either direction.
    Risk,
}

/// Which slice of the sorted rows to return.
#[derive(Debug, Clone, Copy)]
pub struct Slice {
    pub sort: SortKey,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The rows of `slice`, in order.
pub async fn list_rows(
    db: impl PgExecutor<'_>,
    project: ProjectId,
    filter: &Filter<'_>,
    slice: &Slice,
) -> sqlx::Result<Vec<TableRow>> {
    let order = order_by(slice.sort, slice.descending);
    // The inner query picks the page; the outer one reads the parties of its rows only.
    let mut query = QueryBuilder::<Postgres>::new(format!(
        "SELECT p.id, p.filename, p.file_kind, p.status, p.error_message, p.page_count, \
                p.size_bytes, p.created_at, p.updated_at, p.completed_at, p.doc_type, p.title, \
                p.risk_level, p.risk_score, \
                ARRAY(SELECT name #>> '{{}}' \
                      FROM jsonb_path_query(p.extraction, '$.parties[*].name') AS name \
                      WHERE jsonb_typeof(name) = 'string') AS parties \
         FROM (SELECT d.id, d.filename, d.file_kind, d.status, d.error_message, d.page_count, \
                      d.size_bytes, d.created_at, d.updated_at, d.completed_at, a.doc_type, \
                      a.title, a.risk_level, a.risk_score, a.extraction, \
                      row_number() OVER (ORDER BY {order}) AS position \
               FROM documents d LEFT JOIN document_analyses a ON a.document_id = d.id "
    ));
    push_filter(&mut query, project, filter);
    query.push(format!(" ORDER BY {order} LIMIT "));
    query.push_bind(slice.limit);
    query.push(" OFFSET ");
    query.push_bind(slice.offset);
    query.push(") p ORDER BY p.position");
    query.build_query_as().fetch_all(db).await
}

/// How many rows match `filter`.
pub async fn count_rows(
    db: impl PgExecutor<'_>,
    project: ProjectId,
    filter: &Filter<'_>,
) -> sqlx::Result<i64> {
    let mut query = QueryBuilder::<Postgres>::new(
        "SELECT count(*) FROM documents d LEFT JOIN document_analyses a ON a.document_id = d.id ",
    );
    push_filter(&mut query, project, filter);
    query.build_query_scalar().fetch_one(db).await
}

/// The distinct document types of the project's analysed documents, sorted.
pub async fn list_doc_types(
    db: impl PgExecutor<'_>,
    project: ProjectId,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT a.doc_type \
         FROM documents d JOIN document_analyses a ON a.document_id = d.id \
         WHERE d.project_id = $1 ORDER BY a.doc_type",
    )
    .bind(project)
    .fetch_all(db)
    .await
}

/// Appends the `WHERE` clause; `d` is `documents` and `a` its analysis (left-joined).
fn push_filter(query: &mut QueryBuilder<Postgres>, project: ProjectId, filter: &Filter<'_>) {
    query.push("WHERE d.project_id = ");
    query.push_bind(project);
    if let Some(statuses) = filter.statuses {
        query.push(" AND d.status = ANY(");
        query.push_bind(statuses.to_vec());
        query.push(")");
    }
    if let Some(doc_type) = filter.doc_type {
        query.push(" AND a.doc_type = ");
        query.push_bind(doc_type.to_string());
    }
    match filter.risk {
        Some(Risk::Level(level)) => {
            query.push(" AND a.risk_level = ");
            query.push_bind(level);
        }
        Some(Risk::Unscored) => {
            query.push(" AND a.risk_level IS NULL");
        }
        None => {}
    }
    if let Some(party) = filter.party {
        query.push(
            " AND EXISTS (SELECT 1 \
                          FROM jsonb_path_query(a.extraction, '$.parties[*].name') AS name \
                          WHERE name #>> '{}' ILIKE ",
        );
        query.push_bind(contains(party));
        query.push(" ESCAPE '\\')");
    }
    if let Some(text) = filter.text {
        let pattern = contains(text);
        query.push(" AND (d.filename ILIKE ");
        query.push_bind(pattern.clone());
        query.push(" ESCAPE '\\' OR a.title ILIKE ");
        query.push_bind(pattern);
        query.push(" ESCAPE '\\')");
    }
}

/// A `LIKE` pattern matching `text` anywhere, its own `%`, `_` and `\` taken literally.
fn contains(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The `ORDER BY` list: the key, then the newest upload first and the id, so that equal keys
/// keep one order from page to page.
fn order_by(sort: SortKey, descending: bool) -> String {
    let direction = if descending { "DESC" } else { "ASC" };
    let key = match sort {
        SortKey::Uploaded => format!("d.created_at {direction}"),
        SortKey::Updated => format!("d.updated_at {direction}"),
        SortKey::Filename => format!("lower(d.filename) {direction}, d.filename {direction}"),
        SortKey::Status => {
            let statuses = STATUSES.map(|s| format!("'{s}'")).join(", ");
            format!("array_position(ARRAY[{statuses}], d.status) {direction}")
        }
        SortKey::DocType => format!("a.doc_type {direction} NULLS LAST"),
        SortKey::Risk => format!("a.risk_score {direction} NULLS LAST"),
    };
    format!("{key}, d.created_at DESC, d.id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_search_are_taken_literally() {
        assert_eq!(contains("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains("Acme"), "%Acme%");
    }

    #[test]
    fn every_sort_ends_with_a_unique_tie_break() {
        for sort in [
            SortKey::Uploaded,
            SortKey::Updated,
            SortKey::Filename,
            SortKey::Status,
            SortKey::DocType,
            SortKey::Risk,
        ] {
            assert!(order_by(sort, true).ends_with(", d.id"), "{sort:?}");
        }
    }
}
