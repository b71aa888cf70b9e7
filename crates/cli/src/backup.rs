//! `lucidity admin backup DIR` and `lucidity admin restore DIR`: a consistent copy of the
//! database and of every original it references, taken while the product runs, and its
//! return into a fresh instance.
//!
//! A backup directory holds `database.dump` (`pg_dump` custom format), `storage/<key>` for
//! each original, `SHA256SUMS` and, written last, `manifest.json`: a directory without the
//! manifest is an unfinished backup. Layout: `target` (which PostgreSQL, and its client
//! programs), `manifest` (the files' description and checksums), `originals` (copies in and
//! out of storage), `restore`.

mod manifest;
mod originals;
mod restore;
mod target;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use lucidity_common::Config;
use lucidity_storage::Storage;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use manifest::{
    CHECKSUMS_FILE, Checksums, Counts, DUMP_FILE, FileDigest, MANIFEST_FILE, Manifest,
    MissingOriginal, Originals,
};
use originals::{Original, Outcome};
use target::{Client, Target};

pub use restore::{RestoreArgs, restore};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// A new or empty directory for the backup; created readable by its owner only, since
    /// it holds every contract.
    pub dir: PathBuf,
}

/// Takes a backup while the product runs: `pg_dump` of one database snapshot, then every
/// original that snapshot references.
///
/// Originals are written to storage before their document's row commits, and never change
/// afterwards, so copying them after the snapshot finds every one it references. A document
/// deleted by a user in between has lost its original: it is listed in the manifest, and a
/// restore deletes it too.
pub async fn backup(config: &Config, args: BackupArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let created = create_backup_dir(&args.dir).await?;
    let written = async {
        let storage = Storage::open(&config.storage)
            .await
            .context("cannot open the storage of originals")?;
        let target = Target::open(config).await?;
        let written = write_backup(&target, &storage, &args.dir).await;
        finish(written, target.close().await)
    }
    .await;
    let manifest = match written {
        Ok(manifest) => manifest,
        Err(error) => {
            discard_unfinished(&args.dir, created).await;
            return Err(error);
        }
    };
    print_summary(&args.dir, &manifest, started);
    if !manifest.missing_originals.is_empty() {
        bail!(
            "the backup in {} is usable, but {} original(s) were missing from storage or \
             damaged: see missing_originals in its manifest.json; restore those documents \
             from their source, or delete them",
            args.dir.display(),
            manifest.missing_originals.len()
        );
    }
    Ok(())
}

/// Keeps the first error, logging a second one from closing the database.
fn finish<T>(result: anyhow::Result<T>, closed: anyhow::Result<()>) -> anyhow::Result<T> {
    match (result, closed) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(error)) => Err(error),
        (Err(error), Ok(())) => Err(error),
        (Err(error), Err(close_error)) => {
            let close_error = format!("{close_error:#}");
            tracing::error!(
                error = close_error,
                "the database did not close cleanly either"
            );
            Err(error)
        }
    }
}

/// Creates `dir` private to its owner, or accepts an empty one; never writes into a
/// directory that holds anything, such as an earlier backup. True when it created `dir`.
async fn create_backup_dir(dir: &Path) -> anyhow::Result<bool> {
    let existed = match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => true,
            Some(_) => bail!(
                "{} is not empty: give each backup a new directory",
                dir.display()
            ),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => false,
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", dir.display()));
        }
    };
    originals::create_private_dirs(dir).await?;
    Ok(!existed)
}

/// Removes what a failed backup wrote: without a manifest it cannot be restored, and the
/// originals it holds are copies of contracts that should not linger. A directory the
/// operator made is emptied, not removed.
async fn discard_unfinished(dir: &Path, created: bool) {
    let removed = match created {
        true => tokio::fs::remove_dir_all(dir).await,
        false => remove_entries(dir).await,
    };
    if let Err(error) = removed {
        let error = error.to_string();
        tracing::warn!(
            error,
            "could not remove the unfinished backup in {}",
            dir.display()
        );
    }
}

async fn remove_entries(dir: &Path) -> std::io::Result<()> {
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        match entry.file_type().await?.is_dir() {
            true => tokio::fs::remove_dir_all(entry.path()).await?,
            false => tokio::fs::remove_file(entry.path()).await?,
        }
    }
    Ok(())
}

