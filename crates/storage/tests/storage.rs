//! The storage interface against its real backends: a POSIX directory in a temporary
//! directory, and S3 on a moto server on loopback (see `support`), one server per test.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use lucidity_storage::{Storage, StorageConfig, StorageError, StorageKey};
use support::{S3Server, pattern_file, same_contents};
use tempfile::TempDir;
use uuid::Uuid;

const MB: usize = 1024 * 1024;

/// Download chunks must stay small whatever the object size: memory stays bounded.
const MAX_CHUNK_BYTES: usize = MB;

/// A POSIX storage rooted in a fresh temporary directory, and a scratch directory.
struct Posix {
    storage: Storage,
    root: PathBuf,
    scratch: TempDir,
    _dirs: TempDir,
}

async fn posix() -> Posix {
    let dirs = tempfile::tempdir().unwrap();
    let root = dirs.path().join("storage");
    let config = StorageConfig::from_vars(&BTreeMap::new(), &root).unwrap();
    Posix {
        storage: Storage::open(&config).await.unwrap(),
        root,
        scratch: tempfile::tempdir().unwrap(),
        _dirs: dirs,
    }
}

fn document_key() -> StorageKey {
    StorageKey::for_document(Uuid::new_v4(), Uuid::new_v4())
}

fn path_of(root: &Path, key: &StorageKey) -> PathBuf {
    root.join(key.as_str())
}

/// Partial files (hidden, `.partial`) anywhere under `dir`.
fn partial_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                pending.push(path);
            } else if name.starts_with('.') && name.ends_with(".partial") {
                found.push(path);
            }
        }
    }
    found
}

/// Reads a whole download stream, checking that no chunk is large.
async fn drain(storage: &Storage, key: &StorageKey, into: &Path) -> u64 {
    let (len, mut stream) = storage.get_stream(key).await.unwrap();
    let mut file = fs::File::create(into).unwrap();
    let mut total = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        assert!(
            chunk.len() <= MAX_CHUNK_BYTES,
            "a chunk of {} bytes",
            chunk.len()
        );
        file.write_all(&chunk).unwrap();
        total += chunk.len() as u64;
    }
    assert_eq!(
        total, len,
        "the stream's length differs from the announced one"
    );
    total
}

// --- POSIX ------------------------------------------------------------------------------

#[tokio::test]
async fn opening_creates_the_root_and_the_readiness_check_passes() {
    let posix = posix().await;
    assert!(posix.root.is_dir());
    posix.storage.check().await.unwrap();

    assert_eq!(
        posix.storage.describe(),
        format!("posix:{}", posix.root.display())
    );
    assert!(
        partial_files(&posix.root).is_empty(),
        "the probe was left behind"
    );
}

#[tokio::test]
async fn a_stored_file_reads_back_identically_by_copy_and_by_stream() {
    let posix = posix().await;
    let source = pattern_file(posix.scratch.path(), "upload", 300_000);
    let key = document_key();

    let stored = posix.storage.put_file(&key, &source).await.unwrap();
    assert_eq!(stored, 300_000);
    assert!(posix.storage.exists(&key).await.unwrap());
    assert!(same_contents(&source, &path_of(&posix.root, &key)));

    let copy = posix.scratch.path().join("copy");
    assert_eq!(
        posix.storage.get_to_file(&key, &copy).await.unwrap(),
        300_000
    );
    assert!(same_contents(&source, &copy));

    let streamed = posix.scratch.path().join("streamed");
    drain(&posix.storage, &key, &streamed).await;
    assert!(same_contents(&source, &streamed));
    assert!(partial_files(&posix.root).is_empty());
}

#[tokio::test]
async fn storing_under_an_existing_key_replaces_the_object() {
    let posix = posix().await;
    let key = document_key();
    let first = pattern_file(posix.scratch.path(), "first", 10_000);
    let second = pattern_file(posix.scratch.path(), "second", 123);

    posix.storage.put_file(&key, &first).await.unwrap();
    posix.storage.put_file(&key, &second).await.unwrap();

    assert!(same_contents(&second, &path_of(&posix.root, &key)));
}

#[tokio::test]
async fn an_empty_file_is_stored_as_an_empty_object() {
    let posix = posix().await;
    let key = document_key();
    let empty = pattern_file(posix.scratch.path(), "empty", 0);

    assert_eq!(posix.storage.put_file(&key, &empty).await.unwrap(), 0);
    let (len, _) = posix.storage.get_stream(&key).await.unwrap();
    assert_eq!(len, 0);
}

