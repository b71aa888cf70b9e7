//! A real `lucidity serve` for the memory part: this same binary on the embedded default, in
//! a fresh temporary data directory, on free loopback ports, with a clean environment so
//! neither the operator's variables nor a `.env` file change what is measured. It is stopped
//! with SIGTERM, so the embedded PostgreSQL stops with it, also when the benchmark fails.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;

/// Variables passed through from the benchmark's environment: where programs and the
/// PostgreSQL binaries are, and where temporary files go.
const KEPT_VARIABLES: [&str; 5] = [
    "PATH",
    "HOME",
    "TMPDIR",
    "LUCIDITY_POSTGRES_BIN",
    "LUCIDITY_POSTGRES_OS_USER",
];

/// Time allowed from launch until `/api/ready` answers; a first start runs `initdb`.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// Time allowed from SIGTERM until the process (and its PostgreSQL) is gone.
const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines of the server's log shown when it fails; logs never hold document text.
const LOG_TAIL_LINES: usize = 20;

/// A running `lucidity serve` and the temporary directory it lives in.
pub struct Server {
    child: Child,
    data: tempfile::TempDir,
    /// The front door, as users reach it: `http://127.0.0.1:PORT`.
    pub web_url: String,
}

impl Server {
    /// Starts `serve` with `MAX_UPLOAD_SIZE_MB=max_upload_mb` and waits until it is ready.
    pub async fn start(max_upload_mb: u64) -> anyhow::Result<Self> {
        let data = tempfile::Builder::new()
            .prefix("lucidity-bench-")
            .tempdir()
            .context("cannot create a temporary data directory")?;
        // Started as root, PostgreSQL runs as an unprivileged account that must enter it.
        std::fs::set_permissions(
            data.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .context("cannot open the data directory to the PostgreSQL account")?;

        let (api_port, web_port) = (free_port()?, free_port()?);
        let log = File::create(data.path().join("serve.log")).context("cannot create the log")?;
        let mut command = Command::new(std::env::current_exe()?);
        command.arg("serve").current_dir(data.path()).env_clear();
        for name in KEPT_VARIABLES {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        command
            .env("LUCIDITY_DATA_DIR", data.path())
            .env("API_PORT", api_port.to_string())
            .env("WEB_PORT", web_port.to_string())
            .env("BIND_ADDRESS", "127.0.0.1")
            .env("MAX_UPLOAD_SIZE_MB", max_upload_mb.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);

        let child = command.spawn().context("cannot start `lucidity serve`")?;
        let mut server = Self {
            child,
            data,
            web_url: format!("http://127.0.0.1:{web_port}"),
        };
        server.wait_ready().await?;
        Ok(server)
    }

    /// The server's `LUCIDITY_DATA_DIR`.
    pub fn data_dir(&self) -> String {
        self.data.path().display().to_string()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The embedded PostgreSQL's main process, from its `postmaster.pid`.
    pub fn postmaster_pid(&self) -> Option<u32> {
        postmaster_pid(&self.data.path().join("postgres/data/postmaster.pid"))
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let url = format!("{}/api/ready", self.web_url);
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("`lucidity serve` exited ({status}):\n{}", self.log_tail());
            }
            let answer = http.get(&url).send().await;
            if answer.is_ok_and(|a| a.status().is_success()) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "`lucidity serve` was not ready in time:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the server with SIGTERM and waits for it to exit.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.terminate()?;
        let deadline = Instant::now() + STOP_TIMEOUT;
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill()?;
                bail!("`lucidity serve` ignored SIGTERM:\n{}", self.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    fn terminate(&self) -> anyhow::Result<()> {
        let pid = i32::try_from(self.child.id()).context("process id out of range")?;
        signal::kill(Pid::from_raw(pid), Signal::SIGTERM).context("cannot send SIGTERM")
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
    }

    fn log_path(&self) -> PathBuf {
        self.data.path().join("serve.log")
    }
}

impl Drop for Server {
    /// A benchmark that fails half-way still stops the server and its PostgreSQL before the
    /// data directory is removed.
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) || self.terminate().is_err() {
            return;
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        // Still running: kill it rather than leave it behind (PostgreSQL may then linger).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("no free port")?;
    Ok(listener.local_addr()?.port())
}

/// The first line of a `postmaster.pid` file.
fn postmaster_pid(path: &std::path::Path) -> Option<u32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().next()?.trim().parse().ok()
}
