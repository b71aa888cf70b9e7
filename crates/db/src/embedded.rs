//! The embedded PostgreSQL: a private server from the pgserver wheel, for the single-machine mode.
//!
//! The cluster lives in `<data dir>/postgres` and listens on a Unix socket only, never on TCP,
//! which is what makes its `trust` authentication safe. One process owns the server; another
//! started on the same data dir while it runs attaches to it, and leaves it running on `stop`.

use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use lucidity_common::config::Config;
use nix::unistd::{Gid, Uid, User};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sqlx::{AssertSqlSafe, Connection};
use tokio::process::Command;
use tracing::{info, warn};

/// Where `scripts/install.sh` unpacks the wheel's binaries.
pub const DEFAULT_BIN_DIR: &str = "/opt/lucidity/pgserver/pginstall/bin";

/// The server binds no TCP port: the number only names the socket file, `.s.PGSQL.5432`.
const PORT: u16 = 5432;

/// `sun_path` holds 108 bytes, the last of them the terminating NUL.
const MAX_SOCKET_PATH_BYTES: usize = 107;

/// How long a server found still starting up (replaying its log after a crash, say) may take
/// before `start` gives up on attaching to it.
const STARTUP_WAIT: Duration = Duration::from_secs(120);

/// How long `pg_ctl start -w` waits; crash recovery of a large cluster can take minutes.
const PG_CTL_TIMEOUT_SECONDS: &str = "300";

/// Lines of the server log quoted when it fails to start.
const LOG_TAIL_LINES: usize = 15;

/// The SQLSTATE of "the database system is starting up".
const CANNOT_CONNECT_NOW: &str = "57P03";

/// The SQLSTATE of "database already exists", when another process created it first.
const DUPLICATE_DATABASE: &str = "42P04";

const DATA_DIR_HINT: &str =
    "set LUCIDITY_DATA_DIR to a path it can reach (for example /var/lib/lucidity)";

const BIN_DIR_HINT: &str = "make the installation readable by all users (scripts/install.sh \
     does) or set LUCIDITY_POSTGRES_BIN to one it can reach";

/// What the embedded server needs to know; [`EmbeddedSettings::from_config`] fills it in.
#[derive(Debug, Clone)]
pub struct EmbeddedSettings {
    /// The directory holding `initdb`, `pg_ctl` and `postgres`. `None` reads
    /// `LUCIDITY_POSTGRES_BIN`, then falls back to [`DEFAULT_BIN_DIR`].
    pub bin_dir: Option<PathBuf>,
    /// The application's data dir; the cluster lives in its `postgres` subdirectory.
    pub data_dir: PathBuf,
    /// The account the server runs as when this process is root, since Postgres refuses root.
    pub os_user: String,
    /// The role `initdb` creates, and the one every connection uses.
    pub superuser: String,
    /// The application's database, created on start when missing.
    pub database: String,
}

impl EmbeddedSettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            bin_dir: config.postgres_bin.clone(),
            data_dir: config.data_dir.clone(),
            os_user: config.postgres_os_user.clone(),
            superuser: config.database.user.clone(),
            database: config.database.name.clone(),
        }
    }

    fn resolved_bin_dir(&self) -> PathBuf {
        if let Some(dir) = &self.bin_dir {
            return dir.clone();
        }
        match std::env::var_os("LUCIDITY_POSTGRES_BIN") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(DEFAULT_BIN_DIR),
        }
    }
}

/// A running embedded server, owned by this process or attached to.
///
/// Dropping it without [`EmbeddedPostgres::stop`] leaves the server running, as a crash would;
/// the next `start` on the same data dir attaches to it.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    /// The cluster's `PGDATA`: `<data dir>/postgres/data`.
    pgdata: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    superuser: String,
    database: String,
    /// The unprivileged account the server runs as when this process is root.
    account: Option<Account>,
    /// `false` when attached to a server another process started: `stop` leaves it running.
    owns_server: bool,
    /// A socket directory made under /tmp because the data dir's path is too long for a
    /// socket; removed on `stop`.
    private_socket_dir: Option<PathBuf>,
}

