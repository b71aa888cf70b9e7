//! The S3 backend: objects in one bucket under an optional prefix, through object_store.
//! Uploads stream from the caller's file: one PUT up to a part's size, else a multipart upload
//! with at most [`MAX_PARTS_IN_FLIGHT`] parts in flight, so memory per upload stays near
//! `(MAX_PARTS_IN_FLIGHT + 1) x S3_PART_SIZE_MB`. S3 shows an object only once it is complete.

mod transport;

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::{S3Config, S3Credentials};
use crate::error::StorageError;
use crate::{ByteStream, StorageKey};
use transport::RustlsConnector;

/// Parts uploading at once for one file: enough to keep a link busy, few enough to bound
/// memory.
pub(crate) const MAX_PARTS_IN_FLIGHT: usize = 2;

/// The object `check` writes and deletes; its leading dot keeps it apart from every key.
const PROBE_NAME: &str = ".lucidity-readiness-probe";

/// Retries of failed requests (5xx, connection errors, timeouts). Fewer than object_store's
/// default (10 within 3 minutes) so a readiness check against a dead server answers quickly.
const MAX_RETRIES: usize = 3;

/// Time after which a failing request is no longer retried.
const RETRY_TIMEOUT_SECS: u64 = 30;

/// S3 error codes that mean "these credentials may not do this", whatever the status.
/// They are read from the error response body that object_store includes in its message.
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
];

#[derive(Clone)]
pub(crate) struct S3Store {
    inner: Arc<Inner>,
}

struct Inner {
    store: AmazonS3,
    bucket: String,
    prefix: Option<String>,
    endpoint: Option<String>,
    part_size_bytes: usize,
}

impl S3Store {
    /// Builds the client; nothing is sent until the first operation.
    pub(crate) fn open(config: &S3Config) -> Result<Self, StorageError> {
        let connector = RustlsConnector::new(config.ca_bundle.as_deref(), needs_tls(config))?;
        let builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_http_connector(connector)
            .with_retry(retry_config());
        let builder = with_addressing(builder, config);
        let builder = with_credentials(builder, &config.credentials);

        let store = builder.build().map_err(|e| StorageError::S3Setup {
            reason: "invalid S3 settings".to_string(),
            source: Some(Box::new(e)),
        })?;
        let inner = Inner {
            store,
            bucket: config.bucket.clone(),
            prefix: config.prefix.clone(),
            endpoint: config.endpoint.clone(),
            part_size_bytes: config.part_size_bytes,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// `s3://bucket/prefix`, and the endpoint when it is not AWS.
    pub(crate) fn describe(&self) -> String {
        let inner = &self.inner;
        let mut description = format!("s3://{}", inner.bucket);
        if let Some(prefix) = &inner.prefix {
            description = format!("{description}/{prefix}");
        }
        if let Some(endpoint) = &inner.endpoint {
            description = format!("{description} at {endpoint}");
        }
        description
    }

    fn path_of(&self, key: &StorageKey) -> ObjectPath {
        self.under_prefix(key.as_str())
    }

    fn under_prefix(&self, name: &str) -> ObjectPath {
        match &self.inner.prefix {
            Some(prefix) => ObjectPath::from(format!("{prefix}/{name}")),
            None => ObjectPath::from(name),
        }
    }

    pub(crate) async fn put_file(
        &self,
        key: &StorageKey,
        source: &Path,
    ) -> Result<u64, StorageError> {
        let mut file = tokio::fs::File::open(source)
            .await
            .map_err(|e| read_source_error(source, e))?;
        let path = self.path_of(key);
        let part_size = self.inner.part_size_bytes;

        let first = read_part(&mut file, source, part_size).await?;
        if first.len() < part_size {
            let bytes = first.len() as u64;
            let payload = PutPayload::from_bytes(first);
            let put = self.inner.store.put(&path, payload).await;
            put.map_err(|e| self.error("upload an object", Some(key), e))?;
            return Ok(bytes);
        }

        self.put_multipart(key, &path, first, &mut file, source)
            .await
    }

    /// Uploads `first` and the rest of `file` as parts; aborts the upload on failure so no
    /// parts are left behind.
    async fn put_multipart(
        &self,
        key: &StorageKey,
        path: &ObjectPath,
        first: Bytes,
        file: &mut tokio::fs::File,
        source: &Path,
    ) -> Result<u64, StorageError> {
        let started = self.inner.store.put_multipart(path).await;
        let upload = started.map_err(|e| self.error("start a multipart upload", Some(key), e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.inner.part_size_bytes);

        let sent = self.send_parts(key, &mut writer, first, file, source).await;
        let bytes = match sent {
            Ok(bytes) => bytes,
            Err(error) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(storage.key = %key, error = %abort, "cannot abort an upload");
                }
                return Err(error);
            }
        };

        let finished = writer.finish().await;
        finished.map_err(|e| self.error("complete a multipart upload", Some(key), e))?;
        Ok(bytes)
    }

    async fn send_parts(
        &self,
        key: &StorageKey,
        writer: &mut WriteMultipart,
        first: Bytes,
        file: &mut tokio::fs::File,
        source: &Path,
    ) -> Result<u64, StorageError> {
        let mut bytes = first.len() as u64;
        writer.put(first);
        loop {
            let waited = writer.wait_for_capacity(MAX_PARTS_IN_FLIGHT).await;
            waited.map_err(|e| self.error("upload a part", Some(key), e))?;

            let part = read_part(file, source, self.inner.part_size_bytes).await?;
            if part.is_empty() {
                return Ok(bytes);
            }
            bytes += part.len() as u64;
            writer.put(part);
        }
    }

    /// Downloads to the caller's `dest`, removing it on failure.
    pub(crate) async fn get_to_file(
        &self,
        key: &StorageKey,
        dest: &Path,
    ) -> Result<u64, StorageError> {
        let (expected, stream) = self.get_stream(key).await?;
        let written = write_stream(stream, dest).await;
        let result = match written {
            Ok(bytes) if bytes == expected => Ok(bytes),
            Ok(bytes) => Err(self.download_error(truncated(bytes, expected))),
            Err(DownloadError::Stream(e)) => Err(self.download_error(e)),
            Err(DownloadError::Write(source)) => Err(StorageError::WriteDestination {
                path: dest.to_path_buf(),
                source,
            }),
        };

        if result.is_err() {
            let _ = tokio::fs::remove_file(dest).await;
        }
        result
    }

    pub(crate) async fn get_stream(
        &self,
        key: &StorageKey,
    ) -> Result<(u64, ByteStream), StorageError> {
        let got = self.inner.store.get(&self.path_of(key)).await;
        let got = got.map_err(|e| self.error("download an object", Some(key), e))?;

        let size = got.meta.size;
        let stream = got.into_stream().map_err(io::Error::other).boxed();
        Ok((size, stream))
    }

    /// Deleting a missing object succeeds, on S3 and here.
    pub(crate) async fn delete(&self, key: &StorageKey) -> Result<(), StorageError> {
        match self.inner.store.delete(&self.path_of(key)).await {
            Ok(()) => Ok(()),
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error("delete an object", Some(key), e)),
        }
    }

