//! `lucidity admin restore DIR`: a verified backup into a fresh, stopped instance.
//!
//! Nothing is touched until every file of the backup matches its checksum. The database is
//! then restored in one transaction (a failure leaves it empty), its rows are counted against
//! the manifest, and each original goes back to storage after matching the SHA-256 its
//! restored document records.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, bail};
use futures_util::{StreamExt, stream};
use lucidity_common::Config;
use lucidity_storage::{Storage, StorageKey};
use sha2::{Digest, Sha256};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use uuid::Uuid;

use super::manifest::{
    self, CHECKSUMS_FILE, Checksums, DUMP_FILE, MANIFEST_FILE, Manifest, ORIGINALS_DIR,
};
use super::originals::{self, Original};
use super::target::{APPLICATION_NAME, Client, Target};

/// Files hashed at once while verifying: enough to keep a disk or network volume busy.
const FILES_IN_FLIGHT: usize = 8;

/// Problems quoted in one error; the rest are counted.
const PROBLEMS_SHOWN: usize = 10;

/// Relations that make a database non-empty: every table, view, sequence or foreign table
/// outside the system schemas that no extension owns (pgvector's objects do not count).
const COUNT_RELATIONS: &str = "\
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' \
      AND NOT EXISTS (SELECT 1 FROM pg_depend d \
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                        AND d.deptype = 'e')";

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A directory written by `lucidity admin backup`.
    pub dir: PathBuf,
    /// Replace what the target database holds: its `public` schema is dropped first.
    /// Without it, a database that holds any table is refused.
    #[arg(long)]
    pub force: bool,
}

/// A backup whose every file matched its checksum.
struct VerifiedBackup {
    dir: PathBuf,
    manifest: Manifest,
    checksums: Checksums,
}

pub async fn restore(config: &Config, args: RestoreArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let backup = VerifiedBackup::open(&args.dir).await?;
    check_schema_version(&backup.manifest)?;
    let storage = Storage::open(&config.storage)
        .await
        .context("cannot open the storage of originals")?;
    let target = Target::open(config).await?;

    let restored = restore_into(&target, &storage, &backup, args.force).await;
    let description = target.describe().to_string();
    let bytes = super::finish(restored, target.close().await)?;

    let manifest = &backup.manifest;
    println!(
        "restored the backup of {} (taken by lucidity {}) into {description} and {}: {} \
         documents, {} findings, {} passages, {} originals of {}, in {:.1} s",
        manifest.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        manifest.product_version,
        storage.describe(),
        manifest.counts.documents - manifest.deleted_during_backup.len() as i64,
        manifest.counts.findings,
        manifest.counts.chunks,
        manifest.originals.count,
        super::human_bytes(bytes),
        started.elapsed().as_secs_f64()
    );
    for missing in &manifest.missing_originals {
        println!(
            "document {} was backed up without its original ({})",
            missing.document_id, missing.reason
        );
    }
    Ok(())
}

impl VerifiedBackup {
    async fn open(dir: &Path) -> anyhow::Result<Self> {
        let manifest = read_manifest(dir).await?;
        let path = dir.join(CHECKSUMS_FILE);
        let text = tokio::fs::read_to_string(&path)
            .await
            .with_context(|| format!("cannot read {}", path.display()))?;
        if hex::encode(Sha256::digest(&text)) != manifest.checksums.sha256 {
            bail!(
                "{CHECKSUMS_FILE} in {} does not match its digest in {MANIFEST_FILE}: the \
                 backup is damaged or was altered",
                dir.display()
            );
        }
        let checksums = manifest::parse_checksums(&text)?;
        check_listing(&manifest, &checksums)?;
        verify_files(dir, &checksums).await?;
        Ok(Self {
            dir: dir.to_path_buf(),
            manifest,
            checksums,
        })
    }
}

async fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let text = match tokio::fs::read_to_string(&path).await {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "{} holds no {MANIFEST_FILE}: it is not a backup, or one that did not finish \
             (the manifest is written last)",
            dir.display()
        ),
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
    };
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a backup manifest", path.display()))?;
    if manifest.format != manifest::FORMAT {
        bail!(
            "{} is in backup format {}, and this build reads format {}",
            path.display(),
            manifest.format,
            manifest::FORMAT
        );
    }
    Ok(manifest)
}

