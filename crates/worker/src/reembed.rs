//! Re-embedding: passages whose vector is missing or came from another model (the model was
//! upgraded, or the index was restored from an older installation) get a new vector from the
//! model this worker runs, in small batches between documents, until none is left.
//!
//! Every worker runs it; an advisory lock held for a batch lets one worker at a time work, so
//! two workers never compute the same vectors. Search keeps working meanwhile: keyword search
//! is unaffected, and semantic search compares only vectors of the current model once the
//! batch that replaces them commits.

use std::sync::Arc;
use std::time::Duration;

use lucidity_embed::Embedder;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

/// The advisory-lock key that makes re-embedding batches exclusive across workers.
const LOCK_KEY: i64 = 0x6c75_6369_6465_6d62;

/// Passages per batch: a few seconds of work on two cores, so shutdown is never held up long.
const BATCH: i64 = 64;

/// Runs batches while there is work, then checks again every `interval`, until `shutdown`.
pub async fn run(
    db: PgPool,
    embedder: Arc<Embedder>,
    interval: Duration,
    shutdown: CancellationToken,
) {
    loop {
        let mut total = 0;
        loop {
            if shutdown.is_cancelled() {
                return;
            }
            match batch(&db, &embedder).await {
                Ok(0) => break,
                Ok(done) => total += done,
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "re-embedding batch failed");
                    break;
                }
            }
        }
        if total > 0 {
            tracing::info!(
                chunks = total,
                model.id = embedder.model_id(),
                "re-embedded passages"
            );
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// One batch; returns how many passages got a new vector (0 when none is stale, or another
/// worker holds the lock).
pub async fn batch(db: &PgPool, embedder: &Arc<Embedder>) -> anyhow::Result<u64> {
    let mut tx = db.begin().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(&mut *tx)
        .await?;
    if !locked {
        return Ok(0);
    }
    let model = embedder.model_id().to_string();
    let stale = lucidity_db::chunks::list_stale_chunks(&mut *tx, &model, BATCH).await?;
    if stale.is_empty() {
        return Ok(0);
    }

    let model_runner = embedder.clone();
    let bodies: Vec<String> = stale.iter().map(|c| c.body.clone()).collect();
    let vectors = tokio::task::spawn_blocking(move || {
        let texts: Vec<&str> = bodies.iter().map(String::as_str).collect();
        model_runner.embed(&texts)
    })
    .await??;
    let ids: Vec<i64> = stale.iter().map(|c| c.id).collect();
    let done = lucidity_db::chunks::set_embeddings(&mut *tx, &ids, &vectors, &model).await?;
    tx.commit().await?;
    Ok(done)
}
