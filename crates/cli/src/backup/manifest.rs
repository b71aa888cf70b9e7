//! What a backup holds, and the checksums that prove it is whole.
//!
//! `SHA256SUMS` lists the SHA-256 of the dump and of every original in the format
//! `sha256sum -c` reads; `manifest.json` describes the backup and carries the digest of
//! `SHA256SUMS`, so one verified file vouches for every other. The manifest is written last.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The manifest's layout version; a restore refuses any other.
pub const FORMAT: u32 = 1;

pub const MANIFEST_FILE: &str = "manifest.json";
pub const CHECKSUMS_FILE: &str = "SHA256SUMS";
pub const DUMP_FILE: &str = "database.dump";
/// Originals sit under this directory by their storage key, as under `STORAGE_PATH`.
pub const ORIGINALS_DIR: &str = "storage";

/// Read buffer for hashing: large enough for sequential I/O at full speed.
const HASH_BUFFER_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: DateTime<Utc>,
    /// The `lucidity` version that took the backup.
    pub product_version: String,
    /// The newest migration applied to the database backed up.
    pub migration_version: i64,
    /// The PostgreSQL server's `server_version`.
    pub postgres_version: String,
    /// Where the database was (host, port and name, or the embedded data directory).
    pub database_source: String,
    /// Where the originals were (`posix:<root>` or `s3://<bucket>/<prefix>`).
    pub storage_source: String,
    /// Rows in the dump, compared after a restore.
    pub counts: Counts,
    pub database: FileDigest,
    pub originals: Originals,
    /// The digest of `SHA256SUMS`.
    pub checksums: FileDigest,
    /// Documents in the dump deleted by a user while the originals were being copied: a
    /// restore removes them too, since their originals are gone.
    pub deleted_during_backup: Vec<Uuid>,
    /// Documents whose original was missing from storage or differed from the SHA-256
    /// recorded at upload; they are restored without one.
    pub missing_originals: Vec<MissingOriginal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub documents: i64,
    pub findings: i64,
    pub chunks: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Originals {
    pub count: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingOriginal {
    pub document_id: Uuid,
    pub storage_key: String,
    pub reason: String,
}

/// The lines of `SHA256SUMS`: path relative to the backup directory, and its hex digest.
pub type Checksums = BTreeMap<String, String>;

/// `SHA256SUMS` in `sha256sum`'s text format, sorted by path.
pub fn format_checksums(checksums: &Checksums) -> String {
    checksums
        .iter()
        .map(|(path, digest)| format!("{digest}  {path}\n"))
        .collect()
}

pub fn parse_checksums(text: &str) -> anyhow::Result<Checksums> {
    let mut checksums = Checksums::new();
    for (number, line) in text.lines().enumerate() {
        let parsed = line
            .split_once("  ")
            .filter(|(digest, path)| is_sha256_hex(digest) && is_safe_relative_path(path));
        let Some((digest, path)) = parsed else {
            bail!(
                "{CHECKSUMS_FILE} line {} is not `<sha256>  <path>`",
                number + 1
            );
        };
        if checksums
            .insert(path.to_string(), digest.to_string())
            .is_some()
        {
            bail!("{CHECKSUMS_FILE} lists {path} twice");
        }
    }
    Ok(checksums)
}

/// The path of an original inside the backup directory, relative to it.
pub fn original_path(storage_key: &str) -> String {
    format!("{ORIGINALS_DIR}/{storage_key}")
}

/// Hashes a file on a blocking thread; returns its size and hex SHA-256.
pub async fn hash_file(path: PathBuf) -> anyhow::Result<(u64, String)> {
    tokio::task::spawn_blocking(move || hash_file_blocking(&path))
        .await
        .context("the hashing thread failed")?
}

fn hash_file_blocking(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; HASH_BUFFER_BYTES];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            return Ok((bytes, hex::encode(hasher.finalize())));
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A relative path that stays inside the backup directory: no leading slash, no empty,
/// `.` or `..` segment.
fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn checksums_read_back_what_they_wrote() {
        let mut checksums = Checksums::new();
        checksums.insert(DUMP_FILE.to_string(), DIGEST.to_string());
        checksums.insert(original_path("documents/a/b"), DIGEST.to_string());
        let text = format_checksums(&checksums);
        assert!(text.starts_with(&format!("{DIGEST}  database.dump\n")));
        assert_eq!(parse_checksums(&text).unwrap(), checksums);
    }

    #[test]
    fn checksums_refuse_paths_that_leave_the_backup() {
        for path in ["/etc/passwd", "storage/../../x", "storage//x", "./x", ""] {
            let line = format!("{DIGEST}  {path}\n");
            assert!(parse_checksums(&line).is_err(), "{path:?} accepted");
        }
    }

    #[test]
    fn checksums_refuse_a_malformed_digest_or_a_repeated_path() {
        assert!(parse_checksums("abc  database.dump\n").is_err());
        let upper = DIGEST.to_uppercase();
        assert!(parse_checksums(&format!("{upper}  database.dump\n")).is_err());
        let twice = format!("{DIGEST}  database.dump\n{DIGEST}  database.dump\n");
        assert!(parse_checksums(&twice).is_err());
    }
}
