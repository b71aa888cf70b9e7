//! What can go wrong with storage, one variant per cause.
//!
//! Messages name the key, path or bucket concerned and never carry file contents or
//! credentials; the underlying error is the `source`, for logging with the cause chain.

use std::error::Error as StdError;
use std::io;
use std::path::PathBuf;

/// A boxed underlying error, so that backend crates stay out of this crate's public API.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The key breaks the key rules (see [`crate::StorageKey`]); nothing was touched.
    #[error("invalid storage key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },

    /// No object is stored under the key.
    #[error("no stored object under key {key}")]
    NotFound { key: String },

    /// The caller's source file could not be opened or read.
    #[error("cannot read the source file {}", path.display())]
    ReadSource {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The caller's destination file could not be created or written.
    #[error("cannot write the destination file {}", path.display())]
    WriteDestination {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// A filesystem operation under the POSIX storage root failed.
    #[error("storage filesystem: cannot {action} {}", path.display())]
    Filesystem {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The configured bucket does not exist on the S3 server.
    #[error("S3 bucket {bucket:?} does not exist: check S3_BUCKET, S3_REGION and S3_ENDPOINT_URL")]
    BucketNotFound {
        bucket: String,
        #[source]
        source: BoxError,
    },

    /// The S3 server refused the credentials, or they lack a permission the operation needs.
    #[error("S3 denied {action} in bucket {bucket:?}: check the credentials and their permissions")]
    AccessDenied {
        action: &'static str,
        bucket: String,
        #[source]
        source: BoxError,
    },

    /// Any other S3 failure: the server unreachable, a timeout, a server error.
    #[error("S3 request failed: cannot {action} in bucket {bucket:?}")]
    ObjectStore {
        action: &'static str,
        bucket: String,
        #[source]
        source: BoxError,
    },

    /// The S3 client could not be built: trusted certificates, the CA bundle, the settings.
    #[error("cannot set up the S3 client: {reason}")]
    S3Setup {
        reason: String,
        #[source]
        source: Option<BoxError>,
    },
}
