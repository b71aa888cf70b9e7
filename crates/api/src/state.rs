//! What every request handler shares.

use std::path::PathBuf;
use std::sync::Arc;

use lucidity_common::Config;
use lucidity_embed::Embedder;
use lucidity_queue::{DocumentEvent, Events, Queue};
use lucidity_storage::Storage;
use sqlx::PgPool;
use tokio::sync::{OnceCell, broadcast};

use crate::metrics::Metrics;
use crate::throttle::Throttle;
use crate::tokens::TokenKeys;

/// Cheap to clone: every field is a handle.
#[derive(Clone)]
pub struct AppState {
    /// The database: the source of truth for users, grants and sessions on every request.
    pub db: PgPool,
    pub config: Arc<Config>,
    /// Signing and verification keys for access tokens, built once from `JWT_SECRET_KEY`.
    pub keys: Arc<TokenKeys>,
    /// Failed-login counters, in Redis when configured so every API instance sees them.
    pub throttle: Arc<Throttle>,
    /// Redis for readiness checks and shared counters; `None` on the Postgres-only default.
    pub redis: Option<redis::aio::ConnectionManager>,
    pub metrics: Arc<Metrics>,
    /// Where originals are stored: `STORAGE_PATH` or S3.
    pub storage: Storage,
    /// Where new documents are announced to workers.
    pub queue: Queue,
    /// Publishes document events (uploads, deletions) to every API instance.
    pub events: Events,
    /// Every document event any process published, for this instance's live streams.
    pub live: broadcast::Sender<DocumentEvent>,
    /// The embedding model for search queries, loaded on the first semantic search.
    pub query_embedder: Arc<QueryEmbedder>,
}

/// The sentence-embedding model, loaded on first use: an API instance that never serves a
/// semantic search never pays its memory, and a missing model makes semantic search answer
/// 503 instead of stopping the API.
pub struct QueryEmbedder {
    dir: PathBuf,
    model: OnceCell<Arc<Embedder>>,
}

impl QueryEmbedder {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            model: OnceCell::new(),
        }
    }

    /// The model, loading it on first use; a failed load is retried on the next call.
    pub async fn get(&self) -> anyhow::Result<Arc<Embedder>> {
        let dir = self.dir.clone();
        let model = self
            .model
            .get_or_try_init(|| async move {
                // One thread: a query is a few words, and requests run side by side.
                let options = lucidity_embed::Options {
                    intra_threads: 1,
                    ..lucidity_embed::Options::default()
                };
                let load = move || Embedder::load_with(&dir, options);
                let loaded = tokio::task::spawn_blocking(load).await??;
                Ok::<_, anyhow::Error>(Arc::new(loaded))
            })
            .await?;
        Ok(model.clone())
    }
}
