//! Connections to PostgreSQL.
//!
//! The external server (production's RDS, or any PostgreSQL 16 with pgvector) is reached with
//! the `POSTGRES_*` settings and TLS as `POSTGRES_SSLMODE` says; `prefer`, the default, uses
//! TLS whenever the server offers it, which RDS requires.

use std::time::Duration;

use lucidity_common::config::{DatabaseConfig, PgSslMode};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode as SqlxSslMode};
use sqlx::{ConnectOptions, PgPool};

/// How long a request waits for a free connection before failing with 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("POSTGRES_HOST is not set: this command needs an external PostgreSQL server")]
    NoHost,
    #[error(
        "cannot connect to PostgreSQL at {target}: {source}. \
         Check POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB"
    )]
    Connect { target: String, source: sqlx::Error },
}

/// Connection options for the configured external server.
pub fn external_options(config: &DatabaseConfig) -> Result<PgConnectOptions, PoolError> {
    let host = config.host.as_deref().ok_or(PoolError::NoHost)?;
    let mut options = PgConnectOptions::new()
        .host(host)
        .port(config.port)
        .username(&config.user)
        .password(config.password.expose())
        .database(&config.name)
        .application_name("contract-lucidity")
        .ssl_mode(ssl_mode(config.ssl_mode));
    if let Some(path) = &config.ssl_root_cert {
        options = options.ssl_root_cert(path);
    }
    Ok(options.log_statements(tracing::log::LevelFilter::Trace))
}

fn ssl_mode(mode: PgSslMode) -> SqlxSslMode {
    match mode {
        PgSslMode::Disable => SqlxSslMode::Disable,
        PgSslMode::Prefer => SqlxSslMode::Prefer,
        PgSslMode::Require => SqlxSslMode::Require,
        PgSslMode::VerifyCa => SqlxSslMode::VerifyCa,
        PgSslMode::VerifyFull => SqlxSslMode::VerifyFull,
    }
}

/// Opens a pool of at most `max_connections` and checks that one connection works.
pub async fn connect(options: PgConnectOptions, max_connections: u32) -> Result<PgPool, PoolError> {
    let target = describe(&options);
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|source| PoolError::Connect { target, source })
}

/// Host (or socket) and database, for error messages; never the password.
fn describe(options: &PgConnectOptions) -> String {
    let place = match options.get_socket() {
        Some(dir) => format!("socket {}", dir.display()),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    };
    format!("{place}/{}", options.get_database().unwrap_or("postgres"))
}
