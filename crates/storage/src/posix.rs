//! The POSIX backend: originals as files under one root (local disk or a shared EFS mount).
//! Writes are atomic: data goes to a partial file beside the final name, is flushed, renamed
//! into place, and the directory is flushed, so a crash never leaves half an original under
//! its final name. Partial files are hidden names ending in `.partial`, which no key can spell.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use tokio_util::io::ReaderStream;
use uuid::Uuid;

use crate::error::StorageError;
use crate::{ByteStream, StorageKey};

/// Copy buffer: large enough for full-speed sequential I/O, small enough to never matter.
const COPY_BUFFER_BYTES: usize = 256 * 1024;

/// Chunk size of download streams.
const STREAM_CHUNK_BYTES: usize = 64 * 1024;

/// The suffix of files being written and of readiness probes.
const PARTIAL_SUFFIX: &str = ".partial";

#[derive(Debug, Clone)]
pub(crate) struct PosixStore {
    root: Arc<PathBuf>,
}

impl PosixStore {
    /// Creates the root directory when missing.
    pub(crate) async fn open(root: &Path) -> Result<Self, StorageError> {
        let root = root.to_path_buf();
        let context = root.clone();
        let root = blocking(&context, move || {
            fs::create_dir_all(&root).map_err(fs_error("create the storage root", &root))?;
            Ok(root)
        })
        .await?;
        Ok(Self {
            root: Arc::new(root),
        })
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, key: &StorageKey) -> PathBuf {
        let mut path = self.root.to_path_buf();
        path.extend(key.segments());
        path
    }

    pub(crate) async fn put_file(
        &self,
        key: &StorageKey,
        source: &Path,
    ) -> Result<u64, StorageError> {
        let root = self.root.clone();
        let dest = self.path_of(key);
        let source = source.to_path_buf();
        blocking(&dest.clone(), move || {
            write_atomically(&root, &source, &dest)
        })
        .await
    }

    pub(crate) async fn get_to_file(
        &self,
        key: &StorageKey,
        dest: &Path,
    ) -> Result<u64, StorageError> {
        let path = self.path_of(key);
        let key = key.clone();
        let dest = dest.to_path_buf();
        blocking(&path.clone(), move || copy_out(&key, &path, &dest)).await
    }

    pub(crate) async fn get_stream(
        &self,
        key: &StorageKey,
    ) -> Result<(u64, ByteStream), StorageError> {
        let path = self.path_of(key);
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) => return Err(read_error(key, &path, e)),
        };
        let metadata = file
            .metadata()
            .await
            .map_err(fs_error("read the size of", &path))?;

        let stream = ReaderStream::with_capacity(file, STREAM_CHUNK_BYTES);
        Ok((metadata.len(), stream.boxed()))
    }

    /// Removes the file; a missing one is fine, since deleting is how a document goes away.
    pub(crate) async fn delete(&self, key: &StorageKey) -> Result<(), StorageError> {
        let path = self.path_of(key);
        blocking(&path.clone(), move || {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if is_absent(&e) => return Ok(()),
                Err(e) => return Err(fs_error("remove", &path)(e)),
            }
            sync_parent(&path)
        })
        .await
    }

    pub(crate) async fn exists(&self, key: &StorageKey) -> Result<bool, StorageError> {
        let path = self.path_of(key);
        match tokio::fs::metadata(&path).await {
            Ok(metadata) => Ok(metadata.is_file()),
            Err(e) if is_absent(&e) => Ok(false),
            Err(e) => Err(fs_error("look up", &path)(e)),
        }
    }

    /// Writes, flushes and removes a probe file in the root.
    pub(crate) async fn check(&self) -> Result<(), StorageError> {
        let probe = self.root.join(partial_name("probe"));
        blocking(&probe.clone(), move || {
            let mut file = create_new(&probe)?;
            let written = file.write_all(b"probe").and_then(|()| file.sync_all());
            let removed = fs::remove_file(&probe);
            written.map_err(fs_error("write", &probe))?;
            removed.map_err(fs_error("remove", &probe))
        })
        .await
    }

    /// Removes partial files (interrupted writes, probes) not modified for `min_age`;
    /// returns how many. Younger ones may belong to a write in progress.
    pub(crate) async fn sweep_partials(&self, min_age: Duration) -> Result<u64, StorageError> {
        let root = self.root.to_path_buf();
        blocking(&root.clone(), move || sweep(&root, min_age)).await
    }
}

/// Copies `source` to a partial file beside `dest`, flushes it, renames it to `dest` and
/// flushes the directory.
fn write_atomically(root: &Path, source: &Path, dest: &Path) -> Result<u64, StorageError> {
    let mut reader = File::open(source).map_err(|e| StorageError::ReadSource {
        path: source.to_path_buf(),
        source: e,
    })?;
    let dir = parent_of(dest)?;
    create_dirs(root, dir)?;

    let name = dest
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("object");
    let mut partial = PartialFile::create(dir.join(partial_name(name)))?;
    let bytes = copy(&mut reader, &mut partial.file).map_err(|e| match e {
        CopyError::Read(source_error) => StorageError::ReadSource {
            path: source.to_path_buf(),
            source: source_error,
        },
        CopyError::Write(e) => fs_error("write", &partial.path)(e),
    })?;
    partial
        .file
        .sync_all()
        .map_err(fs_error("flush", &partial.path))?;

    fs::rename(&partial.path, dest).map_err(fs_error("rename into place", dest))?;
    partial.disarm();
    sync_dir(dir)?;
    Ok(bytes)
}

