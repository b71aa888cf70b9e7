//! Opening the database for a command: the external server named by `POSTGRES_HOST`, or the
//! embedded one under the data directory.

use anyhow::Context;
use lucidity_common::Config;
use lucidity_db::embedded::{EmbeddedPostgres, EmbeddedSettings};
use lucidity_db::{PgPool, migrate, pool};

/// An open pool and, on the embedded default, the server behind it.
pub struct Database {
    pub pool: PgPool,
    pub embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Closes the pool, then stops the embedded server if this process started it.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(server) = self.embedded {
            server
                .stop()
                .await
                .context("failed to stop the embedded PostgreSQL")?;
        }
        Ok(())
    }
}

/// The external server; `command` names the subcommand for the error when none is set.
pub async fn external(config: &Config, command: &str) -> anyhow::Result<Database> {
    if config.uses_embedded_postgres() {
        anyhow::bail!(
            "`lucidity {command}` needs an external PostgreSQL: set POSTGRES_HOST (and \
             POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB). \
             For a single machine, `lucidity serve` runs an embedded database instead."
        );
    }
    let options = pool::external_options(&config.database)?;
    let pool = pool::connect(options, config.database.max_connections).await?;
    Ok(Database {
        pool,
        embedded: None,
    })
}

/// The external server when `POSTGRES_HOST` is set, otherwise the embedded one (started, or
/// attached to when `serve` already runs it).
pub async fn external_or_embedded(config: &Config) -> anyhow::Result<Database> {
    if !config.uses_embedded_postgres() {
        return external(config, "serve").await;
    }
    let server = EmbeddedPostgres::start(EmbeddedSettings::from_config(config)).await?;
    let connected = pool::connect(server.connect_options(), config.database.max_connections).await;
    match connected {
        Ok(pool) => Ok(Database {
            pool,
            embedded: Some(server),
        }),
        Err(error) => {
            if let Err(stop_error) = server.stop().await {
                tracing::warn!(error = %stop_error, "could not stop the embedded PostgreSQL");
            }
            Err(error.into())
        }
    }
}

/// Applies migrations and the seed.
pub async fn prepare(database: &Database, config: &Config) -> anyhow::Result<()> {
    migrate::run_migrations(&database.pool).await?;
    migrate::seed(&database.pool, config).await
}
