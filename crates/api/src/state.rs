//! What every request handler shares.

use std::sync::Arc;

use lucidity_common::Config;
use lucidity_queue::{DocumentEvent, Events, Queue};
use lucidity_storage::Storage;
use sqlx::PgPool;
use tokio::sync::broadcast;

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
}