/// Why the embedded server could not be started, reached or stopped.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "the embedded PostgreSQL is not installed: {path} is missing; run scripts/install.sh \
         (the README's first command) or set LUCIDITY_POSTGRES_BIN to the directory holding \
         initdb, pg_ctl and postgres"
    )]
    MissingBinaries { path: PathBuf },

    #[error(
        "LUCIDITY_POSTGRES_OS_USER is `{user}`: {problem}; Lucidity runs as root, so the \
         embedded PostgreSQL needs an unprivileged account to run as"
    )]
    OsUser { user: String, problem: &'static str },

    #[error(
        "the account `{user}`, which runs the embedded PostgreSQL because Lucidity runs as \
         root, cannot reach {path}: {hint}"
    )]
    Unreachable {
        user: String,
        path: PathBuf,
        hint: &'static str,
    },

    #[error(
        "{path} belongs to uid {owner}, but the embedded PostgreSQL runs as `{user}`: run \
         `chown -R {user} {path}` or set LUCIDITY_POSTGRES_OS_USER to its owner"
    )]
    WrongOwner {
        path: PathBuf,
        owner: u32,
        user: String,
    },

    #[error(
        "{path} holds no complete PostgreSQL cluster (an earlier initdb was interrupted): \
         remove that directory and start again"
    )]
    IncompleteCluster { path: PathBuf },

    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },

    #[error("could not run {program}: {source}")]
    Spawn { program: PathBuf, source: io::Error },

    #[error("initdb failed for {pgdata} ({status}):\n{output}")]
    Initdb {
        pgdata: PathBuf,
        status: ExitStatus,
        output: String,
    },

    #[error("the embedded PostgreSQL did not start ({status}); the end of {log}:\n{tail}")]
    Start {
        status: ExitStatus,
        log: PathBuf,
        tail: String,
    },

    #[error("the embedded PostgreSQL in {pgdata} did not stop ({status}):\n{output}")]
    Stop {
        pgdata: PathBuf,
        status: ExitStatus,
        output: String,
    },

    #[error("the embedded PostgreSQL at {socket_dir} refused a connection: {source}")]
    Connect {
        socket_dir: PathBuf,
        source: sqlx::Error,
    },

    #[error("could not create the database `{database}`: {source}")]
    CreateDatabase {
        database: String,
        source: sqlx::Error,
    },
}

/// An unprivileged account to run the server as.
#[derive(Debug, Clone)]
struct Account {
    name: String,
    uid: Uid,
    gid: Gid,
}

/// Where a running server answers, as its `postmaster.pid` records it.
#[derive(Debug, PartialEq, Eq)]
struct Endpoint {
    socket_dir: PathBuf,
    port: u16,
}

/// What a connection attempt says about the server behind a socket.
enum Probe {
    Ready,
    Absent,
    StartingUp(sqlx::Error),
    Refused(sqlx::Error),
}

