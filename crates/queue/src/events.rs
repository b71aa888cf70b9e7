//! Live document events: a worker publishes each status change; every API instance receives
//! every event and hands it to the Server-Sent Events streams of its own clients.
//!
//! Redis pub/sub carries them when `CELERY_RESULT_BACKEND` (or `REDIS_URL`) is set, PostgreSQL
//! `NOTIFY` otherwise. Events are notifications only: a client that misses one reads the
//! document's current state from the API.

use anyhow::Context;
use futures_util::StreamExt;
use lucidity_db::ids::{DocumentId, ProjectId};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio::sync::broadcast;

/// The Redis channel and the PostgreSQL NOTIFY channel.
const CHANNEL: &str = "lucidity_document_events";

/// Events buffered per subscriber before a slow one starts missing some.
const BUFFER: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentEvent {
    pub document_id: DocumentId,
    pub project_id: ProjectId,
    pub status: String,
    /// Set when `status` is `failed` or a retry is scheduled: the readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Clone)]
pub enum Events {
    Postgres(PgPool),
    /// The publishing connection, and the client subscriptions are opened from (boxed: the
    /// client is large and events are cloned into every API handler's state).
    Redis(redis::aio::ConnectionManager, Box<redis::Client>),
}

impl Events {
    pub async fn connect(url: Option<&str>, db: PgPool) -> anyhow::Result<Self> {
        let Some(url) = url else {
            return Ok(Self::Postgres(db));
        };
        let client = redis::Client::open(url)
            .context("CELERY_RESULT_BACKEND (or REDIS_URL) is not a usable Redis URL")?;
        let conn = redis::aio::ConnectionManager::new(client.clone())
            .await
            .context("cannot reach Redis for live events")?;
        Ok(Self::Redis(conn, Box::new(client)))
    }

    /// Publishes an event; a failure is logged, never fatal: the state is in the database.
    pub async fn publish(&self, event: &DocumentEvent) {
        let payload = match serde_json::to_string(event) {
            Ok(payload) => payload,
            Err(error) => return tracing::warn!(%error, "cannot encode an event"),
        };
        let result = match self {
            Self::Postgres(db) => sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(db)
                .await
                .map(drop)
                .map_err(anyhow::Error::from),
            Self::Redis(conn, _) => {
                let mut conn = conn.clone();
                redis::cmd("PUBLISH")
                    .arg(CHANNEL)
                    .arg(&payload)
                    .query_async::<i64>(&mut conn)
                    .await
                    .map(drop)
                    .map_err(anyhow::Error::from)
            }
        };
        if let Err(error) = result {
            tracing::warn!(
                error = format!("{error:#}"),
                "could not publish a document event"
            );
        }
    }

    /// Starts a background listener and returns the sender its events go to; subscribe to
    /// it for each client. The listener reconnects after failures.
    pub fn listen(&self) -> broadcast::Sender<DocumentEvent> {
        let (sender, _) = broadcast::channel(BUFFER);
        let events = self.clone();
        let forward = sender.clone();
        tokio::spawn(async move {
            loop {
                let result = match &events {
                    Events::Postgres(db) => listen_postgres(db, &forward).await,
                    Events::Redis(_, client) => listen_redis(client, &forward).await,
                };
                if let Err(error) = result {
                    tracing::warn!(error = format!("{error:#}"), "event listener restarting");
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
        sender
    }
}

async fn listen_postgres(
    db: &PgPool,
    forward: &broadcast::Sender<DocumentEvent>,
) -> anyhow::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect_with(db).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let notification = listener.recv().await?;
        deliver(notification.payload(), forward);
    }
}

async fn listen_redis(
    client: &redis::Client,
    forward: &broadcast::Sender<DocumentEvent>,
) -> anyhow::Result<()> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(CHANNEL).await?;
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        let payload: String = message.get_payload()?;
        deliver(&payload, forward);
    }
    anyhow::bail!("the Redis subscription ended")
}

fn deliver(payload: &str, forward: &broadcast::Sender<DocumentEvent>) {
    match serde_json::from_str::<DocumentEvent>(payload) {
        // No receiver is normal: nobody is watching right now.
        Ok(event) => drop(forward.send(event)),
        Err(error) => tracing::warn!(%error, "dropped a malformed event"),
    }
}