/// The listing names the dump the manifest describes, and as many originals, each under a
/// valid storage key.
fn check_listing(manifest: &Manifest, checksums: &Checksums) -> anyhow::Result<()> {
    if checksums.get(DUMP_FILE) != Some(&manifest.database.sha256) {
        bail!("{CHECKSUMS_FILE} and {MANIFEST_FILE} disagree on {DUMP_FILE}");
    }
    let mut originals = 0u64;
    for path in checksums.keys().filter(|path| *path != DUMP_FILE) {
        let key = path
            .strip_prefix(ORIGINALS_DIR)
            .and_then(|rest| rest.strip_prefix('/'));
        match key.map(StorageKey::new) {
            Some(Ok(_)) => originals += 1,
            _ => bail!("{CHECKSUMS_FILE} lists {path}, which is not an original's path"),
        }
    }
    if originals != manifest.originals.count {
        bail!(
            "{CHECKSUMS_FILE} lists {originals} originals, {MANIFEST_FILE} {}",
            manifest.originals.count
        );
    }
    Ok(())
}

/// Hashes every listed file and fails naming those that differ or are missing.
async fn verify_files(dir: &Path, checksums: &Checksums) -> anyhow::Result<()> {
    let problems: Vec<String> = stream::iter(checksums)
        .map(|(path, expected)| async move {
            match manifest::hash_file(dir.join(path)).await {
                Ok((_, actual)) if actual == *expected => None,
                Ok(_) => Some(format!("{path} does not match its checksum")),
                Err(error) => Some(format!("{error:#}")),
            }
        })
        .buffer_unordered(FILES_IN_FLIGHT)
        .filter_map(std::future::ready)
        .collect()
        .await;
    if !problems.is_empty() {
        bail!(
            "the backup in {} is damaged; nothing was restored:\n{}",
            dir.display(),
            summarise(&problems)
        );
    }
    Ok(())
}

/// A backup of a newer schema than this build knows cannot run here; an older one is
/// brought up to date by the migrations at the next start.
fn check_schema_version(manifest: &Manifest) -> anyhow::Result<()> {
    let known = lucidity_db::migrate::latest_migration_version();
    if manifest.migration_version > known {
        bail!(
            "the backup was taken by lucidity {} at schema version {}, newer than this build's \
             {known}: restore it with lucidity {} or later",
            manifest.product_version,
            manifest.migration_version,
            manifest.product_version
        );
    }
    Ok(())
}

/// Restores the database, then the originals; returns the originals' bytes.
async fn restore_into(
    target: &Target,
    storage: &Storage,
    backup: &VerifiedBackup,
    force: bool,
) -> anyhow::Result<u64> {
    if target.is_in_use_by_serve() {
        bail!(
            "`lucidity serve` is running on this data directory ({}): stop it before \
             restoring",
            target.describe()
        );
    }
    target.create_database_if_missing().await?;
    let mut conn = target.connect().await?;
    refuse_if_in_use(&mut conn, target).await?;
    make_room(&mut conn, target, force).await?;
    require_pgvector(&mut conn, target).await?;
    let client = target.client(&mut conn).await?;
    conn.close().await?;

    restore_database(&client, &backup.dir.join(DUMP_FILE)).await?;

    let mut conn = target.connect().await?;
    check_restored(&mut conn, &backup.manifest).await?;
    let deleted = &backup.manifest.deleted_during_backup;
    if !deleted.is_empty() {
        sqlx::query("DELETE FROM documents WHERE id = ANY($1)")
            .bind(deleted)
            .execute(&mut conn)
            .await
            .context("cannot remove the documents deleted while the backup ran")?;
    }
    let documents: Vec<Original> =
        sqlx::query_as("SELECT id, storage_key, sha256 FROM documents ORDER BY storage_key")
            .fetch_all(&mut conn)
            .await?;
    conn.close().await?;

    let files = plan_originals(&documents, backup)?;
    originals::copy_in(storage, files).await
}

/// Refuses a database that Lucidity processes are connected to: the API and workers must be
/// stopped, or they would act on a half-restored database. Seen only when those processes
/// reach the server directly (a pooler may hide their name).
async fn refuse_if_in_use(conn: &mut PgConnection, target: &Target) -> anyhow::Result<()> {
    let sessions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
           AND application_name = $1",
    )
    .bind(APPLICATION_NAME)
    .fetch_one(&mut *conn)
    .await?;
    if sessions > 0 {
        bail!(
            "{sessions} Contract Lucidity connection(s) are open on {}: stop the api and \
             worker processes before restoring",
            target.describe()
        );
    }
    Ok(())
}