impl EmbeddedPostgres {
    /// Starts the server, running `initdb` first when the cluster does not exist yet, or
    /// attaches to the server another process runs on the same data dir; then creates the
    /// database when it is missing.
    pub async fn start(settings: EmbeddedSettings) -> Result<Self, EmbeddedError> {
        let bin_dir = settings.resolved_bin_dir();
        check_binaries(&bin_dir)?;
        let account = account_for(&settings.os_user)?;

        let data_dir = create_data_dir(&settings.data_dir)?;
        if let Some(account) = &account {
            check_binaries_reachable(account, &bin_dir)?;
            check_reachable(account, &data_dir, DATA_DIR_HINT)?;
        }
        let root = data_dir.join("postgres");
        create_owned_dir(&root, account.as_ref())?;

        let mut server = Self {
            bin_dir,
            pgdata: root.join("data"),
            socket_dir: root.clone(),
            port: PORT,
            superuser: settings.superuser,
            database: settings.database,
            account,
            owns_server: false,
            private_socket_dir: None,
        };
        server.initdb_once().await?;

        if let Some(endpoint) = server.running_endpoint().await? {
            server.attach(endpoint);
        } else {
            server.launch(&root).await?;
        }
        server.create_database_or_stop().await
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn superuser(&self) -> &str {
        &self.superuser
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// `false` when this handle attached to a server that another process started.
    pub fn owns_server(&self) -> bool {
        self.owns_server
    }

    /// Options for connecting to the application's database.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.options_for("postgres").database(&self.database)
    }

    /// Stops the server with `pg_ctl stop -m fast -w`, or does nothing when another process
    /// owns it.
    pub async fn stop(self) -> Result<(), EmbeddedError> {
        if !self.owns_server {
            info!(pgdata = %self.pgdata.display(), "leaving the embedded PostgreSQL running");
            return Ok(());
        }

        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("stop")
            .arg("-D")
            .arg(&self.pgdata)
            .args(["-m", "fast", "-w"]);
        let output = run(pg_ctl, &self.bin_dir.join("pg_ctl")).await?;
        if !output.status.success() && self.pgdata.join("postmaster.pid").exists() {
            return Err(EmbeddedError::Stop {
                pgdata: self.pgdata.clone(),
                status: output.status,
                output: combined(&output),
            });
        }
        info!(pgdata = %self.pgdata.display(), "stopped the embedded PostgreSQL");

        if let Some(dir) = &self.private_socket_dir
            && let Err(error) = std::fs::remove_dir_all(dir)
        {
            warn!(socket_dir = %dir.display(), %error, "could not remove the socket dir");
        }
        Ok(())
    }

    /// Creates the cluster unless `PG_VERSION` shows it exists.
    async fn initdb_once(&self) -> Result<(), EmbeddedError> {
        if self.pgdata.join("PG_VERSION").exists() {
            return Ok(());
        }
        if !dir_is_empty_or_missing(&self.pgdata)? {
            return Err(EmbeddedError::IncompleteCluster {
                path: self.pgdata.clone(),
            });
        }

        info!(pgdata = %self.pgdata.display(), "creating the embedded PostgreSQL cluster");
        let mut initdb = self.command("initdb");
        initdb
            .arg("-D")
            .arg(&self.pgdata)
            .arg(format!("--username={}", self.superuser))
            .args(["--encoding=UTF8", "--locale=C", "--auth=trust"]);
        let output = run(initdb, &self.bin_dir.join("initdb")).await?;
        if !output.status.success() {
            return Err(EmbeddedError::Initdb {
                pgdata: self.pgdata.clone(),
                status: output.status,
                output: combined(&output),
            });
        }
        Ok(())
    }

    /// The endpoint of a live server on this cluster, if its `postmaster.pid` names one that
    /// answers. A server still starting up is waited for.
    async fn running_endpoint(&self) -> Result<Option<Endpoint>, EmbeddedError> {
        let Some(endpoint) = read_pid_file(&self.pgdata)? else {
            return Ok(None);
        };
        let options = self.options_for("postgres");
        let options = options.socket(&endpoint.socket_dir).port(endpoint.port);

        let deadline = Instant::now() + STARTUP_WAIT;
        loop {
            match probe(&options).await {
                Probe::Ready => return Ok(Some(endpoint)),
                Probe::Absent => return Ok(None),
                Probe::StartingUp(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Probe::StartingUp(source) | Probe::Refused(source) => {
                    let socket_dir = endpoint.socket_dir;
                    return Err(EmbeddedError::Connect { socket_dir, source });
                }
            }
        }
    }

    fn attach(&mut self, endpoint: Endpoint) {
        info!(
            pgdata = %self.pgdata.display(),
            "attached to the embedded PostgreSQL another process runs"
        );
        self.socket_dir = endpoint.socket_dir;
        self.port = endpoint.port;
        self.owns_server = false;
    }

    /// Runs `pg_ctl start -w`. When it fails because another process started the server a
    /// moment earlier, attaches to that one instead.
    async fn launch(&mut self, root: &Path) -> Result<(), EmbeddedError> {
        self.choose_socket_dir(root)?;
        let log = root.join("postgres.log");
        info!(pgdata = %self.pgdata.display(), "starting the embedded PostgreSQL");

        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("start")
            .arg("-D")
            .arg(&self.pgdata)
            .arg("-l")
            .arg(&log);
        pg_ctl.args(["-w", "-t", PG_CTL_TIMEOUT_SECONDS, "-o"]);
        pg_ctl.arg(server_options(&self.socket_dir, self.port));
        let output = run(pg_ctl, &self.bin_dir.join("pg_ctl")).await?;
        if output.status.success() {
            self.owns_server = true;
            return Ok(());
        }

        self.remove_private_socket_dir();
        if let Ok(Some(endpoint)) = self.running_endpoint().await {
            self.attach(endpoint);
            return Ok(());
        }
        let tail = log_tail(&log);
        Err(EmbeddedError::Start {
            status: output.status,
            log,
            tail,
        })
    }

    /// Keeps the socket in the cluster's directory unless that path is too long for a
    /// socket, in which case a fresh private directory under /tmp holds it.
    fn choose_socket_dir(&mut self, root: &Path) -> Result<(), EmbeddedError> {
        let socket = root.join(format!(".s.PGSQL.{}", self.port));
        if socket.as_os_str().len() <= MAX_SOCKET_PATH_BYTES {
            self.socket_dir = root.to_path_buf();
            return Ok(());
        }

        // mkdtemp replaces the trailing six placeholder characters with random ones.
        let template = format!("/tmp/lucidity-pg-{}", "X".repeat(6));
        let dir = nix::unistd::mkdtemp(template.as_str()).map_err(|errno| EmbeddedError::Io {
            action: "create a socket directory in",
            path: PathBuf::from("/tmp"),
            source: errno.into(),
        })?;
        if let Some(account) = &self.account {
            chown(&dir, account)?;
        }
        info!(socket_dir = %dir.display(), "the data dir's path is too long for a socket");

        self.socket_dir = dir.clone();
        self.private_socket_dir = Some(dir);
        Ok(())
    }

    fn remove_private_socket_dir(&mut self) {
        if let Some(dir) = self.private_socket_dir.take() {
            // Best effort: the directory is empty and private, so a leftover is harmless.
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// Creates the application's database when missing. A server this call started is
    /// stopped again when that fails, so no orphan is left behind.
    async fn create_database_or_stop(self) -> Result<Self, EmbeddedError> {
        match self.create_database().await {
            Ok(()) => Ok(self),
            Err(error) => {
                if let Err(stop_error) = self.stop().await {
                    warn!(error = %stop_error, "could not stop the embedded PostgreSQL");
                }
                Err(error)
            }
        }
    }

    async fn create_database(&self) -> Result<(), EmbeddedError> {
        let options = self.options_for("postgres");
        let mut conn = PgConnection::connect_with(&options)
            .await
            .map_err(|source| EmbeddedError::Connect {
                socket_dir: self.socket_dir.clone(),
                source,
            })?;
        let creation_failed = |source| EmbeddedError::CreateDatabase {
            database: self.database.clone(),
            source,
        };

        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&self.database)
                .fetch_one(&mut conn)
                .await
                .map_err(creation_failed)?;
        if exists {
            return Ok(());
        }

        let sql = format!("CREATE DATABASE {}", quote_identifier(&self.database));
        match sqlx::query(AssertSqlSafe(sql)).execute(&mut conn).await {
            Ok(_) => {
                info!(database = %self.database, "created the database");
                Ok(())
            }
            Err(error) if sqlstate(&error) == Some(DUPLICATE_DATABASE) => Ok(()),
            Err(error) => Err(creation_failed(error)),
        }
    }

    fn options_for(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .socket(&self.socket_dir)
            .port(self.port)
            .username(&self.superuser)
            .database(database)
            .ssl_mode(PgSslMode::Disable)
    }

    /// A command for one of the server's programs, run as the server's account when this
    /// process is root, from a directory that account can enter.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(program));
        command.stdin(Stdio::null());
        if let Some(root) = self.pgdata.parent() {
            command.current_dir(root);
        }
        for variable in ["PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGOPTIONS"] {
            command.env_remove(variable);
        }
        if let Some(account) = &self.account {
            command.uid(account.uid.as_raw()).gid(account.gid.as_raw());
        }
        command
    }
}

fn check_binaries(bin_dir: &Path) -> Result<(), EmbeddedError> {
    for program in ["initdb", "pg_ctl", "postgres"] {
        let path = bin_dir.join(program);
        if !path.is_file() {
            return Err(EmbeddedError::MissingBinaries { path });
        }
    }
    Ok(())
}

/// The account to run the server as: `None` unless this process is root.
fn account_for(os_user: &str) -> Result<Option<Account>, EmbeddedError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let problem = |problem| EmbeddedError::OsUser {
        user: os_user.to_owned(),
        problem,
    };

    let user = match User::from_name(os_user) {
        Ok(Some(user)) => user,
        Ok(None) => return Err(problem("no such account exists on this machine")),
        Err(_) => return Err(problem("the account database could not be read")),
    };
    if user.uid.is_root() {
        return Err(problem("PostgreSQL refuses to run as root"));
    }
    Ok(Some(Account {
        name: user.name,
        uid: user.uid,
        gid: user.gid,
    }))
}

fn create_data_dir(data_dir: &Path) -> Result<PathBuf, EmbeddedError> {
    let io_error = |action| {
        move |source| EmbeddedError::Io {
            action,
            path: data_dir.to_path_buf(),
            source,
        }
    };
    std::fs::create_dir_all(data_dir).map_err(io_error("create the data dir"))?;
    std::fs::canonicalize(data_dir).map_err(io_error("resolve the data dir"))
}

/// Creates `dir` private to the server's account, or checks that account owns it already.
fn create_owned_dir(dir: &Path, account: Option<&Account>) -> Result<(), EmbeddedError> {
    let created = match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => true,
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => false,
        Err(source) => {
            let path = dir.to_path_buf();
            return Err(EmbeddedError::Io {
                action: "create",
                path,
                source,
            });
        }
    };
    let Some(account) = account else {
        return Ok(());
    };
    if created {
        return chown(dir, account);
    }

