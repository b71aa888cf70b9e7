//! The work queue: Redis (`CELERY_BROKER_URL` / `REDIS_URL`) or the `queue_jobs` table.
//!
//! Taking a job removes it. Delivery is at least once for the system as a whole because the
//! queue is not the record: a document whose hint is lost (Redis flushed, a worker killed after
//! taking it) still has work to do in its row, and the reconciler sends it again. Workers take
//! the document's lease before working, so a duplicate hint is dropped at no cost.

use std::time::Duration;

use anyhow::Context;
use lucidity_db::ids::DocumentId;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

/// Redis list that holds pending jobs (namespaced: the database may be shared).
const REDIS_LIST: &str = "lucidity:queue:documents";

/// How often an idle PostgreSQL-queue consumer looks for new rows.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The longest blocking pop; longer waits are cut to this.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// How long the popping connection waits for Redis to answer. It must exceed [`MAX_WAIT`]:
/// a client that gave up on a blocking pop the server later completes would lose that job
/// (the reconciler would find it again, but only after `QUEUE_REQUEUE_SECONDS`).
const POP_RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// One hint: this generation of this document may have work to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub document_id: DocumentId,
    pub generation: i32,
}

#[derive(Clone)]
pub enum Queue {
    Postgres(PgPool),
    /// Two connections: a blocking pop holds its connection, so pushes use another.
    Redis {
        push: ConnectionManager,
        pop: ConnectionManager,
    },
}

impl Queue {
    /// Redis when a broker URL is given, PostgreSQL otherwise.
    pub async fn connect(broker_url: Option<&str>, db: PgPool) -> anyhow::Result<Self> {
        let Some(url) = broker_url else {
            return Ok(Self::Postgres(db));
        };
        let client = redis::Client::open(url)
            .context("CELERY_BROKER_URL (or REDIS_URL) is not a usable Redis URL")?;
        let connect = |config: ConnectionManagerConfig| {
            let client = client.clone();
            async move {
                ConnectionManager::new_with_config(client, config)
                    .await
                    .context("cannot reach the Redis queue at CELERY_BROKER_URL (or REDIS_URL)")
            }
        };
        let pop_config =
            ConnectionManagerConfig::new().set_response_timeout(Some(POP_RESPONSE_TIMEOUT));
        let push = connect(ConnectionManagerConfig::new()).await?;
        let pop = connect(pop_config).await?;
        Ok(Self::Redis { push, pop })
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Redis { .. } => "redis",
        }
    }

    pub async fn enqueue(&self, job: Job) -> anyhow::Result<()> {
        match self {
            Self::Postgres(db) => {
                sqlx::query("INSERT INTO queue_jobs (document_id, generation) VALUES ($1, $2)")
                    .bind(job.document_id)
                    .bind(job.generation)
                    .execute(db)
                    .await
                    .context("failed to enqueue in PostgreSQL")?;
            }
            Self::Redis { push, .. } => {
                let payload = serde_json::to_string(&job)?;
                let mut conn = push.clone();
                redis::cmd("LPUSH")
                    .arg(REDIS_LIST)
                    .arg(payload)
                    .query_async::<i64>(&mut conn)
                    .await
                    .context("failed to enqueue in Redis")?;
            }
        }
        Ok(())
    }

    /// The next job, waiting at most `wait`; `None` when none arrived.
    pub async fn next(&self, wait: Duration) -> anyhow::Result<Option<Job>> {
        match self {
            Self::Postgres(db) => next_from_postgres(db, wait).await,
            Self::Redis { pop, .. } => {
                let mut conn = pop.clone();
                let popped: Option<(String, String)> = redis::cmd("BRPOP")
                    .arg(REDIS_LIST)
                    .arg(wait.min(MAX_WAIT).as_secs_f64().max(0.01))
                    .query_async(&mut conn)
                    .await
                    .context("failed to take a job from Redis")?;
                match popped {
                    None => Ok(None),
                    Some((_, payload)) => match serde_json::from_str(&payload) {
                        Ok(job) => Ok(Some(job)),
                        Err(error) => {
                            tracing::warn!(%error, "dropped a malformed queue entry");
                            Ok(None)
                        }
                    },
                }
            }
        }
    }

    /// Jobs waiting (for metrics and the queue-depth warning).
    pub async fn depth(&self) -> anyhow::Result<u64> {
        match self {
            Self::Postgres(db) => {
                let count: i64 = sqlx::query_scalar("SELECT count(*) FROM queue_jobs")
                    .fetch_one(db)
                    .await?;
                Ok(count.max(0) as u64)
            }
            Self::Redis { push, .. } => {
                let mut conn = push.clone();
                Ok(redis::cmd("LLEN")
                    .arg(REDIS_LIST)
                    .query_async(&mut conn)
                    .await?)
            }
        }
    }

    /// Readiness: the backend answers.
    pub async fn check(&self) -> anyhow::Result<()> {
        self.depth().await.map(drop)
    }
}

async fn next_from_postgres(db: &PgPool, wait: Duration) -> anyhow::Result<Option<Job>> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let taken: Option<(DocumentId, i32)> = sqlx::query_as(
            "DELETE FROM queue_jobs WHERE id = ( \
                 SELECT id FROM queue_jobs WHERE available_at <= now() \
                 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) \
             RETURNING document_id, generation",
        )
        .fetch_optional(db)
        .await
        .context("failed to take a job from PostgreSQL")?;
        if let Some((document_id, generation)) = taken {
            return Ok(Some(Job {
                document_id,
                generation,
            }));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
