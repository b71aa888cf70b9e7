//! The worker process: it takes documents from the queue and runs the pipeline stages.
//!
//! This release has no pipeline stage yet (ingestion and analysis arrive with their own
//! work); the worker checks that its database and queue answer, reports them in its logs, and
//! then waits for shutdown, so the process topology, its configuration and its signal
//! handling are exercised exactly as in production.

use std::time::Duration;

use anyhow::Context;
use lucidity_common::Config;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

/// How often the worker confirms, at debug level, that its dependencies still answer.
const HEARTBEAT: Duration = Duration::from_secs(60);

/// Runs until `shutdown` fires.
pub async fn run(config: Config, db: PgPool, shutdown: CancellationToken) -> anyhow::Result<()> {
    check_database(&db).await?;
    let queue = match &config.redis.broker_url {
        Some(url) => {
            let client = redis::Client::open(url.expose())
                .context("CELERY_BROKER_URL (or REDIS_URL) is not a usable Redis URL")?;
            let mut conn = client
                .get_multiplexed_async_connection()
                .await
                .context("cannot reach the Redis queue at CELERY_BROKER_URL (or REDIS_URL)")?;
            redis::cmd("PING").query_async::<String>(&mut conn).await?;
            "redis"
        }
        None => "postgres",
    };
    tracing::info!(
        queue,
        concurrency = config.worker_concurrency,
        "worker ready"
    );

    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(HEARTBEAT) => {
                match check_database(&db).await {
                    Ok(()) => tracing::debug!("worker heartbeat"),
                    Err(error) => {
                        tracing::warn!(error = format!("{error:#}"), "database check failed");
                    }
                }
            }
        }
    }
    tracing::info!("worker stopped");
    Ok(())
}

async fn check_database(db: &PgPool) -> anyhow::Result<()> {
    sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(db)
        .await
        .context("the worker cannot query the database")?;
    Ok(())
}
