//! PostgreSQL for Contract Lucidity: the only database, and the source of truth for state.
//!
//! Layout:
//! - [`embedded`]: the private server the single-machine mode runs from the pgserver wheel.
//! - [`pool`]: connection options from the configuration (TLS included) and the pool.
//! - [`migrate`]: the append-only migrations and the idempotent seed run at start-up.
//! - [`ids`]: typed identifiers, so a user id cannot be passed where a project id belongs.
//! - [`password`]: Argon2id hashing, shared by the API, the seed and the admin command.
//! - One module per table group, each with queries named verb-noun: [`users`], [`groups`],
//!   [`projects`], [`access`], [`sessions`], [`credentials`], [`settings`], [`audit`],
//!   [`documents`], [`capabilities`], [`playbook`], [`analysis`], [`reviews`], [`chunks`].
//! - Reads across tables for one screen: [`document_table`] (a project's documents, filtered,
//!   sorted and paged) and [`dashboard`] (totals and contract end dates).

pub mod access;
pub mod analysis;
pub mod audit;
pub mod capabilities;
pub mod chunks;
pub mod credentials;
pub mod dashboard;
pub mod document_table;
pub mod documents;
pub mod embedded;
pub mod groups;
pub mod ids;
pub mod migrate;
pub mod password;
pub mod playbook;
pub mod pool;
pub mod projects;
pub mod reviews;
pub mod sessions;
pub mod settings;
pub mod users;

pub use sqlx::PgPool;

/// A read-only transaction that sees one snapshot throughout, for an answer built from
/// several queries that must agree (a page and its total).
pub async fn begin_snapshot(
    pool: &PgPool,
) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// True when `error` is a unique-constraint violation on the named index or constraint.
pub fn is_unique_violation(error: &sqlx::Error, constraint: &str) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            db.is_unique_violation() && db.constraint() == Some(constraint)
        }
        _ => false,
    }
}

/// True when `error` is a foreign-key violation (a referenced row does not exist).
pub fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_foreign_key_violation())
}