async fn write_backup(target: &Target, storage: &Storage, dir: &Path) -> anyhow::Result<Manifest> {
    let mut snapshot = Snapshot::begin(target).await?;
    let client = target.client(&mut snapshot.conn).await?;
    let dump_path = dir.join(DUMP_FILE);
    dump(&client, &snapshot.id, &dump_path).await?;
    let facts = snapshot.end().await?;
    let (dump_bytes, dump_sha256) = manifest::hash_file(dump_path).await?;

    let copied = originals::copy_out(storage, dir, facts.originals).await?;
    let mut checksums = Checksums::from([(DUMP_FILE.to_string(), dump_sha256.clone())]);
    let mut totals = Originals { count: 0, bytes: 0 };
    let (mut vanished, mut missing) = (Vec::new(), Vec::new());
    for (original, outcome) in copied {
        match outcome {
            Outcome::Copied {
                path,
                sha256,
                bytes,
            } => {
                checksums.insert(path, sha256);
                totals.count += 1;
                totals.bytes += bytes;
            }
            Outcome::NotInStorage => vanished.push(original),
            Outcome::Differs => missing.push(missing_original(
                original,
                "its bytes in storage differ from the SHA-256 recorded at upload",
            )),
        }
    }
    let deleted = deleted_since(target, &mut vanished).await?;
    missing.extend(
        vanished
            .into_iter()
            .map(|original| missing_original(original, "no object under its storage key")),
    );

    let checksums = write_checksums(dir, &checksums).await?;
    let manifest = Manifest {
        format: manifest::FORMAT,
        created_at: chrono::Utc::now(),
        product_version: env!("CARGO_PKG_VERSION").to_string(),
        migration_version: facts.migration_version,
        postgres_version: facts.postgres_version,
        database_source: target.describe().to_string(),
        storage_source: storage.describe(),
        counts: facts.counts,
        database: FileDigest {
            file: DUMP_FILE.to_string(),
            bytes: dump_bytes,
            sha256: dump_sha256,
        },
        originals: totals,
        checksums,
        deleted_during_backup: deleted,
        missing_originals: missing,
    };
    write_manifest(dir, &manifest).await?;
    Ok(manifest)
}

fn missing_original(original: Original, reason: &str) -> MissingOriginal {
    tracing::warn!(
        document.id = %original.id,
        storage.key = %original.storage_key,
        "an original cannot be backed up: {reason}"
    );
    MissingOriginal {
        document_id: original.id,
        storage_key: original.storage_key,
        reason: reason.to_string(),
    }
}

/// Takes out of `vanished` the documents that no longer exist (deleted by a user after the
/// snapshot) and returns their ids; those left are still live, so their originals are lost.
async fn deleted_since(target: &Target, vanished: &mut Vec<Original>) -> anyhow::Result<Vec<Uuid>> {
    if vanished.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = vanished.iter().map(|original| original.id).collect();
    let mut conn = target.connect().await?;
    let live: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM documents WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(&mut conn)
        .await
        .context("cannot check which documents still exist")?;
    conn.close().await?;

    let (still_live, deleted): (Vec<Original>, Vec<Original>) = vanished
        .drain(..)
        .partition(|original| live.contains(&original.id));
    *vanished = still_live;
    Ok(deleted.into_iter().map(|original| original.id).collect())
}

/// What the snapshot says, read inside it.
struct Facts {
    postgres_version: String,
    migration_version: i64,
    counts: Counts,
    originals: Vec<Original>,
}

/// A repeatable-read transaction whose snapshot `pg_dump` shares, so that the dump, the
/// counts and the list of originals describe one instant.
struct Snapshot {
    conn: PgConnection,
    /// The exported snapshot's name, for `pg_dump --snapshot`.
    id: String,
    facts: Facts,
}

impl Snapshot {
    async fn begin(target: &Target) -> anyhow::Result<Self> {
        let mut conn = target.connect().await?;
        sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut conn)
            .await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut conn)
            .await
            .context("cannot export a database snapshot")?;
        let facts = read_facts(&mut conn, target).await?;
        Ok(Self { conn, id, facts })
    }

    /// Ends the transaction once `pg_dump`, which imported its snapshot, has finished.
    async fn end(mut self) -> anyhow::Result<Facts> {
        sqlx::query("ROLLBACK").execute(&mut self.conn).await?;
        self.conn.close().await?;
        Ok(self.facts)
    }
}

async fn read_facts(conn: &mut PgConnection, target: &Target) -> anyhow::Result<Facts> {
    let has_schema: bool = sqlx::query_scalar(
        "SELECT to_regclass('_sqlx_migrations') IS NOT NULL \
                AND to_regclass('documents') IS NOT NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !has_schema {
        bail!(
            "{} holds no Contract Lucidity database: nothing to back up",
            target.describe()
        );
    }

    let postgres_version: String = sqlx::query_scalar("SELECT current_setting('server_version')")
        .fetch_one(&mut *conn)
        .await?;
    let migration_version: i64 =
        sqlx::query_scalar("SELECT COALESCE(max(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
    let (documents, findings, chunks): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM findings), \
                (SELECT count(*) FROM chunks)",
    )
    .fetch_one(&mut *conn)
    .await?;
    let originals: Vec<Original> =
        sqlx::query_as("SELECT id, storage_key, sha256 FROM documents ORDER BY storage_key")
            .fetch_all(&mut *conn)
            .await
            .context("cannot list the documents")?;
    Ok(Facts {
        postgres_version,
        migration_version,
        counts: Counts {
            documents,
            findings,
            chunks,
        },
        originals,
    })
}