    let owner = metadata(dir)?.uid();
    if owner != account.uid.as_raw() {
        let (path, user) = (dir.to_path_buf(), account.name.clone());
        return Err(EmbeddedError::WrongOwner { path, owner, user });
    }
    Ok(())
}

fn chown(path: &Path, account: &Account) -> Result<(), EmbeddedError> {
    std::os::unix::fs::chown(path, Some(account.uid.as_raw()), Some(account.gid.as_raw())).map_err(
        |source| EmbeddedError::Io {
            action: "hand over to the server's account",
            path: path.to_path_buf(),
            source,
        },
    )
}

fn check_binaries_reachable(account: &Account, bin_dir: &Path) -> Result<(), EmbeddedError> {
    for program in ["initdb", "pg_ctl", "postgres"] {
        let path = bin_dir.join(program);
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        check_reachable(account, &path, BIN_DIR_HINT)?;
    }
    Ok(())
}

/// Checks that `account` may search every directory down to `path` and `path` itself, by
/// the owner, group and other bits (its supplementary groups are dropped when it runs).
/// Access control lists are not consulted.
fn check_reachable(
    account: &Account,
    path: &Path,
    hint: &'static str,
) -> Result<(), EmbeddedError> {
    let ancestors: Vec<&Path> = path.ancestors().collect();
    for dir in ancestors.into_iter().rev() {
        let meta = metadata(dir)?;
        let mode = meta.mode();
        let bit = if meta.uid() == account.uid.as_raw() {
            0o100
        } else if meta.gid() == account.gid.as_raw() {
            0o010
        } else {
            0o001
        };
        if mode & bit == 0 {
            let (user, path) = (account.name.clone(), dir.to_path_buf());
            return Err(EmbeddedError::Unreachable { user, path, hint });
        }
    }
    Ok(())
}

