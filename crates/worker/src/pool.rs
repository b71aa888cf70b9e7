//! The worker's main loop.
//!
//! It takes a job only when one of its `CELERY_CONCURRENCY` slots is free, claims the
//! document's lease (a stale or duplicate job claims nothing and is dropped), and runs the
//! pipeline in a task of its own. On SIGTERM it stops taking jobs and lets running documents
//! finish within `SHUTDOWN_TIMEOUT_SECONDS`; what is still running then is stopped and handed
//! back, so another worker starts it again at once.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lucidity_common::Config;
use lucidity_queue::{Events, Queue};
use sqlx::PgPool;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::pipeline::Pipeline;
use crate::{reconciler, reembed};

/// How long one wait for a job lasts before the loop checks for shutdown again.
const QUEUE_WAIT: Duration = Duration::from_secs(1);

/// Runs until `shutdown` fires and in-flight work is finished or handed back.
pub async fn run(config: Config, db: PgPool, shutdown: CancellationToken) -> anyhow::Result<()> {
    let broker = config
        .redis
        .broker_url
        .as_ref()
        .map(|u| u.expose().to_string());
    let results = config
        .redis
        .result_url
        .as_ref()
        .map(|u| u.expose().to_string());
    let queue = Queue::connect(broker.as_deref(), db.clone()).await?;
    let events = Events::connect(results.as_deref(), db.clone()).await?;
    let pipeline = Arc::new(Pipeline::new(&config, db.clone(), queue.clone(), events).await?);

    let reconciling = tokio::spawn(reconciler::run(
        db.clone(),
        queue.clone(),
        config.pipeline.reconcile_interval,
        config.pipeline.requeue_after,
        shutdown.clone(),
    ));
    let reembedding = tokio::spawn(reembed::run(
        db.clone(),
        pipeline.embedder().clone(),
        config.pipeline.reconcile_interval,
        shutdown.clone(),
    ));
    tracing::info!(
        queue = queue.backend(),
        concurrency = config.worker_concurrency,
        worker = pipeline.worker_id(),
        "worker ready"
    );

    // Cancelled when the grace period after SIGTERM runs out: running documents stop.
    let hand_back = CancellationToken::new();
    let running = take_work(&config, &queue, &pipeline, &shutdown, &hand_back).await;
    finish(running, config.shutdown_timeout, &hand_back).await;
    reconciling.await.context("the reconciler crashed")?;
    reembedding.await.context("re-embedding crashed")?;
    tracing::info!("worker stopped");
    Ok(())
}

async fn take_work(
    config: &Config,
    queue: &Queue,
    pipeline: &Arc<Pipeline>,
    shutdown: &CancellationToken,
    hand_back: &CancellationToken,
) -> JoinSet<()> {
    let slots = Arc::new(Semaphore::new(config.worker_concurrency));
    let mut running = JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let job = tokio::select! {
            _ = shutdown.cancelled() => break,
            job = queue.next(QUEUE_WAIT) => job,
        };
        while running.try_join_next().is_some() {}

        let job = match job {
            Ok(Some(job)) => job,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "queue unavailable; retrying");
                tokio::time::sleep(QUEUE_WAIT).await;
                continue;
            }
        };
        match pipeline.claim(job).await {
            Ok(Some(claimed)) => {
                let (pipeline, stop) = (pipeline.clone(), hand_back.clone());
                running.spawn(async move {
                    pipeline.process(claimed, stop).await;
                    drop(permit);
                });
            }
            Ok(None) => tracing::debug!(document.id = %job.document_id, "job has no work"),
            Err(error) => tracing::warn!(error = format!("{error:#}"), "claim failed"),
        }
    }
    running
}

/// Waits for running documents; past the grace period, tells them to stop and hand back.
async fn finish(mut running: JoinSet<()>, grace: Duration, hand_back: &CancellationToken) {
    if running.is_empty() {
        return;
    }
    tracing::info!(documents = running.len(), "finishing documents in flight");
    let drained = tokio::time::timeout(grace, async {
        while running.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            documents = running.len(),
            "grace period over; handing documents back"
        );
        hand_back.cancel();
        while running.join_next().await.is_some() {}
    }
}

/// The lease renewal period: a third of the lease, so two renewals can fail before it lapses.
pub(crate) fn renewal_period(lease: Duration) -> Duration {
    (lease / 3).max(Duration::from_millis(200))
}
