//! The PostgreSQL a backup reads or a restore writes: the embedded server under
//! `LUCIDITY_DATA_DIR`, or the external one of `POSTGRES_*`. This process reaches it through
//! sqlx; `pg_dump` and `pg_restore` reach it through libpq's environment variables, so the
//! password never appears in a process listing.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use lucidity_common::Config;
use lucidity_common::config::PgSslMode;
use lucidity_db::embedded::{DEFAULT_BIN_DIR, EmbeddedPostgres, EmbeddedSettings};
use lucidity_db::pool;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};
use tokio::process::Command;

/// libpq variables cleared before a client program starts, so that none the operator's shell
/// happens to hold redirects it to another server, database or account.
const LIBPQ_VARIABLES: [&str; 16] = [
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGDATABASE",
    "PGUSER",
    "PGPASSWORD",
    "PGPASSFILE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGOPTIONS",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "PGSSLCERT",
    "PGSSLKEY",
    "PGAPPNAME",
    "PGTARGETSESSIONATTRS",
];

/// The SQLSTATE of "database does not exist".
const INVALID_CATALOG_NAME: &str = "3D000";

/// The application name of every Lucidity process's connections (see `lucidity_db::pool`).
pub const APPLICATION_NAME: &str = "contract-lucidity";

/// An open target: where it is, and the embedded server when this process started one.
pub struct Target {
    /// Options for this process's own connections.
    options: PgConnectOptions,
    /// libpq settings for the client programs; the password, if any, is among them.
    client_env: Vec<(&'static str, String)>,
    /// Where to look for `pg_dump` and `pg_restore`, in order; `None` stands for `PATH`.
    bin_dirs: Vec<Option<PathBuf>>,
    /// The database's name, which `pg_restore` needs on its command line.
    database: String,
    /// Where the database is, for messages: never a password.
    description: String,
    embedded: Option<EmbeddedPostgres>,
}

impl Target {
    /// Starts the embedded server (or attaches to the `serve` running it), or prepares to
    /// reach the external one; nothing connects to an external server yet.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        match config.uses_embedded_postgres() {
            true => Self::embedded(config).await,
            false => Self::external(config),
        }
    }

    async fn embedded(config: &Config) -> anyhow::Result<Self> {
        let server = EmbeddedPostgres::start(EmbeddedSettings::from_config(config)).await?;
        let client_env = vec![
            ("PGHOST", server.socket_dir().display().to_string()),
            ("PGPORT", server.port().to_string()),
            ("PGUSER", server.superuser().to_string()),
            ("PGDATABASE", server.database().to_string()),
            ("PGSSLMODE", "disable".to_string()),
        ];
        let description = format!(
            "the embedded PostgreSQL in {}",
            config.data_dir.join("postgres").display()
        );
        Ok(Self {
            options: server.connect_options(),
            client_env,
            // The wheel's own client programs, whose version is the server's.
            bin_dirs: vec![Some(bundled_bin_dir(config))],
            database: server.database().to_string(),
            description,
            embedded: Some(server),
        })
    }

    fn external(config: &Config) -> anyhow::Result<Self> {
        let db = &config.database;
        let host = db.host.clone().unwrap_or_default();
        let mut client_env = vec![
            ("PGHOST", host.clone()),
            ("PGPORT", db.port.to_string()),
            ("PGUSER", db.user.clone()),
            ("PGDATABASE", db.name.clone()),
            ("PGSSLMODE", libpq_ssl_mode(db.ssl_mode).to_string()),
            ("PGAPPNAME", APPLICATION_NAME.to_string()),
        ];
        if !db.password.is_empty() {
            client_env.push(("PGPASSWORD", db.password.expose().to_string()));
        }
        match (&db.ssl_root_cert, db.ssl_mode) {
            (Some(path), _) => client_env.push(("PGSSLROOTCERT", path.display().to_string())),
            // sqlx verifies against the system's roots; libpq 16 does so when told `system`.
            (None, PgSslMode::VerifyFull) => client_env.push(("PGSSLROOTCERT", "system".into())),
            (None, _) => {}
        }

        // The operator's choice first; then the distribution's programs, built with TLS,
        // which RDS requires; then the wheel's, built without it.
        let bin_dirs = match &config.postgres_bin {
            Some(dir) => vec![Some(dir.clone()), None],
            None => vec![None, Some(PathBuf::from(DEFAULT_BIN_DIR))],
        };
        Ok(Self {
            options: pool::external_options(db)?,
            client_env,
            bin_dirs,
            database: db.name.clone(),
            description: format!("{host}:{}/{}", db.port, db.name),
            embedded: None,
        })
    }

    pub fn describe(&self) -> &str {
        &self.description
    }

    /// True when the embedded server belongs to a `lucidity serve` still running on the data
    /// directory: this process attached to it instead of starting its own.
    pub fn is_in_use_by_serve(&self) -> bool {
        self.embedded.as_ref().is_some_and(|s| !s.owns_server())
    }

    pub async fn connect(&self) -> anyhow::Result<PgConnection> {
        self.options
            .connect()
            .await
            .with_context(|| format!("cannot connect to {}", self.description))
    }

    /// Creates the external database when the server has none of that name, as a fresh RDS
    /// instance may not. The embedded server created its own on start.
    pub async fn create_database_if_missing(&self) -> anyhow::Result<()> {
        if self.embedded.is_some() {
            return Ok(());
        }
        let error = match self.options.connect().await {
            Ok(conn) => return Ok(conn.close().await?),
            Err(error) => error,
        };
        let missing = error
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|code| code == INVALID_CATALOG_NAME);
        if !missing {
            return Err(error).with_context(|| format!("cannot connect to {}", self.description));
        }

        let mut conn = self
            .options
            .clone()
            .database("postgres")
            .connect()
            .await
            .with_context(|| format!("cannot connect to create {}", self.description))?;
        let sql = format!("CREATE DATABASE {}", quote_identifier(&self.database));
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .with_context(|| format!("cannot create the database of {}", self.description))?;
        conn.close().await?;
        tracing::info!(database = %self.database, "created the database");
        Ok(())
    }

    /// The client programs for this server, found on `conn`'s server version: `pg_dump`
    /// refuses a server of a newer major version than its own.
    pub async fn client(&self, conn: &mut PgConnection) -> anyhow::Result<Client> {
        let server_major: i32 =
            sqlx::query_scalar("SELECT current_setting('server_version_num')::int / 10000")
                .fetch_one(&mut *conn)
                .await?;
        let server_major = u32::try_from(server_major).unwrap_or(0);

        let mut seen = Vec::new();
        for dir in &self.bin_dirs {
            let program = program_path(dir.as_ref(), "pg_dump");
            match major_version(&program).await {
                Some(major) if major >= server_major => {
                    return Ok(Client {
                        bin_dir: dir.clone(),
                        env: self.client_env.clone(),
                        database: self.database.clone(),
                        external: self.embedded.is_none(),
                    });
                }
                Some(major) => seen.push(format!("{} is version {major}", program.display())),
                None => seen.push(format!("{} is missing", program.display())),
            }
        }
        bail!(
            "no pg_dump of PostgreSQL {server_major} or newer ({}): install the client \
             programs of the server's version (postgresql-client-{server_major} from \
             apt.postgresql.org on Debian and Ubuntu) or set LUCIDITY_POSTGRES_BIN to their \
             directory",
            seen.join(", ")
        )
    }

    /// Stops the embedded server if this process started it.
    pub async fn close(self) -> anyhow::Result<()> {
        if let Some(server) = self.embedded {
            server
                .stop()
                .await
                .context("failed to stop the embedded PostgreSQL")?;
        }
        Ok(())
    }
}