#[tokio::test]
async fn a_copy_that_fails_midway_leaves_neither_the_final_file_nor_a_partial_file() {
    let posix = posix().await;
    let key = document_key();
    // A directory opens like a file but fails on the first read, after the partial file
    // has been created.
    let unreadable = posix.scratch.path().join("a-directory");
    fs::create_dir(&unreadable).unwrap();

    let error = posix.storage.put_file(&key, &unreadable).await.unwrap_err();

    assert!(
        matches!(error, StorageError::ReadSource { .. }),
        "{error:?}"
    );
    assert!(!path_of(&posix.root, &key).exists());
    assert!(
        partial_files(&posix.root).is_empty(),
        "{:?}",
        partial_files(&posix.root)
    );
    assert!(!posix.storage.exists(&key).await.unwrap());
}

#[tokio::test]
async fn a_missing_source_file_is_reported_as_unreadable_and_stores_nothing() {
    let posix = posix().await;
    let key = document_key();
    let missing = posix.scratch.path().join("missing");

    let error = posix.storage.put_file(&key, &missing).await.unwrap_err();

    assert!(
        matches!(error, StorageError::ReadSource { .. }),
        "{error:?}"
    );
    assert!(!posix.storage.exists(&key).await.unwrap());
}

#[tokio::test]
async fn readers_never_see_a_partially_written_original() {
    let posix = posix().await;
    let key = document_key();
    let fifo = posix.scratch.path().join("slow-upload");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());

    // The upload reads from a pipe that delivers half the data, then waits.
    let storage = posix.storage.clone();
    let (put_key, put_source) = (key.clone(), fifo.clone());
    let put = tokio::spawn(async move { storage.put_file(&put_key, &put_source).await });
    let (go_on, wait) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        let mut pipe = fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        pipe.write_all(&[7u8; 100_000]).unwrap();
        wait.recv().unwrap();
        pipe.write_all(&[9u8; 100_000]).unwrap();
    });

    let final_path = path_of(&posix.root, &key);
    let partial = wait_for_partial_file(&posix.root, 100_000).await;
    assert!(
        !final_path.exists(),
        "the final name appeared before the data was complete"
    );
    assert!(!posix.storage.exists(&key).await.unwrap());
    assert!(matches!(
        posix.storage.get_stream(&key).await,
        Err(StorageError::NotFound { .. })
    ));

    go_on.send(()).unwrap();
    writer.join().unwrap();
    assert_eq!(put.await.unwrap().unwrap(), 200_000);
    assert_eq!(fs::metadata(&final_path).unwrap().len(), 200_000);
    assert!(!partial.exists());
    assert!(partial_files(&posix.root).is_empty());
}

