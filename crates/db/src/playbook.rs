//! Queries on `playbook_entries`: the firm's playbook, as the engine's [`Entry`] plus who
//! changed it when.
//!
//! Deleting an entry leaves a tombstone (`deleted_at`), which every query but the seed's
//! ignores: the seed inserts with `ON CONFLICT DO NOTHING`, so it never revives a deleted entry
//! nor overwrites an edited one.

use chrono::{DateTime, Utc};
use lucidity_analysis::playbook::{Entry, Playbook};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgExecutor, Row};

use crate::ids::UserId;

/// A stored entry and its history.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub entry: Entry,
    /// Inserted by the seed rather than by an administrator.
    pub seeded: bool,
    pub ordinal: i32,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_by: Option<UserId>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, kind, title, category, doc_types, severity, text, alternatives, rule, \
                       medium_from, high_from, enabled, seeded, ordinal, created_by, created_at, \
                       updated_by, updated_at";

impl FromRow<'_, PgRow> for StoredEntry {
    fn from_row(row: &PgRow) -> sqlx::Result<Self> {
        let band = |column: &str| -> sqlx::Result<Option<u8>> {
            let value: Option<i16> = row.try_get(column)?;
            Ok(value.and_then(|v| u8::try_from(v).ok()))
        };
        let entry = Entry {
            id: row.try_get("id")?,
            kind: from_text(row, "kind")?,
            title: row.try_get("title")?,
            category: row.try_get("category")?,
            doc_types: row.try_get("doc_types")?,
            severity: from_text(row, "severity")?,
            text: row.try_get("text")?,
            alternatives: row.try_get("alternatives")?,
            rule: from_json(row, "rule")?,
            medium_from: band("medium_from")?,
            high_from: band("high_from")?,
            enabled: row.try_get("enabled")?,
        };
        Ok(Self {
            entry,
            seeded: row.try_get("seeded")?,
            ordinal: row.try_get("ordinal")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            updated_by: row.try_get("updated_by")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A text column holding a serde enum's name (`kind`, `severity`).
fn from_text<T: DeserializeOwned>(row: &PgRow, column: &str) -> sqlx::Result<T> {
    let text: String = row.try_get(column)?;
    decode(column, Value::String(text))
}

/// A jsonb column holding a serde value, or NULL.
fn from_json<T: DeserializeOwned>(row: &PgRow, column: &str) -> sqlx::Result<Option<T>> {
    let value: Option<Value> = row.try_get(column)?;
    value.map(|v| decode(column, v)).transpose()
}

fn decode<T: DeserializeOwned>(column: &str, value: Value) -> sqlx::Result<T> {
    serde_json::from_value(value).map_err(|error| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: Box::new(error),
    })
}

/// A serde enum's name, as the text columns store it.
fn name_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The live entries, in playbook order.
pub async fn list_entries(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<StoredEntry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM playbook_entries WHERE deleted_at IS NULL \
         ORDER BY ordinal, created_at, id"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(db).await
}

/// The playbook the pipeline applies: every live entry, enabled or not (the engine skips
/// disabled ones itself).
pub async fn load_playbook(db: impl PgExecutor<'_>) -> sqlx::Result<Playbook> {
    let entries = list_entries(db).await?;
    Ok(Playbook {
        entries: entries.into_iter().map(|stored| stored.entry).collect(),
    })
}

pub async fn find_entry(db: impl PgExecutor<'_>, id: &str) -> sqlx::Result<Option<StoredEntry>> {
    let sql =
        format!("SELECT {COLUMNS} FROM playbook_entries WHERE id = $1 AND deleted_at IS NULL");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Adds an administrator's entry after the others; a taken id (live or deleted) is a unique
/// violation of the primary key.
pub async fn insert_entry(
    db: impl PgExecutor<'_>,
    entry: &Entry,
    created_by: UserId,
) -> sqlx::Result<StoredEntry> {
    let sql = format!(
        "INSERT INTO playbook_entries (id, kind, title, category, doc_types, severity, text, \
                alternatives, rule, medium_from, high_from, enabled, seeded, ordinal, \
                created_by, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, false, \
                 (SELECT coalesce(max(ordinal), 0) + 1 FROM playbook_entries), $13, $13) \
         RETURNING {COLUMNS}"
    );
    bind_entry(sqlx::query_as(sqlx::AssertSqlSafe(sql)), entry)
        .bind(created_by)
        .fetch_one(db)
        .await
}

/// Replaces a live entry's content; `None` when there is no such live entry.
pub async fn update_entry(
    db: impl PgExecutor<'_>,
    entry: &Entry,
    updated_by: UserId,
) -> sqlx::Result<Option<StoredEntry>> {
    let sql = format!(
        "UPDATE playbook_entries SET kind = $2, title = $3, category = $4, doc_types = $5, \
                severity = $6, text = $7, alternatives = $8, rule = $9, medium_from = $10, \
                high_from = $11, enabled = $12, updated_by = $13, updated_at = now() \
         WHERE id = $1 AND deleted_at IS NULL RETURNING {COLUMNS}"
    );
    bind_entry(sqlx::query_as(sqlx::AssertSqlSafe(sql)), entry)
        .bind(updated_by)
        .fetch_optional(db)
        .await
}

type EntryQuery<'q> =
    sqlx::query::QueryAs<'q, sqlx::Postgres, StoredEntry, sqlx::postgres::PgArguments>;

/// Binds `$1`..`$12`: the entry's content in column order.
fn bind_entry<'q>(query: EntryQuery<'q>, entry: &Entry) -> EntryQuery<'q> {
    let rule = entry
        .rule
        .as_ref()
        .and_then(|r| serde_json::to_value(r).ok());
    query
        .bind(entry.id.clone())
        .bind(name_of(&entry.kind))
        .bind(entry.title.clone())
        .bind(entry.category.clone())
        .bind(entry.doc_types.clone())
        .bind(name_of(&entry.severity))
        .bind(entry.text.clone())
        .bind(entry.alternatives.clone())
        .bind(rule)
        .bind(entry.medium_from.map(i16::from))
        .bind(entry.high_from.map(i16::from))
        .bind(entry.enabled)
}

/// Leaves a tombstone; false when there was no live entry.
pub async fn delete_entry(
    db: impl PgExecutor<'_>,
    id: &str,
    deleted_by: UserId,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE playbook_entries SET deleted_at = now(), updated_by = $2, updated_at = now() \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(deleted_by)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Inserts the seed's entries that were never there; returns how many.
pub async fn seed_entries(db: impl PgExecutor<'_> + Copy, entries: &[Entry]) -> sqlx::Result<u64> {
    let mut inserted = 0;
    for (ordinal, entry) in entries.iter().enumerate() {
        let sql = format!(
            "INSERT INTO playbook_entries (id, kind, title, category, doc_types, severity, \
                    text, alternatives, rule, medium_from, high_from, enabled, seeded, ordinal) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true, $13) \
             ON CONFLICT (id) DO NOTHING RETURNING {COLUMNS}"
        );
        let row = bind_entry(sqlx::query_as(sqlx::AssertSqlSafe(sql)), entry)
            .bind(ordinal as i32)
            .fetch_optional(db)
            .await?;
        inserted += u64::from(row.is_some());
    }
    Ok(inserted)
}