/// Copies the stored file at `path` to the caller's `dest`, removing `dest` on failure.
fn copy_out(key: &StorageKey, path: &Path, dest: &Path) -> Result<u64, StorageError> {
    let mut reader = File::open(path).map_err(|e| read_error(key, path, e))?;
    let mut writer = File::create(dest).map_err(|e| StorageError::WriteDestination {
        path: dest.to_path_buf(),
        source: e,
    })?;

    let copied = copy(&mut reader, &mut writer);
    if copied.is_err() {
        let _ = fs::remove_file(dest);
    }
    copied.map_err(|e| match e {
        CopyError::Read(e) => fs_error("read", path)(e),
        CopyError::Write(e) => StorageError::WriteDestination {
            path: dest.to_path_buf(),
            source: e,
        },
    })
}

/// Which side of a copy failed.
enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Copies `reader` to `writer` through a bounded buffer; returns the bytes copied.
fn copy(reader: &mut File, writer: &mut File) -> Result<u64, CopyError> {
    let mut buffer = vec![0u8; COPY_BUFFER_BYTES];
    let mut total = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => return Ok(total),
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };

        writer
            .write_all(&buffer[..read])
            .map_err(CopyError::Write)?;
        total += read as u64;
    }
}

/// A partial file that is removed when dropped, unless it was renamed into place.
struct PartialFile {
    path: PathBuf,
    file: File,
    armed: bool,
}

impl PartialFile {
    fn create(path: PathBuf) -> Result<Self, StorageError> {
        let file = create_new(&path)?;
        Ok(Self {
            path,
            file,
            armed: true,
        })
    }

    fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// `.<name>.<random>.partial`: hidden, unique, and never a valid key.
fn partial_name(name: &str) -> String {
    format!(".{name}.{}{PARTIAL_SUFFIX}", Uuid::new_v4().simple())
}

fn is_partial_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX)
}

fn create_new(path: &Path) -> Result<File, StorageError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(fs_error("create", path))
}

/// Creates `dir` and any missing parents below `root`, flushing each new entry's directory
/// so the new path survives a crash along with the file.
fn create_dirs(root: &Path, dir: &Path) -> Result<(), StorageError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(fs_error("create the directory", dir))?;

    let mut current = dir;
    while current != root {
        let Some(parent) = current.parent() else {
            break;
        };
        sync_dir(parent)?;
        current = parent;
    }
    Ok(())
}

fn sync_parent(path: &Path) -> Result<(), StorageError> {
    sync_dir(parent_of(path)?)
}

/// Flushes a directory's entries. Filesystems that cannot flush a directory (some FUSE
/// mounts) answer `EINVAL` or "unsupported": their own guarantees then apply.
fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    let flushed = File::open(dir).and_then(|handle| handle.sync_all());
    match flushed {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        other => other.map_err(fs_error("flush the directory", dir)),
    }
}

fn parent_of(path: &Path) -> Result<&Path, StorageError> {
    path.parent().ok_or_else(|| StorageError::Filesystem {
        action: "find the directory of",
        path: path.to_path_buf(),
        source: io::Error::from(io::ErrorKind::InvalidInput),
    })
}

fn sweep(root: &Path, min_age: Duration) -> Result<u64, StorageError> {
    let now = SystemTime::now();
    let mut removed = 0;
    let mut pending = vec![root.to_path_buf()];

    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(fs_error("list", &dir))?;
        for entry in entries {
            let entry = entry.map_err(fs_error("list", &dir))?;
            let kind = entry
                .file_type()
                .map_err(fs_error("inspect", &entry.path()))?;
            let name = entry.file_name();
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() && name.to_str().is_some_and(is_partial_name) {
                removed += u64::from(remove_if_stale(&entry.path(), now, min_age)?);
            }
        }
    }
    Ok(removed)
}

fn remove_if_stale(path: &Path, now: SystemTime, min_age: Duration) -> Result<bool, StorageError> {
    let modified = fs::metadata(path).and_then(|m| m.modified());
    let age = match modified {
        Ok(modified) => now.duration_since(modified).unwrap_or_default(),
        Err(e) if is_absent(&e) => return Ok(false),
        Err(e) => return Err(fs_error("inspect", path)(e)),
    };
    if age < min_age {
        return Ok(false);
    }

    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if is_absent(&e) => Ok(false),
        Err(e) => Err(fs_error("remove", path)(e)),
    }
}

/// "Not there": missing, or a key segment that is a file where a directory would be.
fn is_absent(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

fn read_error(key: &StorageKey, path: &Path, error: io::Error) -> StorageError {
    match is_absent(&error) {
        true => StorageError::NotFound {
            key: key.to_string(),
        },
        false => fs_error("open", path)(error),
    }
}

fn fs_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StorageError {
    let path = path.to_path_buf();
    move |source| StorageError::Filesystem {
        action,
        path,
        source,
    }
}

/// Runs blocking filesystem work off the async threads; `context` names the path concerned
/// should the task itself fail.
async fn blocking<T, F>(context: &Path, work: F) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StorageError> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) => Err(fs_error("finish the task on", context)(io::Error::other(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_names_are_hidden_unique_and_recognised() {
        let a = partial_name("doc");
        let b = partial_name("doc");
        assert_ne!(a, b);
        assert!(is_partial_name(&a));
        assert!(StorageKey::new(a).is_err());
        assert!(!is_partial_name("doc"));
    }
}