fn metadata(path: &Path) -> Result<std::fs::Metadata, EmbeddedError> {
    std::fs::metadata(path).map_err(|source| EmbeddedError::Io {
        action: "inspect",
        path: path.to_path_buf(),
        source,
    })
}

fn dir_is_empty_or_missing(dir: &Path) -> Result<bool, EmbeddedError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(source) => Err(EmbeddedError::Io {
            action: "read",
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Reads where the server recorded in `postmaster.pid` listens; `None` when there is no such
/// file or it names no socket.
fn read_pid_file(pgdata: &Path) -> Result<Option<Endpoint>, EmbeddedError> {
    let path = pgdata.join("postmaster.pid");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(parse_pid_file(&text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(EmbeddedError::Io {
            action: "read",
            path,
            source,
        }),
    }
}

/// `postmaster.pid` holds, one a line: the pid, the data dir, the start time, the port, the
/// first socket directory, the listen address, the shared memory key and the status.
fn parse_pid_file(text: &str) -> Option<Endpoint> {
    let lines: Vec<&str> = text.lines().collect();
    let port = lines.get(3)?.trim().parse().ok()?;
    let socket_dir = lines.get(4)?.trim();
    if socket_dir.is_empty() {
        return None;
    }
    Some(Endpoint {
        socket_dir: PathBuf::from(socket_dir),
        port,
    })
}

async fn probe(options: &PgConnectOptions) -> Probe {
    match PgConnection::connect_with(options).await {
        Ok(conn) => {
            // The probe has its answer; a failed goodbye changes nothing.
            let _ = conn.close().await;
            Probe::Ready
        }
        Err(sqlx::Error::Io(_)) => Probe::Absent,
        Err(error) if sqlstate(&error) == Some(CANNOT_CONNECT_NOW) => Probe::StartingUp(error),
        Err(error) => Probe::Refused(error),
    }
}

fn sqlstate(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) => match db.code() {
            Some(std::borrow::Cow::Borrowed(code)) => Some(code),
            _ => None,
        },
        _ => None,
    }
}

/// The options `pg_ctl` hands the server through `/bin/sh`: no TCP, a private socket.
fn server_options(socket_dir: &Path, port: u16) -> String {
    let dir = socket_dir.to_string_lossy().replace('"', "\"\"");
    let sockets = shell_quote(&format!("unix_socket_directories=\"{dir}\""));
    format!("-c listen_addresses='' -c {sockets} -c unix_socket_permissions=0700 -p {port}")
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn run(mut command: Command, program: &Path) -> Result<Output, EmbeddedError> {
    command
        .output()
        .await
        .map_err(|source| EmbeddedError::Spawn {
            program: program.to_path_buf(),
            source,
        })
}

fn combined(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    format!("{}{}", stdout, stderr).trim_end().to_owned()
}

fn log_tail(log: &Path) -> String {
    match std::fs::read_to_string(log) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
        }
        Err(error) => format!("(the log could not be read: {error})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pid_file_yields_the_socket_dir_and_port() {
        let text = "123\n/d/pgdata\n1700000000\n5432\n/d/postgres\n\n  42\nready   \n";
        let endpoint = parse_pid_file(text).expect("an endpoint");
        assert_eq!(
            endpoint,
            Endpoint {
                socket_dir: "/d/postgres".into(),
                port: 5432
            }
        );
    }

    #[test]
    fn a_pid_file_without_a_socket_names_no_endpoint() {
        assert_eq!(parse_pid_file("123\n/d/pgdata\n1700000000\n5432\n\n"), None);
        assert_eq!(parse_pid_file("123\n"), None);
    }

    #[test]
    fn server_options_survive_quotes_in_the_socket_path() {
        let options = server_options(Path::new("/tmp/it's \"here\""), 5432);
        assert!(options.contains(r#"'unix_socket_directories="/tmp/it'\''s ""here"""'"#));
    }

    #[test]
    fn identifiers_are_quoted_for_sql() {
        assert_eq!(quote_identifier(r#"odd"name"#), r#""odd""name""#);
    }
}
