//! Originals between storage (POSIX or S3) and a backup directory. Each is copied through
//! the same `Storage` interface the API and workers use, under its storage key, and checked
//! against the SHA-256 its document recorded at upload.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt, stream};
use lucidity_storage::{Storage, StorageError, StorageKey};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::manifest::original_path;

/// Originals copied at once: EFS and S3 are latency-bound, so a few requests in flight
/// multiply throughput, and more would only add memory and load.
const ORIGINALS_IN_FLIGHT: usize = 8;

/// One document's original as the database snapshot records it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Original {
    pub id: Uuid,
    pub storage_key: String,
    pub sha256: Vec<u8>,
}

/// What copying one original out of storage found.
#[derive(Debug)]
pub enum Outcome {
    /// Copied and matching its SHA-256, at `path` (relative to the backup directory).
    Copied {
        path: String,
        sha256: String,
        bytes: u64,
    },
    /// No object under its key: deleted since the snapshot, or lost.
    NotInStorage,
    /// The stored bytes differ from the SHA-256 recorded at upload; nothing was kept.
    Differs,
}

/// Copies every original into `dir`, returning each document with its outcome. Storage that
/// cannot be read at all (unreachable, access denied) fails the whole copy.
pub async fn copy_out(
    storage: &Storage,
    dir: &Path,
    originals: Vec<Original>,
) -> anyhow::Result<Vec<(Original, Outcome)>> {
    stream::iter(originals)
        .map(|original| async move {
            let outcome = copy_one_out(storage, dir, &original).await?;
            anyhow::Ok((original, outcome))
        })
        .buffer_unordered(ORIGINALS_IN_FLIGHT)
        .try_collect()
        .await
}

async fn copy_one_out(
    storage: &Storage,
    dir: &Path,
    original: &Original,
) -> anyhow::Result<Outcome> {
    let key = StorageKey::new(&original.storage_key)
        .with_context(|| format!("document {} has an invalid storage key", original.id))?;
    let mut chunks = match storage.get_stream(&key).await {
        Ok((_, chunks)) => chunks,
        Err(StorageError::NotFound { .. }) => return Ok(Outcome::NotInStorage),
        Err(error) => return Err(error).context("cannot read an original from storage"),
    };

    let relative = original_path(key.as_str());
    let path = dir.join(&relative);
    let mut file = create_private_file(&path).await?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.with_context(|| format!("cannot read the original {key}"))?;
        hasher.update(&chunk);
        file.write_all(&chunk)
            .await
            .with_context(|| format!("cannot write {}", path.display()))?;
        bytes += chunk.len() as u64;
    }
    file.sync_all()
        .await
        .with_context(|| format!("cannot flush {}", path.display()))?;

    let digest = hasher.finalize();
    if digest[..] != original.sha256[..] {
        tokio::fs::remove_file(&path)
            .await
            .with_context(|| format!("cannot remove {}", path.display()))?;
        return Ok(Outcome::Differs);
    }
    Ok(Outcome::Copied {
        path: relative,
        sha256: hex::encode(digest),
        bytes,
    })
}

/// Stores each `(key, file)` pair, several at once; returns the bytes written.
pub async fn copy_in(storage: &Storage, files: Vec<(StorageKey, PathBuf)>) -> anyhow::Result<u64> {
    let sizes: Vec<u64> = stream::iter(files)
        .map(|(key, file)| async move {
            storage
                .put_file(&key, &file)
                .await
                .with_context(|| format!("cannot store the original {key}"))
        })
        .buffer_unordered(ORIGINALS_IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(sizes.iter().sum())
}

/// A new file readable by its owner only, in directories likewise private: a backup holds
/// every contract.
pub async fn create_private_file(path: &Path) -> anyhow::Result<tokio::fs::File> {
    if let Some(parent) = path.parent() {
        create_private_dirs(parent).await?;
    }
    tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .await
        .with_context(|| format!("cannot create {}", path.display()))
}

pub async fn create_private_dirs(path: &Path) -> anyhow::Result<()> {
    tokio::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .await
        .with_context(|| format!("cannot create the directory {}", path.display()))
}

/// A new private file as a std handle, to become a child process's output.
pub fn create_private_std_file(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}
