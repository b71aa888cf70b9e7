//! Where uploaded originals live: written once by the API, read by workers and downloads,
//! deleted with their document. [`Storage`] is one interface over a POSIX directory
//! (`STORAGE_PATH`, e.g. an EFS mount) or an S3 bucket. Layout: `config` (variables), `key`
//! (validated keys), `posix` and `s3` (the backends; `s3::transport`, its HTTPS), `error`.

mod config;
mod error;
mod key;
mod posix;
mod s3;

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use tracing::Instrument;

pub use config::{
    DEFAULT_S3_PART_SIZE_MB, DEFAULT_S3_REGION, MAX_S3_PART_SIZE_MB, MIN_S3_PART_SIZE_MB,
    PosixConfig, S3Config, S3Credentials, SecretString, StorageConfig, VARIABLE_NAMES,
};
pub use error::{BoxError, StorageError};
pub use key::{MAX_KEY_BYTES, StorageKey};

use posix::PosixStore;
use s3::S3Store;

/// The bytes of a stored original, in chunks, for streaming a download.
pub type ByteStream = BoxStream<'static, io::Result<Bytes>>;

/// The storage of originals; cheap to clone and share between tasks.
#[derive(Debug, Clone)]
pub struct Storage {
    backend: Arc<Backend>,
}

#[derive(Debug)]
enum Backend {
    Posix(PosixStore),
    S3(S3Store),
}

impl Storage {
    /// Opens the configured backend. POSIX creates its root directory when missing; S3 only
    /// builds its client (call [`Storage::check`] to reach the bucket).
    pub async fn open(config: &StorageConfig) -> Result<Self, StorageError> {
        let backend = match config {
            StorageConfig::Posix(posix) => Backend::Posix(PosixStore::open(&posix.root).await?),
            StorageConfig::S3(s3) => Backend::S3(S3Store::open(s3)?),
        };
        Ok(Self {
            backend: Arc::new(backend),
        })
    }

    /// `posix:<root>` or `s3://<bucket>/<prefix>` (with a custom endpoint after `at`); never
    /// a credential.
    pub fn describe(&self) -> String {
        match &*self.backend {
            Backend::Posix(store) => format!("posix:{}", store.root().display()),
            Backend::S3(store) => store.describe(),
        }
    }

    /// Stores the file at `source` under `key`, replacing any previous object; returns its
    /// size in bytes. Atomic: readers see the old object or the whole new one, never part.
    /// `source` is the caller's staging file: it is only read, and the caller removes it.
    pub async fn put_file(&self, key: &StorageKey, source: &Path) -> Result<u64, StorageError> {
        let span = tracing::debug_span!("storage.put", storage.key = %key);
        let stored = match &*self.backend {
            Backend::Posix(store) => store.put_file(key, source).instrument(span).await,
            Backend::S3(store) => store.put_file(key, source).instrument(span).await,
        };
        if let Ok(bytes) = stored {
            tracing::debug!(storage.key = %key, bytes, "stored an original");
        }
        stored
    }

    /// Copies the object under `key` into the file `dest` (created or truncated), such as a
    /// worker's scratch file; returns its size in bytes. On failure `dest` is removed.
    pub async fn get_to_file(&self, key: &StorageKey, dest: &Path) -> Result<u64, StorageError> {
        let span = tracing::debug_span!("storage.get", storage.key = %key);
        match &*self.backend {
            Backend::Posix(store) => store.get_to_file(key, dest).instrument(span).await,
            Backend::S3(store) => store.get_to_file(key, dest).instrument(span).await,
        }
    }

    /// The object's size in bytes and its contents as a stream, for a download response.
    pub async fn get_stream(&self, key: &StorageKey) -> Result<(u64, ByteStream), StorageError> {
        let span = tracing::debug_span!("storage.get_stream", storage.key = %key);
        match &*self.backend {
            Backend::Posix(store) => store.get_stream(key).instrument(span).await,
            Backend::S3(store) => store.get_stream(key).instrument(span).await,
        }
    }

    /// Removes the object; removing a missing one succeeds, so retries are harmless.
    pub async fn delete(&self, key: &StorageKey) -> Result<(), StorageError> {
        let span = tracing::debug_span!("storage.delete", storage.key = %key);
        match &*self.backend {
            Backend::Posix(store) => store.delete(key).instrument(span).await,
            Backend::S3(store) => store.delete(key).instrument(span).await,
        }
    }

    pub async fn exists(&self, key: &StorageKey) -> Result<bool, StorageError> {
        let span = tracing::debug_span!("storage.exists", storage.key = %key);
        match &*self.backend {
            Backend::Posix(store) => store.exists(key).instrument(span).await,
            Backend::S3(store) => store.exists(key).instrument(span).await,
        }
    }

    /// Readiness: writes and removes a probe (a hidden file in the root, or a hidden object
    /// under the prefix), proving the storage is reachable and writable.
    pub async fn check(&self) -> Result<(), StorageError> {
        let span = tracing::debug_span!("storage.check");
        match &*self.backend {
            Backend::Posix(store) => store.check().instrument(span).await,
            Backend::S3(store) => store.check().instrument(span).await,
        }
    }

    /// Removes partial files older than `min_age` that interrupted POSIX writes left behind;
    /// returns how many. `min_age` must exceed the longest upload, since younger partial files
    /// may still be being written. On S3 this does nothing and returns 0: incomplete
    /// multipart uploads are cleaned by the bucket's `AbortIncompleteMultipartUpload`
    /// lifecycle rule.
    pub async fn sweep_partials(&self, min_age: Duration) -> Result<u64, StorageError> {
        match &*self.backend {
            Backend::Posix(store) => store.sweep_partials(min_age).await,
            Backend::S3(_) => Ok(0),
        }
    }
}