/// Waits until a partial file holds `len` bytes; returns its path.
async fn wait_for_partial_file(root: &Path, len: u64) -> PathBuf {
    for _ in 0..500 {
        let found = partial_files(root);
        if let Some(path) = found.iter().find(|p| fs::metadata(p).unwrap().len() == len) {
            return path.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no partial file reached {len} bytes");
}

#[tokio::test]
async fn concurrent_writers_to_one_key_leave_one_whole_object() {
    let posix = posix().await;
    let key = document_key();
    let sources: Vec<PathBuf> = (0..4)
        .map(|i| pattern_file(posix.scratch.path(), &format!("upload-{i}"), 100_000 + i))
        .collect();

    let puts: Vec<_> = sources
        .iter()
        .map(|source| {
            let (storage, key, source) = (posix.storage.clone(), key.clone(), source.clone());
            tokio::spawn(async move { storage.put_file(&key, &source).await })
        })
        .collect();
    for put in puts {
        put.await.unwrap().unwrap();
    }

    let stored = path_of(&posix.root, &key);
    assert!(sources.iter().any(|source| same_contents(source, &stored)));
    assert!(partial_files(&posix.root).is_empty());
}

#[tokio::test]
async fn keys_that_could_escape_the_root_are_refused() {
    for bad in [
        "../x",
        "/abs",
        "a\\b",
        "documents/../../etc/passwd",
        "a//b",
        ".hidden",
        "",
    ] {
        let error = StorageKey::new(bad).unwrap_err();
        assert!(
            matches!(error, StorageError::InvalidKey { .. }),
            "{bad:?}: {error:?}"
        );
    }
    assert!(StorageKey::new("documents/p/d").is_ok());
}

#[tokio::test]
async fn deleting_twice_and_deleting_a_missing_key_both_succeed() {
    let posix = posix().await;
    let key = document_key();
    let source = pattern_file(posix.scratch.path(), "upload", 1_000);
    posix.storage.put_file(&key, &source).await.unwrap();

    posix.storage.delete(&key).await.unwrap();
    assert!(!posix.storage.exists(&key).await.unwrap());
    posix.storage.delete(&key).await.unwrap();
    posix.storage.delete(&document_key()).await.unwrap();
}

#[tokio::test]
async fn reading_a_missing_key_is_not_found_and_creates_no_destination() {
    let posix = posix().await;
    let key = document_key();
    let dest = posix.scratch.path().join("dest");

    let copied = posix.storage.get_to_file(&key, &dest).await;
    assert!(
        matches!(copied, Err(StorageError::NotFound { .. })),
        "{copied:?}"
    );
    assert!(!dest.exists());
    assert!(matches!(
        posix.storage.get_stream(&key).await,
        Err(StorageError::NotFound { .. })
    ));
    assert!(!posix.storage.exists(&key).await.unwrap());
}

#[tokio::test]
async fn reading_into_an_existing_file_replaces_its_contents() {
    let posix = posix().await;
    let key = document_key();
    let source = pattern_file(posix.scratch.path(), "upload", 5_000);
    posix.storage.put_file(&key, &source).await.unwrap();
    let dest = pattern_file(posix.scratch.path(), "stale", 50_000);

    posix.storage.get_to_file(&key, &dest).await.unwrap();

    assert!(same_contents(&source, &dest));
}

#[tokio::test]
async fn a_fifty_megabyte_file_is_stored_and_streamed_in_small_chunks() {
    let posix = posix().await;
    let key = document_key();
    let source = pattern_file(posix.scratch.path(), "large", 50 * MB + 17);

    let stored = posix.storage.put_file(&key, &source).await.unwrap();
    assert_eq!(stored, (50 * MB + 17) as u64);

    let streamed = posix.scratch.path().join("streamed");
    drain(&posix.storage, &key, &streamed).await;
    assert!(same_contents(&source, &streamed));
}

#[tokio::test]
async fn the_readiness_check_fails_when_the_root_is_gone() {
    let posix = posix().await;
    fs::remove_dir_all(&posix.root).unwrap();
    fs::write(&posix.root, b"not a directory").unwrap();

    let error = posix.storage.check().await.unwrap_err();

    assert!(
        matches!(error, StorageError::Filesystem { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn sweeping_removes_only_stale_partial_files() {
    let posix = posix().await;
    let key = document_key();
    let source = pattern_file(posix.scratch.path(), "upload", 100);
    posix.storage.put_file(&key, &source).await.unwrap();
    let dir = path_of(&posix.root, &key).parent().unwrap().to_path_buf();

    let stale = dir.join(".old.0123.partial");
    let fresh = dir.join(".new.4567.partial");
    fs::write(&stale, b"interrupted").unwrap();
    fs::write(&fresh, b"in progress").unwrap();
    let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();

    let removed = posix
        .storage
        .sweep_partials(Duration::from_secs(3600))
        .await
        .unwrap();

    assert_eq!(removed, 1);
    assert!(!stale.exists());
    assert!(fresh.exists());
    assert!(posix.storage.exists(&key).await.unwrap());
}

// --- S3 ---------------------------------------------------------------------------------

/// A unique prefix per test, so tests can share an external server.
fn test_prefix() -> String {
    format!("test-{}", Uuid::new_v4().simple())
}

async fn open_s3(server: &S3Server, prefix: &str) -> Storage {
    let config = server.config(prefix, &[("S3_PART_SIZE_MB", "5")]);
    Storage::open(&config).await.unwrap()
}

#[tokio::test]
async fn s3_small_objects_round_trip_under_the_configured_prefix() {
    let server = S3Server::start();
    let prefix = test_prefix();
    let storage = open_s3(&server, &prefix).await;
    let scratch = tempfile::tempdir().unwrap();
    let source = pattern_file(scratch.path(), "small", 70_000);
    let key = document_key();

    assert_eq!(storage.put_file(&key, &source).await.unwrap(), 70_000);
    assert!(storage.exists(&key).await.unwrap());
    let copy = scratch.path().join("copy");
    assert_eq!(storage.get_to_file(&key, &copy).await.unwrap(), 70_000);
    assert!(same_contents(&source, &copy));

    // The same bucket without the prefix sees the object at `<prefix>/<key>` only.
    let unprefixed = Storage::open(&server.config("", &[])).await.unwrap();
    assert!(!unprefixed.exists(&key).await.unwrap());
    let full_key = StorageKey::new(format!("{prefix}/{key}")).unwrap();
    assert!(unprefixed.exists(&full_key).await.unwrap());
}

#[tokio::test]
async fn s3_multipart_sized_objects_round_trip_by_copy_and_by_stream() {
    let server = S3Server::start();
    let storage = open_s3(&server, &test_prefix()).await;
    let scratch = tempfile::tempdir().unwrap();
    // Four full 5 MiB parts and a short last one.
    let source = pattern_file(scratch.path(), "large", 20 * MB + 12_345);
    let key = document_key();

    let stored = storage.put_file(&key, &source).await.unwrap();
    assert_eq!(stored, (20 * MB + 12_345) as u64);

    let copy = scratch.path().join("copy");
    storage.get_to_file(&key, &copy).await.unwrap();
    assert!(same_contents(&source, &copy));
    let streamed = scratch.path().join("streamed");
    drain(&storage, &key, &streamed).await;
    assert!(same_contents(&source, &streamed));
}

#[tokio::test]
async fn s3_a_file_of_exactly_one_part_round_trips() {
    let server = S3Server::start();
    let storage = open_s3(&server, &test_prefix()).await;
    let scratch = tempfile::tempdir().unwrap();
    let source = pattern_file(scratch.path(), "one-part", 5 * MB);
    let key = document_key();

    storage.put_file(&key, &source).await.unwrap();

    let copy = scratch.path().join("copy");
    assert_eq!(
        storage.get_to_file(&key, &copy).await.unwrap(),
        (5 * MB) as u64
    );
    assert!(same_contents(&source, &copy));
}

#[tokio::test]
async fn s3_an_empty_file_is_stored_as_an_empty_object() {
    let server = S3Server::start();
    let storage = open_s3(&server, &test_prefix()).await;
    let scratch = tempfile::tempdir().unwrap();
    let empty = pattern_file(scratch.path(), "empty", 0);
    let key = document_key();

    assert_eq!(storage.put_file(&key, &empty).await.unwrap(), 0);

    let (len, _) = storage.get_stream(&key).await.unwrap();
    assert_eq!(len, 0);
}

#[tokio::test]
async fn s3_deleting_is_idempotent_and_exists_follows() {
    let server = S3Server::start();
    let storage = open_s3(&server, &test_prefix()).await;
    let scratch = tempfile::tempdir().unwrap();
    let source = pattern_file(scratch.path(), "small", 10);
    let key = document_key();
    storage.put_file(&key, &source).await.unwrap();

    storage.delete(&key).await.unwrap();
    assert!(!storage.exists(&key).await.unwrap());
    storage.delete(&key).await.unwrap();
    storage.delete(&document_key()).await.unwrap();
}

#[tokio::test]
async fn s3_reading_a_missing_object_is_not_found_and_leaves_no_destination() {
    let server = S3Server::start();
    let storage = open_s3(&server, &test_prefix()).await;
    let scratch = tempfile::tempdir().unwrap();
    let key = document_key();
    let dest = scratch.path().join("dest");

    let copied = storage.get_to_file(&key, &dest).await;
    assert!(
        matches!(copied, Err(StorageError::NotFound { .. })),
        "{copied:?}"
    );
    assert!(!dest.exists());
    assert!(matches!(
        storage.get_stream(&key).await,
        Err(StorageError::NotFound { .. })
    ));
}

#[tokio::test]
async fn s3_the_readiness_check_passes_and_leaves_nothing_behind() {
    let server = S3Server::start();
    let prefix = test_prefix();
    let storage = open_s3(&server, &prefix).await;

    storage.check().await.unwrap();

    let description = storage.describe();
    assert!(description.starts_with(&format!("s3://{}/{prefix}", server.bucket)));
    assert!(!description.contains(&server.secret_access_key));
    assert!(!format!("{storage:?}").contains(&server.secret_access_key));
}

/// S3 variables for bucket `b` with `extra` added, for tests that need no server.
fn s3_vars(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let base = [("STORAGE_BACKEND", "s3"), ("S3_BUCKET", "b")];
    base.iter()
        .chain(extra)
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[tokio::test]
async fn s3_credentials_never_appear_in_debug_output() {
    const SECRET: &str = "static-secret-value-never-printed";
    const TOKEN: &str = "session-token-never-printed";
    const ROLE_URI: &str = "/v2/credentials/task-guid-never-printed";
    let static_keys = s3_vars(&[
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", TOKEN),
    ]);
    let task_role = s3_vars(&[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ROLE_URI)]);

    for vars in [static_keys, task_role] {
        let config = StorageConfig::from_vars(&vars, Path::new("/unused")).unwrap();
        let storage = Storage::open(&config).await.unwrap();

        let printed = format!("{config:?} {storage:?} {}", storage.describe());
        for secret in [SECRET, TOKEN, ROLE_URI] {
            assert!(!printed.contains(secret), "{secret} printed in {printed}");
        }
    }
}

#[tokio::test]
async fn s3_wrong_credentials_are_reported_as_access_denied() {
    let server = S3Server::start();
    let config = server.config(
        &test_prefix(),
        &[(
            "AWS_SECRET_ACCESS_KEY",
            "wrong-secret-access-key-0000000000000000",
        )],
    );
    let storage = Storage::open(&config).await.unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let source = pattern_file(scratch.path(), "small", 10);

    let checked = storage.check().await.unwrap_err();
    assert!(
        matches!(checked, StorageError::AccessDenied { .. }),
        "{checked:?}"
    );
    let put = storage
        .put_file(&document_key(), &source)
        .await
        .unwrap_err();
    assert!(matches!(put, StorageError::AccessDenied { .. }), "{put:?}");
    assert!(!format!("{put:?}").contains("wrong-secret-access-key"));

    let unknown = server.config(
        &test_prefix(),
        &[("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000")],
    );
    let storage = Storage::open(&unknown).await.unwrap();
    let checked = storage.check().await.unwrap_err();
    assert!(
        matches!(checked, StorageError::AccessDenied { .. }),
        "{checked:?}"
    );
}

#[tokio::test]
async fn s3_a_missing_bucket_is_reported_as_such() {
    let server = S3Server::start();
    let config = server.config(
        &test_prefix(),
        &[("S3_BUCKET", "no-such-bucket-for-lucidity")],
    );
    let storage = Storage::open(&config).await.unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let source = pattern_file(scratch.path(), "small", 10);

    let checked = storage.check().await.unwrap_err();
    assert!(
        matches!(checked, StorageError::BucketNotFound { .. }),
        "{checked:?}"
    );
    let put = storage
        .put_file(&document_key(), &source)
        .await
        .unwrap_err();
    assert!(
        matches!(put, StorageError::BucketNotFound { .. }),
        "{put:?}"
    );
    assert!(checked.to_string().contains("no-such-bucket-for-lucidity"));
}

#[tokio::test]
async fn s3_an_unreachable_server_fails_the_readiness_check() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let vars = s3_vars(&[
        ("S3_ENDPOINT_URL", &endpoint),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ]);
    let config = StorageConfig::from_vars(&vars, Path::new("/unused")).unwrap();
    let storage = Storage::open(&config).await.unwrap();

    let error = storage.check().await.unwrap_err();

    assert!(
        matches!(error, StorageError::ObjectStore { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn s3_https_servers_are_trusted_through_the_ca_bundle() {
    let server = S3Server::start_tls();
    assert!(server.endpoint.starts_with("https://"));
    let storage = open_s3(&server, &test_prefix()).await;
    let scratch = tempfile::tempdir().unwrap();
    let source = pattern_file(scratch.path(), "small", 4_096);
    let key = document_key();

    storage.check().await.unwrap();
    storage.put_file(&key, &source).await.unwrap();
    let copy = scratch.path().join("copy");
    storage.get_to_file(&key, &copy).await.unwrap();
    assert!(same_contents(&source, &copy));

    // Without the bundle, the test CA is not trusted.
    let mut vars = server.vars(&[]);
    vars.remove("AWS_CA_BUNDLE");
    let untrusting = StorageConfig::from_vars(&vars, Path::new("/unused")).unwrap();
    let untrusting = Storage::open(&untrusting).await.unwrap();
    let error = untrusting.check().await.unwrap_err();
    assert!(
        matches!(error, StorageError::ObjectStore { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn s3_a_ca_bundle_without_certificates_is_refused_at_open() {
    let scratch = tempfile::tempdir().unwrap();
    let bundle = scratch.path().join("empty.pem");
    fs::write(&bundle, "no certificates here\n").unwrap();
    let bundle = bundle.to_string_lossy();
    let vars = s3_vars(&[("AWS_CA_BUNDLE", &bundle)]);
    let config = StorageConfig::from_vars(&vars, Path::new("/unused")).unwrap();

    let error = Storage::open(&config).await.unwrap_err();

    assert!(matches!(error, StorageError::S3Setup { .. }), "{error:?}");
    assert!(error.to_string().contains("AWS_CA_BUNDLE"), "{error}");
}