    /// A HEAD request. S3 answers a missing bucket like a missing object here (a HEAD
    /// response has no body to tell them apart), so a missing bucket reads as `false`; `check`
    /// reports it.
    pub(crate) async fn exists(&self, key: &StorageKey) -> Result<bool, StorageError> {
        match self.inner.store.head(&self.path_of(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.error("look up an object", Some(key), e)),
        }
    }

    /// Writes and deletes a small probe object: proves the bucket exists and the credentials
    /// may write and delete. In a versioned bucket each check leaves a noncurrent version.
    pub(crate) async fn check(&self) -> Result<(), StorageError> {
        let probe = self.under_prefix(PROBE_NAME);
        let payload = PutPayload::from_static(b"probe");

        let put = self.inner.store.put(&probe, payload).await;
        put.map_err(|e| self.error("write the readiness probe", None, e))?;
        match self.inner.store.delete(&probe).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error("delete the readiness probe", None, e)),
        }
    }

    /// Sorts an object_store error into the cause it shows: a missing bucket, refused
    /// credentials, a missing object, or anything else.
    fn error(
        &self,
        action: &'static str,
        key: Option<&StorageKey>,
        error: object_store::Error,
    ) -> StorageError {
        let bucket = self.inner.bucket.clone();
        let text = error.to_string();
        let has_code = |code: &str| text.contains(&format!("<Code>{code}</Code>"));
        let denied = DENIED_CODES.iter().any(|code| has_code(code));

        if has_code("NoSuchBucket") {
            return StorageError::BucketNotFound {
                bucket,
                source: Box::new(error),
            };
        }
        match (&error, key) {
            (object_store::Error::NotFound { .. }, Some(key)) => StorageError::NotFound {
                key: key.to_string(),
            },
            (object_store::Error::PermissionDenied { .. }, _)
            | (object_store::Error::Unauthenticated { .. }, _) => StorageError::AccessDenied {
                action,
                bucket,
                source: Box::new(error),
            },
            _ if denied => StorageError::AccessDenied {
                action,
                bucket,
                source: Box::new(error),
            },
            _ => StorageError::ObjectStore {
                action,
                bucket,
                source: Box::new(error),
            },
        }
    }

    fn download_error(&self, error: io::Error) -> StorageError {
        StorageError::ObjectStore {
            action: "download an object",
            bucket: self.inner.bucket.clone(),
            source: Box::new(error),
        }
    }
}

