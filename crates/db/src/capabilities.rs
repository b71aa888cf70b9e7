//! Queries on `ai_capabilities`: the provider and model an administrator chose for each of the
//! five AI capabilities. The worker reads them at the start of every document, so a change
//! applies from the next document on.

use chrono::{DateTime, Utc};
use lucidity_ai::{Capability, Mapping};
use sqlx::{FromRow, PgExecutor};

use crate::ids::UserId;

#[derive(Debug, Clone, FromRow)]
pub struct CapabilityRow {
    pub capability: String,
    pub provider: String,
    pub model: String,
    /// `None` for a row as seeded.
    pub updated_by: Option<UserId>,
    pub updated_at: DateTime<Utc>,
}

impl CapabilityRow {
    /// The row as the router reads it; `None` for a capability id this build does not know.
    pub fn mapping(&self) -> Option<Mapping> {
        Some(Mapping {
            capability: Capability::from_id(&self.capability)?,
            provider: self.provider.clone(),
            model: self.model.clone(),
        })
    }
}

/// Every row, in the capabilities' order.
pub async fn list_capabilities(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<CapabilityRow>> {
    let mut rows: Vec<CapabilityRow> = sqlx::query_as(
        "SELECT capability, provider, model, updated_by, updated_at FROM ai_capabilities",
    )
    .fetch_all(db)
    .await?;
    rows.sort_by_key(|row| Capability::from_id(&row.capability));
    Ok(rows)
}

/// The mapping in force, as the router takes it.
pub async fn list_mappings(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Mapping>> {
    let rows = list_capabilities(db).await?;
    Ok(rows.iter().filter_map(CapabilityRow::mapping).collect())
}

/// Inserts the seed's choice for a capability; an existing row wins. True when inserted.
pub async fn insert_default(
    db: impl PgExecutor<'_>,
    capability: Capability,
    provider: &str,
    model: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO ai_capabilities (capability, provider, model) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(capability.id())
    .bind(provider)
    .bind(model)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Sets the provider and model of a capability.
pub async fn update_capability(
    db: impl PgExecutor<'_>,
    capability: Capability,
    provider: &str,
    model: &str,
    updated_by: UserId,
) -> sqlx::Result<CapabilityRow> {
    sqlx::query_as(
        "INSERT INTO ai_capabilities (capability, provider, model, updated_by) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (capability) DO UPDATE SET provider = EXCLUDED.provider, \
                model = EXCLUDED.model, updated_by = EXCLUDED.updated_by, updated_at = now() \
         RETURNING capability, provider, model, updated_by, updated_at",
    )
    .bind(capability.id())
    .bind(provider)
    .bind(model)
    .bind(updated_by)
    .fetch_one(db)
    .await
}