/// Checks the database is empty, or with `force` empties its `public` schema (taking
/// pgvector with it; the dump creates it again).
async fn make_room(conn: &mut PgConnection, target: &Target, force: bool) -> anyhow::Result<()> {
    let relations: i64 = sqlx::query_scalar(COUNT_RELATIONS)
        .fetch_one(&mut *conn)
        .await?;
    if relations == 0 {
        return Ok(());
    }
    if !force {
        bail!(
            "{} is not empty ({relations} tables, views or sequences): restore into a fresh \
             instance (an empty LUCIDITY_DATA_DIR, or a new database), or pass --force to \
             replace its contents",
            target.describe()
        );
    }
    tracing::warn!("--force: dropping the schema public, with its {relations} relations");
    sqlx::query("DROP SCHEMA IF EXISTS public CASCADE")
        .execute(&mut *conn)
        .await
        .context("cannot drop the schema public")?;
    sqlx::query("CREATE SCHEMA public")
        .execute(&mut *conn)
        .await
        .context("cannot create the schema public")?;
    Ok(())
}

/// The dump creates the `vector` extension before the tables that use its type; a server
/// without pgvector would fail half-way, so it is checked first.
async fn require_pgvector(conn: &mut PgConnection, target: &Target) -> anyhow::Result<()> {
    let available: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !available {
        bail!(
            "{} lacks the pgvector extension (`vector`), which the data needs: install \
             pgvector 0.6 or newer on the server",
            target.describe()
        );
    }
    Ok(())
}

/// `pg_restore` in one transaction, owned by the restoring account: the backup may come
/// from another instance whose roles and grants do not exist here.
async fn restore_database(client: &Client, dump: &Path) -> anyhow::Result<()> {
    let mut command = client.command("pg_restore");
    command
        .args(["--no-owner", "--no-privileges", "--no-comments"])
        .args(["--single-transaction", "--exit-on-error"])
        .arg(format!("--dbname={}", client.dbname_conninfo()))
        .arg(dump)
        .stdout(Stdio::null());
    client.run(command, "pg_restore").await
}

/// The restored rows must be the ones the backup counted.
async fn check_restored(conn: &mut PgConnection, manifest: &Manifest) -> anyhow::Result<()> {
    let (documents, findings, chunks, migration): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM findings), \
                (SELECT count(*) FROM chunks), \
                (SELECT COALESCE(max(version), 0) FROM _sqlx_migrations WHERE success)",
    )
    .fetch_one(&mut *conn)
    .await
    .context("cannot count the restored rows")?;

    let expected = manifest.counts;
    let found = (documents, findings, chunks, migration);
    let wanted = (
        expected.documents,
        expected.findings,
        expected.chunks,
        manifest.migration_version,
    );
    if found != wanted {
        bail!(
            "the restored database holds (documents, findings, passages, schema) {found:?}, \
             the backup {wanted:?}"
        );
    }
    Ok(())
}

/// Pairs every restored document with its original in the backup, checked against the
/// SHA-256 the document records. Documents backed up without one are skipped.
fn plan_originals(
    documents: &[Original],
    backup: &VerifiedBackup,
) -> anyhow::Result<Vec<(StorageKey, PathBuf)>> {
    let without: HashSet<Uuid> = backup
        .manifest
        .missing_originals
        .iter()
        .map(|missing| missing.document_id)
        .collect();
    let mut unclaimed: BTreeSet<&str> = backup
        .checksums
        .keys()
        .map(String::as_str)
        .filter(|path| *path != DUMP_FILE)
        .collect();

    let mut files = Vec::with_capacity(documents.len());
    let mut problems = Vec::new();
    for document in documents.iter().filter(|d| !without.contains(&d.id)) {
        let path = manifest::original_path(&document.storage_key);
        match backup.checksums.get(&path) {
            Some(digest) if *digest == hex::encode(&document.sha256) => {
                unclaimed.remove(path.as_str());
                let key = StorageKey::new(&document.storage_key)?;
                files.push((key, backup.dir.join(&path)));
            }
            Some(_) => problems.push(format!(
                "document {}: its original differs from the SHA-256 it records",
                document.id
            )),
            None => problems.push(format!(
                "document {}: its original is not in the backup",
                document.id
            )),
        }
    }
    problems.extend(
        unclaimed
            .into_iter()
            .map(|path| format!("{path} belongs to no document")),
    );
    if !problems.is_empty() {
        bail!(
            "the database is restored, but the backup's originals do not match it (restore \
             again with --force from another backup):\n{}",
            summarise(&problems)
        );
    }
    Ok(files)
}