/// `pg_dump` in custom format (compressed, restorable table by table) of `snapshot`.
async fn dump(client: &Client, snapshot: &str, path: &Path) -> anyhow::Result<()> {
    let file = originals::create_private_std_file(path)?;
    let mut command = client.command("pg_dump");
    command
        .arg("--format=custom")
        .arg(format!("--snapshot={snapshot}"))
        .stdout(file);
    client.run(command, "pg_dump").await?;
    sync_file(path).await
}

async fn write_checksums(dir: &Path, checksums: &Checksums) -> anyhow::Result<FileDigest> {
    let path = dir.join(CHECKSUMS_FILE);
    write_private(&path, manifest::format_checksums(checksums).as_bytes()).await?;
    let (bytes, sha256) = manifest::hash_file(path).await?;
    Ok(FileDigest {
        file: CHECKSUMS_FILE.to_string(),
        bytes,
        sha256,
    })
}

/// Writes the manifest under a temporary name and renames it into place, so that a
/// `manifest.json` is always whole and marks a finished backup.
async fn write_manifest(dir: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let partial = dir.join(format!("{MANIFEST_FILE}.partial"));
    let mut text = serde_json::to_string_pretty(manifest)?;
    text.push('\n');
    write_private(&partial, text.as_bytes()).await?;
    let path = dir.join(MANIFEST_FILE);
    tokio::fs::rename(&partial, &path)
        .await
        .with_context(|| format!("cannot rename {} into place", partial.display()))?;
    sync_file(dir).await
}

async fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = originals::create_private_file(path).await?;
    file.write_all(contents)
        .await
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.sync_all()
        .await
        .with_context(|| format!("cannot flush {}", path.display()))
}

/// Flushes a file or a directory's entries to disk.
async fn sync_file(path: &Path) -> anyhow::Result<()> {
    let file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.sync_all()
        .await
        .with_context(|| format!("cannot flush {}", path.display()))
}

fn print_summary(dir: &Path, manifest: &Manifest, started: Instant) {
    let counts = manifest.counts;
    println!(
        "backup written to {}: {} documents, {} findings, {} passages; a database dump of \
         {} and {} originals of {}, in {:.1} s",
        dir.display(),
        counts.documents,
        counts.findings,
        counts.chunks,
        human_bytes(manifest.database.bytes),
        manifest.originals.count,
        human_bytes(manifest.originals.bytes),
        started.elapsed().as_secs_f64()
    );
    if !manifest.deleted_during_backup.is_empty() {
        println!(
            "{} document(s) were deleted while the backup ran; a restore leaves them out",
            manifest.deleted_during_backup.len()
        );
    }
}

/// Sizes for people: `512 B`, `3.4 MB`, `1.2 GB` (powers of 1,000, as disks are sold).
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_largest_fitting_unit() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(3_400_000), "3.4 MB");
        assert_eq!(human_bytes(1_200_000_000_000_000), "1200.0 TB");
    }

    #[tokio::test]
    async fn a_backup_never_goes_into_a_directory_that_holds_anything() {
        let parent = tempfile::tempdir().unwrap();
        std::fs::write(parent.path().join("earlier"), b"x").unwrap();
        let error = create_backup_dir(parent.path()).await.unwrap_err();
        assert!(error.to_string().contains("is not empty"), "{error}");

        let fresh = parent.path().join("new/backup");
        assert!(create_backup_dir(&fresh).await.unwrap());
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&fresh).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o700);
    }

    #[tokio::test]
    async fn an_unfinished_backup_is_discarded_but_the_operators_directory_stays() {
        let parent = tempfile::tempdir().unwrap();
        let made = parent.path().join("made");
        std::fs::create_dir(&made).unwrap();
        assert!(!create_backup_dir(&made).await.unwrap());
        std::fs::create_dir_all(made.join("storage/documents")).unwrap();
        std::fs::write(made.join("database.dump"), b"partial").unwrap();
        discard_unfinished(&made, false).await;
        assert!(std::fs::read_dir(&made).unwrap().next().is_none());

        let created = parent.path().join("created");
        assert!(create_backup_dir(&created).await.unwrap());
        std::fs::write(created.join("database.dump"), b"partial").unwrap();
        discard_unfinished(&created, true).await;
        assert!(!created.exists());
    }
}
