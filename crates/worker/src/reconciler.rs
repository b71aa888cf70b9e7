//! The reconciler: finds documents with work to do that nobody holds and that the queue has
//! not carried recently (Redis flushed or restarted, a worker killed after taking the job, a
//! retry whose back-off ended), and sends them to the queue again.
//!
//! Every worker runs it; a PostgreSQL advisory lock lets one pass run at a time, and the
//! documents it sends are marked so the next pass does not send them again at once.

use std::time::Duration;

use lucidity_queue::{Job, Queue};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

/// The advisory-lock key that makes reconciler passes exclusive across workers.
const LOCK_KEY: i64 = 0x6c75_6369_6469_7479;

/// Documents sent per pass; the next pass takes the rest.
const BATCH: i64 = 500;

/// Runs passes every `interval` until `shutdown`.
pub async fn run(
    db: PgPool,
    queue: Queue,
    interval: Duration,
    requeue_after: Duration,
    shutdown: CancellationToken,
) {
    loop {
        match pass(&db, &queue, requeue_after).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(documents = sent, "reconciler re-sent documents"),
            Err(error) => tracing::warn!(error = format!("{error:#}"), "reconciler pass failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// One pass; returns how many documents were sent.
pub async fn pass(db: &PgPool, queue: &Queue, requeue_after: Duration) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(&mut *tx)
        .await?;
    if !locked {
        return Ok(0);
    }

    let secs = requeue_after.as_secs() as i64;
    let due = lucidity_db::documents::take_orphans(&mut *tx, secs, BATCH).await?;
    tx.commit().await?;
    for (document_id, generation) in &due {
        queue
            .enqueue(Job {
                document_id: *document_id,
                generation: *generation,
            })
            .await?;
    }
    Ok(due.len())
}