/// Shows where, never how: the client's credential providers stay out of `Debug`.
impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store")
            .field("bucket", &self.inner.bucket)
            .field("prefix", &self.inner.prefix)
            .field("endpoint", &self.inner.endpoint)
            .finish_non_exhaustive()
    }
}

/// TLS roots are required unless every server is reached over plain HTTP.
fn needs_tls(config: &S3Config) -> bool {
    let plain_endpoint = config
        .endpoint
        .as_deref()
        .is_some_and(|endpoint| endpoint.starts_with("http://"));
    let uses_sts = matches!(config.credentials, S3Credentials::WebIdentity { .. });
    !plain_endpoint || uses_sts
}

fn retry_config() -> RetryConfig {
    RetryConfig {
        max_retries: MAX_RETRIES,
        retry_timeout: std::time::Duration::from_secs(RETRY_TIMEOUT_SECS),
        ..RetryConfig::default()
    }
}

/// Path-style for a custom endpoint (what MinIO and most S3-compatible servers expect) and
/// for AWS bucket names with dots (which break virtual-hosted TLS names); virtual-hosted
/// style otherwise, as AWS recommends.
fn with_addressing(builder: AmazonS3Builder, config: &S3Config) -> AmazonS3Builder {
    match &config.endpoint {
        Some(endpoint) => builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false),
        None => builder.with_virtual_hosted_style_request(!config.bucket.contains('.')),
    }
}

fn with_credentials(builder: AmazonS3Builder, credentials: &S3Credentials) -> AmazonS3Builder {
    match credentials {
        S3Credentials::Static {
            access_key_id,
            secret_access_key,
            session_token,
        } => {
            let builder = builder
                .with_access_key_id(access_key_id)
                .with_secret_access_key(secret_access_key.expose());
            match session_token {
                Some(token) => builder.with_token(token.expose()),
                None => builder,
            }
        }
        S3Credentials::EcsTaskRole { relative_uri } => builder.with_config(
            AmazonS3ConfigKey::ContainerCredentialsRelativeUri,
            relative_uri.expose(),
        ),
        S3Credentials::ContainerEndpoint {
            full_uri,
            token_file,
        } => builder
            .with_config(AmazonS3ConfigKey::ContainerCredentialsFullUri, full_uri)
            .with_config(
                AmazonS3ConfigKey::ContainerAuthorizationTokenFile,
                token_file.to_string_lossy(),
            ),
        S3Credentials::WebIdentity {
            token_file,
            role_arn,
            session_name,
        } => {
            let builder = builder
                .with_config(
                    AmazonS3ConfigKey::WebIdentityTokenFile,
                    token_file.to_string_lossy(),
                )
                .with_config(AmazonS3ConfigKey::RoleArn, role_arn);
            match session_name {
                Some(name) => builder.with_config(AmazonS3ConfigKey::RoleSessionName, name),
                None => builder,
            }
        }
        S3Credentials::InstanceProfile => builder,
    }
}

/// Reads up to `part_size` bytes; fewer only at the end of the file.
async fn read_part(
    file: &mut tokio::fs::File,
    source: &Path,
    part_size: usize,
) -> Result<Bytes, StorageError> {
    let mut buffer = BytesMut::with_capacity(part_size);
    while buffer.len() < part_size {
        let read = file.read_buf(&mut buffer).await;
        match read.map_err(|e| read_source_error(source, e))? {
            0 => break,
            _ => continue,
        }
    }
    Ok(buffer.freeze())
}

enum DownloadError {
    Stream(io::Error),
    Write(io::Error),
}

async fn write_stream(mut stream: ByteStream, dest: &Path) -> Result<u64, DownloadError> {
    let mut file = tokio::fs::File::create(dest)
        .await
        .map_err(DownloadError::Write)?;
    let mut bytes = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(DownloadError::Stream)?;
        file.write_all(&chunk).await.map_err(DownloadError::Write)?;
        bytes += chunk.len() as u64;
    }
    file.flush().await.map_err(DownloadError::Write)?;
    Ok(bytes)
}

fn truncated(received: u64, expected: u64) -> io::Error {
    let message = format!("download ended after {received} of {expected} bytes");
    io::Error::new(io::ErrorKind::UnexpectedEof, message)
}

fn read_source_error(source: &Path, error: io::Error) -> StorageError {
    StorageError::ReadSource {
        path: source.to_path_buf(),
        source: error,
    }
}
