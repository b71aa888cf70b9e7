//! Helpers for the database tests: scratch directories the embedded server can use.
//!
//! Each scratch directory is reachable by the unprivileged account the server runs as when
//! the tests run as root, and on drop it stops any server a failed test left running in it.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use lucidity_db::embedded::{DEFAULT_BIN_DIR, EmbeddedSettings};

/// Makes scratch names unique within one test binary; the pid separates binaries.
static NEXT_SCRATCH: AtomicU32 = AtomicU32::new(0);

/// A fresh directory under the system's temporary directory, removed on drop.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    pub fn new() -> Self {
        let number = NEXT_SCRATCH.fetch_add(1, Ordering::Relaxed);
        let name = format!("lucidity-db-{}-{number}", std::process::id());
        let path = std::env::temp_dir().join(name);

        std::fs::DirBuilder::new()
            .mode(0o755)
            .create(&path)
            .expect("the scratch directory is created");
        // The umask may have narrowed the mode; the server's account must enter it.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("the scratch directory is made reachable");
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Settings for a server whose data dir is `relative` inside this scratch directory.
    pub fn settings(&self, relative: &str) -> EmbeddedSettings {
        EmbeddedSettings {
            bin_dir: None,
            data_dir: self.path.join(relative),
            os_user: "nobody".to_owned(),
            superuser: "cl_user".to_owned(),
            database: "lucidity_test".to_owned(),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for pid_file in pid_files(&self.path) {
            if let Some(pgdata) = pid_file.parent() {
                stop_immediately(pgdata);
            }
        }
        // Best effort: a leftover directory under the temporary directory harms nothing.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The bin dir the library itself would pick for `bin_dir: None`.
pub fn bin_dir() -> PathBuf {
    match std::env::var_os("LUCIDITY_POSTGRES_BIN") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(DEFAULT_BIN_DIR),
    }
}

pub fn running_as_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Every `postmaster.pid` below `dir`, a few levels deep.
fn pid_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), 0)];
    while let Some((dir, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path
                .file_name()
                .is_some_and(|name| name == "postmaster.pid")
            {
                found.push(path);
            } else if path.is_dir() && depth < 12 {
                pending.push((path, depth + 1));
            }
        }
    }
    found
}

/// Stops the server on `pgdata` as the account that owns it, without a checkpoint.
fn stop_immediately(pgdata: &Path) {
    let mut pg_ctl = Command::new(bin_dir().join("pg_ctl"));
    pg_ctl
        .arg("stop")
        .arg("-D")
        .arg(pgdata)
        .args(["-m", "immediate", "-w"]);
    pg_ctl
        .current_dir("/")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if running_as_root()
        && let Ok(meta) = std::fs::metadata(pgdata)
    {
        pg_ctl.uid(meta.uid()).gid(meta.gid());
    }
    // Best effort: this only cleans up after a test that already failed.
    let _ = pg_ctl.status();
}

/// Kills the postmaster of `pgdata` with SIGKILL, as a crash would, and waits until it and
/// its children are gone.
pub async fn kill_postmaster(pgdata: &Path) {
    let pid_file = std::fs::read_to_string(pgdata.join("postmaster.pid")).expect("a pid file");
    let pid: i32 = pid_file
        .lines()
        .next()
        .and_then(|line| line.parse().ok())
        .expect("a pid");
    let pid = nix::unistd::Pid::from_raw(pid);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).expect("the kill is sent");

    for _ in 0..200 {
        if nix::sys::signal::kill(pid, None).is_err() && !has_children(pid) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the killed postmaster's processes did not exit");
}

/// Whether any process still names `parent` as its parent.
fn has_children(parent: nix::unistd::Pid) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // The parent pid is the second field after the parenthesised command name.
        let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        after_name.split_whitespace().nth(1) == Some(parent.to_string().as_str())
    })
}
