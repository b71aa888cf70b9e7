//! Start-up schema work: the append-only migrations, then the idempotent seed.
//!
//! Several API instances may start at once: sqlx holds a Postgres advisory lock while it
//! migrates, and every seed statement tolerates a concurrent twin (`ON CONFLICT DO NOTHING`).

use anyhow::Context;
use lucidity_ai::Capability;
use lucidity_analysis::report;
use lucidity_common::Config;
use serde_json::json;
use sqlx::PgPool;

use crate::{capabilities, ids::ProjectId, password, playbook, settings, users};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The file types accepted for upload until an administrator changes the setting.
pub const DEFAULT_ALLOWED_FILE_TYPES: &[&str] = &["pdf", "docx", "png", "jpg", "jpeg", "tiff"];

/// The name of the project that exists from the first start.
pub const DEFAULT_PROJECT_NAME: &str = "Default";

/// The version of the newest migration this build carries. A backup whose schema is newer
/// than this was taken by a newer build, which this one cannot run on.
pub fn latest_migration_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Applies every pending migration.
pub async fn run_migrations(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("failed to apply database migrations")?;
    Ok(())
}

/// Creates the default admin, the default project, the system settings, the capability
/// mapping and the default playbook when missing.
pub async fn seed(pool: &PgPool, config: &Config) -> anyhow::Result<()> {
    seed_admin(pool, config).await?;

    let inserted = sqlx::query(
        "INSERT INTO projects (id, name, description, is_default) \
         VALUES ($1, $2, 'Documents not filed under a specific matter', true) \
         ON CONFLICT DO NOTHING",
    )
    .bind(ProjectId::new())
    .bind(DEFAULT_PROJECT_NAME)
    .execute(pool)
    .await
    .context("failed to seed the default project")?;
    if inserted.rows_affected() > 0 {
        tracing::info!("created the default project");
    }

    let defaults = [
        (
            settings::ALLOWED_FILE_TYPES,
            json!(DEFAULT_ALLOWED_FILE_TYPES),
        ),
        (
            settings::MAX_UPLOAD_SIZE_MB,
            json!(config.max_upload_size_mb),
        ),
    ];
    for (key, value) in defaults {
        settings::insert_default(pool, key, &value)
            .await
            .with_context(|| format!("failed to seed the setting {key}"))?;
    }
    seed_analysis(pool).await
}

/// Every capability on the built-in engine, and the default playbook. Existing rows win, and a
/// deleted playbook entry's tombstone keeps it from coming back.
async fn seed_analysis(pool: &PgPool) -> anyhow::Result<()> {
    for capability in Capability::ALL {
        capabilities::insert_default(pool, capability, report::PROVIDER, report::MODEL)
            .await
            .with_context(|| format!("failed to seed the capability {capability}"))?;
    }

    let entries = lucidity_analysis::default_playbook().entries;
    let inserted = playbook::seed_entries(pool, &entries)
        .await
        .context("failed to seed the default playbook")?;
    if inserted > 0 {
        tracing::info!(entries = inserted, "seeded the default playbook");
    }
    Ok(())
}

async fn seed_admin(pool: &PgPool, config: &Config) -> anyhow::Result<()> {
    if users::seed_admin_exists(pool).await? {
        return Ok(());
    }

    let email = &config.auth.default_admin_email;
    let secret = config.auth.default_admin_password.expose().to_string();
    let hash = password::hash_blocking(secret).await?;
    if users::insert_seed_admin(pool, email, &hash).await? {
        tracing::info!(user.email = %email, "created the default admin account");
    } else if !users::seed_admin_exists(pool).await? {
        // Not a concurrent start that created it first: the email is someone else's.
        tracing::warn!(
            user.email = %email,
            "DEFAULT_ADMIN_EMAIL belongs to an existing account; no default admin was created"
        );
    }
    Ok(())
}

/// How many migrations this build carries (test harnesses use it to refresh templates).
pub fn migration_count() -> usize {
    MIGRATOR.iter().count()
}