fn summarise(problems: &[String]) -> String {
    let mut lines: Vec<String> = problems.iter().take(PROBLEMS_SHOWN).cloned().collect();
    if problems.len() > PROBLEMS_SHOWN {
        lines.push(format!("and {} more", problems.len() - PROBLEMS_SHOWN));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::manifest::{Counts, FileDigest, Originals};

    const DUMP_DIGEST: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const FILE_DIGEST: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    fn manifest(originals: u64) -> Manifest {
        let digest = |file: &str, sha256: &str| FileDigest {
            file: file.to_string(),
            bytes: 1,
            sha256: sha256.to_string(),
        };
        Manifest {
            format: manifest::FORMAT,
            created_at: chrono::Utc::now(),
            product_version: "0.1.0".to_string(),
            migration_version: 1,
            postgres_version: "16.2".to_string(),
            database_source: String::new(),
            storage_source: String::new(),
            counts: Counts {
                documents: 1,
                findings: 0,
                chunks: 0,
            },
            database: digest(DUMP_FILE, DUMP_DIGEST),
            originals: Originals {
                count: originals,
                bytes: 1,
            },
            checksums: digest(CHECKSUMS_FILE, FILE_DIGEST),
            deleted_during_backup: Vec::new(),
            missing_originals: Vec::new(),
        }
    }

    fn listing(paths: &[&str]) -> Checksums {
        let mut checksums = Checksums::from([(DUMP_FILE.to_string(), DUMP_DIGEST.to_string())]);
        for path in paths {
            checksums.insert(path.to_string(), FILE_DIGEST.to_string());
        }
        checksums
    }

    #[test]
    fn a_listing_must_hold_the_manifests_dump_and_as_many_originals() {
        let one = listing(&["storage/documents/p/d"]);
        assert!(check_listing(&manifest(1), &one).is_ok());
        assert!(check_listing(&manifest(2), &one).is_err());

        let mut other_dump = one.clone();
        other_dump.insert(DUMP_FILE.to_string(), FILE_DIGEST.to_string());
        assert!(check_listing(&manifest(1), &other_dump).is_err());
    }

    #[test]
    fn a_listing_holds_nothing_but_originals_beside_the_dump() {
        for path in ["notes.txt", "storage/.hidden/x", "storage"] {
            let error = check_listing(&manifest(1), &listing(&[path])).unwrap_err();
            assert!(
                error.to_string().contains("not an original"),
                "{path}: {error}"
            );
        }
    }

    #[test]
    fn originals_pair_with_documents_by_key_and_digest() {
        let id = Uuid::new_v4();
        let backup = VerifiedBackup {
            dir: PathBuf::from("/backup"),
            manifest: manifest(1),
            checksums: listing(&["storage/documents/p/d"]),
        };
        let document = |sha256: &str| Original {
            id,
            storage_key: "documents/p/d".to_string(),
            sha256: hex::decode(sha256).unwrap(),
        };

        let files = plan_originals(&[document(FILE_DIGEST)], &backup).unwrap();
        assert_eq!(files[0].1, PathBuf::from("/backup/storage/documents/p/d"));

        let error = plan_originals(&[document(DUMP_DIGEST)], &backup).unwrap_err();
        assert!(error.to_string().contains("differs"), "{error}");
        let error = plan_originals(&[], &backup).unwrap_err();
        assert!(
            error.to_string().contains("belongs to no document"),
            "{error}"
        );
    }

    #[test]
    fn a_backup_of_a_newer_schema_is_refused() {
        let mut newer = manifest(0);
        newer.migration_version = lucidity_db::migrate::latest_migration_version() + 1;
        assert!(check_schema_version(&newer).is_err());
        newer.migration_version -= 1;
        assert!(check_schema_version(&newer).is_ok());
    }
}