/// `pg_dump` and `pg_restore` of a version fit for the target, and how to reach it.
pub struct Client {
    /// Their directory; `None` runs them from `PATH`.
    bin_dir: Option<PathBuf>,
    env: Vec<(&'static str, String)>,
    database: String,
    /// For the advice on failure: only an external server may require TLS.
    external: bool,
}

impl Client {
    /// A client program set up to reach the target, with no input and its error output
    /// captured; the caller adds the arguments and says where standard output goes.
    pub fn command(&self, name: &str) -> Command {
        let mut command = Command::new(program_path(self.bin_dir.as_ref(), name));
        for variable in LIBPQ_VARIABLES {
            command.env_remove(variable);
        }
        command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .arg("--no-password")
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// The database as a libpq connection string, for `pg_restore --dbname`, which reads a
    /// bare name containing `=` as a connection string.
    pub fn dbname_conninfo(&self) -> String {
        let escaped = self.database.replace('\\', r"\\").replace('\'', r"\'");
        format!("dbname='{escaped}'")
    }

    /// Runs a command from [`Client::command`] to the end and fails with the program's own
    /// words. Standard output stays where the caller set it (`Command::output` would
    /// capture it).
    pub async fn run(&self, mut command: Command, name: &str) -> anyhow::Result<()> {
        let child = command
            .spawn()
            .with_context(|| format!("cannot run {name}"))?;
        let output = child
            .wait_with_output()
            .await
            .with_context(|| format!("cannot wait for {name}"))?;
        if output.status.success() {
            return Ok(());
        }

        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut message = format!("{name} failed ({}):\n{}", output.status, stderr.trim_end());
        if self.external && self.lacks_tls().await {
            message.push_str(
                "\n(these client programs were built without TLS, which a server such as RDS \
                 requires: install the distribution's postgresql-client of the server's \
                 version)",
            );
        }
        Err(anyhow::anyhow!(message))
    }

    /// Whether the programs' `pg_config` says they were built without OpenSSL, as the
    /// wheel's are.
    async fn lacks_tls(&self) -> bool {
        let pg_config = program_path(self.bin_dir.as_ref(), "pg_config");
        let output = Command::new(pg_config).arg("--configure").output().await;
        output.is_ok_and(|output| {
            let flags = String::from_utf8_lossy(&output.stdout);
            output.status.success() && !flags.contains("ssl")
        })
    }
}

fn program_path(dir: Option<&PathBuf>, name: &str) -> PathBuf {
    match dir {
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    }
}

/// The major version a client program reports, or `None` when it cannot be run.
async fn major_version(program: &Path) -> Option<u32> {
    let output = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .ok()?;
    match output.status.success() {
        true => parse_major_version(&String::from_utf8_lossy(&output.stdout)),
        false => None,
    }
}

/// `pg_dump (PostgreSQL) 16.2` or `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`.
fn parse_major_version(text: &str) -> Option<u32> {
    let (_, version) = text.split_once("(PostgreSQL) ")?;
    let major = version.split(|c: char| !c.is_ascii_digit()).next()?;
    major.parse().ok()
}

/// `LUCIDITY_POSTGRES_BIN`, or where `scripts/install.sh` unpacks the wheel.
fn bundled_bin_dir(config: &Config) -> PathBuf {
    config
        .postgres_bin
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_BIN_DIR))
}

fn libpq_ssl_mode(mode: PgSslMode) -> &'static str {
    match mode {
        PgSslMode::Disable => "disable",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    }
}

pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_name_is_quoted_for_libpq_and_for_sql() {
        assert_eq!(quote_identifier(r#"odd"name"#), r#""odd""name""#);
        let client = Client {
            bin_dir: None,
            env: Vec::new(),
            database: r"it's\here".to_string(),
            external: true,
        };
        assert_eq!(client.dbname_conninfo(), r"dbname='it\'s\\here'");
    }

    #[test]
    fn the_major_version_is_read_from_version_lines() {
        assert_eq!(parse_major_version("pg_dump (PostgreSQL) 16.2\n"), Some(16));
        let debian = "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n";
        assert_eq!(parse_major_version(debian), Some(15));
        assert_eq!(parse_major_version("pg_dump 9"), None);
    }
}
