//! The configuration contract.
//!
//! Every setting comes from the environment or a `.env` file (the environment wins), with
//! names matched case-insensitively. Values are parsed into types once, at start-up; every
//! wrong value is reported together, each message naming its variable. Variables beyond the
//! original product's contract are all optional, so the seed deployment's configuration works
//! as written.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use lucidity_storage::{PosixConfig, StorageConfig};
use url::Url;

use crate::secret::Secret;

/// The development JWT secret. Production refuses it, like any secret shorter than
/// [`MIN_PRODUCTION_SECRET_LEN`].
pub const DEV_JWT_SECRET: &str = "dev-only-insecure-jwt-secret-change-me";

/// The development admin password; the account must change it at first login anyway.
pub const DEV_ADMIN_PASSWORD: &str = "ChangeMe-Lucidity-1";

/// 32 characters is 256 bits of a random hex or base64 secret: the HS256 key size.
pub const MIN_PRODUCTION_SECRET_LEN: usize = 32;

/// A hard ceiling on `MAX_UPLOAD_SIZE_MB` so a typo cannot make the API accept 100 GB files.
const MAX_UPLOAD_CEILING_MB: u64 = 10_240;

/// Secrets that appear in sample files and tutorials; production refuses them.
const WELL_KNOWN_SECRETS: &[&str] = &[
    DEV_JWT_SECRET,
    "changeme",
    "change-me",
    "secret",
    "your-secret-key",
    "<generated-secret>",
    "<strong-password>",
];

/// Whether a process uses the authentication secrets (`JWT_SECRET_KEY` signs and checks
/// tokens, `DEFAULT_ADMIN_PASSWORD` creates the first account), and so whether production
/// demands them. The web front door and the worker use neither: the front door forwards the
/// API's tokens without reading them, so its host needs no secret at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthSecrets {
    Required,
    Unused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

/// The HMAC algorithms that a shared `JWT_SECRET_KEY` can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    Hs256,
    Hs384,
    Hs512,
}

impl JwtAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Hs384 => "HS384",
            Self::Hs512 => "HS512",
        }
    }
}

/// How the Postgres connection uses TLS, as libpq's `sslmode` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgSslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// Which origins the API answers cross-origin requests for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// `*`: development only.
    Any,
    List(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `POSTGRES_HOST`; `None` selects the embedded server (only `serve` and `admin` allow it).
    pub host: Option<String>,
    pub port: u16,
    pub user: String,
    pub password: Secret,
    pub name: String,
    /// `POSTGRES_SSLMODE` (added, default `prefer`): RDS requires TLS, `prefer` negotiates it.
    pub ssl_mode: PgSslMode,
    /// `POSTGRES_SSLROOTCERT` (added): CA bundle for `verify-ca` / `verify-full`.
    pub ssl_root_cert: Option<PathBuf>,
    /// `POSTGRES_MAX_CONNECTIONS` (added): pool size per process.
    pub max_connections: u32,
}

#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// The queue broker: `CELERY_BROKER_URL`, else `REDIS_URL`.
    pub broker_url: Option<Secret>,
    /// Rate limits and live events: `REDIS_URL`, else the broker.
    pub cache_url: Option<Secret>,
    /// Results and progress events: `CELERY_RESULT_BACKEND`, else the cache URL.
    pub result_url: Option<Secret>,
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub jwt_secret: Secret,
    pub jwt_algorithm: JwtAlgorithm,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub default_admin_email: String,
    pub default_admin_password: Secret,
    /// `LOGIN_MAX_FAILURES_PER_ACCOUNT` (added): failed logins before an account is throttled.
    pub max_failures_per_account: u32,
    /// `LOGIN_MAX_FAILURES_PER_ADDRESS` (added): failed logins before a client address is.
    pub max_failures_per_address: u32,
    /// `LOGIN_FAILURE_WINDOW_SECONDS` (added): how long failures are counted.
    pub failure_window: Duration,
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `BIND_ADDRESS` (added): the address the API and web listeners bind.
    pub bind_address: IpAddr,
    /// `API_PORT` (added, default 8000).
    pub api_port: u16,
    /// `WEB_PORT` (added, default 3000).
    pub web_port: u16,
    pub cors_origins: CorsOrigins,
    /// `FRONTEND_URL`: the public URL, for SSO redirects and links.
    pub frontend_url: Option<Url>,
    /// `BACKEND_INTERNAL_URL`: where the web process reaches the API.
    pub backend_internal_url: Url,
    /// `NEXT_PUBLIC_FRONTEND_URL`: the public URL as the browser sees it.
    pub public_frontend_url: Option<Url>,
    /// `TRUSTED_PROXIES` (added): peers whose `X-Forwarded-For` is believed. The default is
    /// loopback and the private ranges, where the web tier and load balancer live.
    pub trusted_proxies: Vec<IpNet>,
}

/// How the document pipeline retries, leases and recovers work.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// `WORKER_LEASE_SECONDS` (added, default 30): how long a worker's claim on a document
    /// lasts without renewal; a killed worker's documents are picked up after this.
    pub lease: Duration,
    /// `WORKER_MAX_ATTEMPTS` (added, default 5): attempts before a document is `failed`.
    pub max_attempts: i32,
    /// `WORKER_RETRY_BASE_SECONDS` (added, default 2): the first retry's back-off; each
    /// further retry doubles it (with jitter), up to 5 minutes.
    pub retry_base: Duration,
    /// `QUEUE_REQUEUE_SECONDS` (added, default 120): when the queue carried a document this
    /// long ago and nobody holds it, the reconciler sends it again (the queue lost it).
    pub requeue_after: Duration,
    /// `RECONCILE_INTERVAL_SECONDS` (added, default 10): how often the reconciler looks.
    pub reconcile_interval: Duration,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub app_env: AppEnv,
    /// `LOG_LEVEL`, already mapped to a tracing filter directive (`info`, `warn`, ...).
    pub log_level: String,
    pub database: DatabaseConfig,
    pub redis: RedisConfig,
    pub auth: AuthConfig,
    pub http: HttpConfig,
    /// `LUCIDITY_DATA_DIR` (added, default `./data`): the embedded server's files.
    pub data_dir: PathBuf,
    /// Where uploaded originals live: `STORAGE_PATH` (unset: `<data dir>/storage` on the
    /// embedded default, `/data/storage` otherwise), or S3 with `STORAGE_BACKEND=s3`.
    pub storage: StorageConfig,
    /// `MAX_UPLOAD_SIZE_MB`: the ceiling; the admin setting may lower it, never raise it.
    pub max_upload_size_mb: u64,
    /// `CELERY_CONCURRENCY`: documents one worker processes at once.
    pub worker_concurrency: usize,
    /// `SHUTDOWN_TIMEOUT_SECONDS` (added): how long in-flight work may take after SIGTERM.
    pub shutdown_timeout: Duration,
    pub pipeline: PipelineConfig,
    /// `LUCIDITY_POSTGRES_BIN` (added): the embedded server's `bin` directory.
    pub postgres_bin: Option<PathBuf>,
    /// `LUCIDITY_MODEL_DIR` (added, default `/opt/lucidity/models/minilm`): the sentence-
    /// embedding model the set-up command installs (ONNX weights, tokenizer, runtime library).
    pub model_dir: PathBuf,
    /// `LUCIDITY_WEB_ASSETS_DIR` (added, default `/opt/lucidity/web-assets`): the front-end
    /// packages (the Inter font) the set-up command installs from npm for the web process.
    pub web_assets_dir: PathBuf,
    /// `LUCIDITY_POSTGRES_OS_USER` (added, default `nobody`): the account the embedded
    /// server runs as when Lucidity is started as root, since Postgres refuses root.
    pub postgres_os_user: String,
}

/// One or more settings are wrong; `Display` lists them one per line.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n{}", .problems.join("\n"))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl Config {
    /// Reads `.env` in the working directory (when present) and the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_for(AuthSecrets::Required)
    }

    /// [`Config::load`] for a process that may or may not use the authentication secrets.
    pub fn load_for(auth_secrets: AuthSecrets) -> Result<Self, ConfigError> {
        let mut vars = match dotenv_vars(Path::new(".env")) {
            Ok(vars) => vars,
            Err(problem) => {
                return Err(ConfigError {
                    problems: vec![problem],
                });
            }
        };
        vars.extend(std::env::vars().map(|(k, v)| (k.to_ascii_uppercase(), v)));
        Self::from_vars_for(vars, auth_secrets)
    }

    /// Builds the configuration from a map of variables; keys are matched case-insensitively.
    pub fn from_vars<I, K, V>(vars: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        Self::from_vars_for(vars, AuthSecrets::Required)
    }

    /// [`Config::from_vars`] for a process that may not use the authentication secrets.
    pub fn from_vars_for<I, K, V>(vars: I, auth_secrets: AuthSecrets) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let vars: BTreeMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_ascii_uppercase(), v.into()))
            .collect();
        let mut reader = Reader {
            vars,
            auth_secrets,
            problems: Vec::new(),
            names: Default::default(),
        };
        let config = reader.config();
        match reader.problems.is_empty() {
            true => Ok(config),
            false => Err(ConfigError {
                problems: reader.problems,
            }),
        }
    }

    /// Every variable the configuration reads.
    pub fn variable_names() -> Vec<String> {
        let mut reader = Reader {
            vars: BTreeMap::new(),
            auth_secrets: AuthSecrets::Required,
            problems: Vec::new(),
            names: Default::default(),
        };
        let _ = reader.config();
        reader.names.into_inner().into_iter().collect()
    }

    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }

    /// True when no `POSTGRES_HOST` is set and the embedded server must run.
    pub fn uses_embedded_postgres(&self) -> bool {
        self.database.host.is_none()
    }
}

fn dotenv_vars(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let iter = match dotenvy::from_path_iter(path) {
        Ok(iter) => iter,
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(BTreeMap::new());
        }
        Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
    };
    let mut vars = BTreeMap::new();
    for item in iter {
        let (key, value) = item.map_err(|e| format!("{}: {e}", path.display()))?;
        vars.insert(key.to_ascii_uppercase(), value);
    }
    Ok(vars)
}

/// Reads variables and records every problem instead of stopping at the first.
struct Reader {
    vars: BTreeMap<String, String>,
    auth_secrets: AuthSecrets,
    problems: Vec<String>,
    /// Every variable name looked up, so the sample file can be checked against the code.
    names: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl Reader {
    fn config(&mut self) -> Config {
        let app_env = self.app_env();
        let database = self.database();
        let data_dir = PathBuf::from(self.string("LUCIDITY_DATA_DIR").unwrap_or("./data".into()));
        let storage = self.storage(&database, &data_dir);

        Config {
            app_env,
            log_level: self.log_level(),
            redis: self.redis(),
            auth: self.auth(app_env),
            http: self.http(app_env),
            database,
            data_dir,
            storage,
            max_upload_size_mb: self.number("MAX_UPLOAD_SIZE_MB", 100, 1, MAX_UPLOAD_CEILING_MB),
            worker_concurrency: self.number("CELERY_CONCURRENCY", default_concurrency(), 1, 256),
            shutdown_timeout: Duration::from_secs(self.number(
                "SHUTDOWN_TIMEOUT_SECONDS",
                30,
                1,
                3600,
            )),
            pipeline: self.pipeline(),
            postgres_bin: self.string("LUCIDITY_POSTGRES_BIN").map(PathBuf::from),
            model_dir: PathBuf::from(
                self.string("LUCIDITY_MODEL_DIR")
                    .unwrap_or("/opt/lucidity/models/minilm".into()),
            ),
            web_assets_dir: PathBuf::from(
                self.string("LUCIDITY_WEB_ASSETS_DIR")
                    .unwrap_or("/opt/lucidity/web-assets".into()),
            ),
            postgres_os_user: self
                .string("LUCIDITY_POSTGRES_OS_USER")
                .unwrap_or("nobody".into()),
        }
    }

    /// A set, non-blank value, trimmed.
    fn string(&self, name: &str) -> Option<String> {
        self.names.borrow_mut().insert(name.to_string());
        self.vars
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn problem(&mut self, name: &str, message: impl std::fmt::Display) {
        self.problems.push(format!("{name}: {message}"));
    }

    fn number<T>(&mut self, name: &str, default: T, min: T, max: T) -> T
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(raw) = self.string(name) else {
            return default;
        };
        match raw.parse::<T>() {
            Ok(value) if value >= min && value <= max => value,
            _ => {
                self.problem(
                    name,
                    format!("expected a whole number from {min} to {max}, got {raw:?}"),
                );
                default
            }
        }
    }

    fn url(&mut self, name: &str, schemes: &[&str]) -> Option<Url> {
        let raw = self.string(name)?;
        match Url::parse(&raw) {
            Ok(url) if schemes.contains(&url.scheme()) && url.host().is_some() => Some(url),
            Ok(_) => {
                let expected = schemes.join("://, ");
                self.problem(name, format!("expected a URL starting with {expected}://"));
                None
            }
            Err(e) => {
                self.problem(name, format!("not a valid URL ({e})"));
                None
            }
        }
    }

    fn app_env(&mut self) -> AppEnv {
        match self
            .string("APP_ENV")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("development") | Some("dev") | Some("local") => AppEnv::Development,
            Some("production") | Some("prod") => AppEnv::Production,
            Some(other) => {
                let message = format!("expected development or production, got {other:?}");
                self.problem("APP_ENV", message);
                AppEnv::Development
            }
        }
    }

    fn storage(&mut self, database: &DatabaseConfig, data_dir: &Path) -> StorageConfig {
        let default_root = match database.host {
            None => data_dir.join("storage"),
            Some(_) => PathBuf::from("/data/storage"),
        };
        let mut names = self.names.borrow_mut();
        names.extend(
            StorageConfig::variable_names()
                .iter()
                .map(|n| n.to_string()),
        );
        drop(names);
        match StorageConfig::from_vars(&self.vars, &default_root) {
            Ok(storage) => storage,
            Err(problems) => {
                self.problems.extend(problems);
                StorageConfig::Posix(PosixConfig { root: default_root })
            }
        }
    }

    fn pipeline(&mut self) -> PipelineConfig {
        let seconds = |reader: &mut Self, name: &str, default: u64, max: u64| {
            Duration::from_secs(reader.number(name, default, 1, max))
        };
        PipelineConfig {
            lease: seconds(self, "WORKER_LEASE_SECONDS", 30, 3600),
            max_attempts: self.number("WORKER_MAX_ATTEMPTS", 5, 1, 100),
            retry_base: seconds(self, "WORKER_RETRY_BASE_SECONDS", 2, 3600),
            requeue_after: seconds(self, "QUEUE_REQUEUE_SECONDS", 120, 86_400),
            reconcile_interval: seconds(self, "RECONCILE_INTERVAL_SECONDS", 10, 3600),
        }
    }

    fn log_level(&mut self) -> String {
        let raw = self.string("LOG_LEVEL").unwrap_or("INFO".into());
        let level = match raw.to_ascii_uppercase().as_str() {
            "TRACE" => "trace",
            "DEBUG" => "debug",
            "INFO" => "info",
            "WARN" | "WARNING" => "warn",
            "ERROR" | "CRITICAL" | "FATAL" => "error",
            _ => {
                let message = "expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL";
                self.problem("LOG_LEVEL", format!("{message}, got {raw:?}"));
                "info"
            }
        };
        level.to_string()
    }

    fn database(&mut self) -> DatabaseConfig {
        let ssl_mode = match self.string("POSTGRES_SSLMODE").as_deref() {
            None | Some("prefer") => PgSslMode::Prefer,
            Some("disable") => PgSslMode::Disable,
            Some("require") => PgSslMode::Require,
            Some("verify-ca") => PgSslMode::VerifyCa,
            Some("verify-full") => PgSslMode::VerifyFull,
            Some(other) => {
                let message = "expected disable, prefer, require, verify-ca or verify-full";
                self.problem("POSTGRES_SSLMODE", format!("{message}, got {other:?}"));
                PgSslMode::Prefer
            }
        };
        let ssl_root_cert = self.string("POSTGRES_SSLROOTCERT").map(PathBuf::from);
        if let Some(path) = &ssl_root_cert
            && !path.is_file()
        {
            let message = format!("no such file: {}", path.display());
            self.problem("POSTGRES_SSLROOTCERT", message);
        }

        DatabaseConfig {
            host: self.string("POSTGRES_HOST"),
            port: self.number("POSTGRES_PORT", 5432, 1, 65535),
            user: self.string("POSTGRES_USER").unwrap_or("cl_user".into()),
            password: Secret::new(self.string("POSTGRES_PASSWORD").unwrap_or_default()),
            name: self
                .string("POSTGRES_DB")
                .unwrap_or("contract_lucidity".into()),
            ssl_mode,
            ssl_root_cert,
            max_connections: self.number("POSTGRES_MAX_CONNECTIONS", 10, 1, 1000),
        }
    }

    fn redis(&mut self) -> RedisConfig {
        let schemes = ["redis", "rediss"];
        let redis_url = self
            .url("REDIS_URL", &schemes)
            .map(|u| Secret::new(u.as_str()));
        let broker = self
            .url("CELERY_BROKER_URL", &schemes)
            .map(|u| Secret::new(u.as_str()));
        let results = self
            .url("CELERY_RESULT_BACKEND", &schemes)
            .map(|u| Secret::new(u.as_str()));

        let broker_url = broker.or_else(|| redis_url.clone());
        let cache_url = redis_url.or_else(|| broker_url.clone());
        let result_url = results.or_else(|| cache_url.clone());
        RedisConfig {
            broker_url,
            cache_url,
            result_url,
        }
    }

    fn auth(&mut self, app_env: AppEnv) -> AuthConfig {
        let production = app_env == AppEnv::Production;
        let jwt_secret = self.jwt_secret(production);
        let jwt_algorithm = match self.string("JWT_ALGORITHM").map(|v| v.to_ascii_uppercase()) {
            None => JwtAlgorithm::Hs256,
            Some(v) if v == "HS256" => JwtAlgorithm::Hs256,
            Some(v) if v == "HS384" => JwtAlgorithm::Hs384,
            Some(v) if v == "HS512" => JwtAlgorithm::Hs512,
            Some(other) => {
                let message = "JWT_SECRET_KEY is a shared secret, so use HS256, HS384 or HS512";
                self.problem("JWT_ALGORITHM", format!("{message}; got {other:?}"));
                JwtAlgorithm::Hs256
            }
        };

        let email = self
            .string("DEFAULT_ADMIN_EMAIL")
            .unwrap_or("admin@localhost".into());
        if !looks_like_email(&email) {
            self.problem(
                "DEFAULT_ADMIN_EMAIL",
                format!("not an email address: {email:?}"),
            );
        }
        let password = self.admin_password(production);

        let minutes = self.number("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", 60, 1, 60 * 24 * 7);
        let days = self.number("JWT_REFRESH_TOKEN_EXPIRE_DAYS", 7, 1, 365);
        AuthConfig {
            jwt_secret,
            jwt_algorithm,
            access_token_ttl: Duration::from_secs(minutes * 60),
            refresh_token_ttl: Duration::from_secs(days * 86_400),
            default_admin_email: email,
            default_admin_password: password,
            max_failures_per_account: self.number("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, 1, 1000),
            max_failures_per_address: self.number("LOGIN_MAX_FAILURES_PER_ADDRESS", 20, 1, 10_000),
            failure_window: Duration::from_secs(self.number(
                "LOGIN_FAILURE_WINDOW_SECONDS",
                900,
                1,
                86_400,
            )),
        }
    }

    fn jwt_secret(&mut self, production: bool) -> Secret {
        if self.auth_secrets == AuthSecrets::Unused {
            return Secret::new(self.string("JWT_SECRET_KEY").unwrap_or_default());
        }
        let Some(secret) = self.string("JWT_SECRET_KEY") else {
            if production {
                self.problem(
                    "JWT_SECRET_KEY",
                    "must be set in production (generate one with `openssl rand -hex 32`)",
                );
            }
            return Secret::new(DEV_JWT_SECRET);
        };
        if production && is_well_known(&secret) {
            let message = "is a published default; generate one with `openssl rand -hex 32`";
            self.problem("JWT_SECRET_KEY", message);
        } else if production && secret.chars().count() < MIN_PRODUCTION_SECRET_LEN {
            let message = format!(
                "is too short for production: at least {MIN_PRODUCTION_SECRET_LEN} characters \
                 (generate one with `openssl rand -hex 32`)"
            );
            self.problem("JWT_SECRET_KEY", message);
        }
        Secret::new(secret)
    }

    fn admin_password(&mut self, production: bool) -> Secret {
        if self.auth_secrets == AuthSecrets::Unused {
            return Secret::new(self.string("DEFAULT_ADMIN_PASSWORD").unwrap_or_default());
        }
        match self.string("DEFAULT_ADMIN_PASSWORD") {
            Some(p) if production && (is_well_known(&p) || p == DEV_ADMIN_PASSWORD) => {
                self.problem(
                    "DEFAULT_ADMIN_PASSWORD",
                    "is a published default; choose another",
                );
                Secret::new(p)
            }
            Some(p) => Secret::new(p),
            None if production => {
                self.problem("DEFAULT_ADMIN_PASSWORD", "must be set in production");
                Secret::default()
            }
            None => Secret::new(DEV_ADMIN_PASSWORD),
        }
    }

    fn http(&mut self, app_env: AppEnv) -> HttpConfig {
        let bind_address = match self.string("BIND_ADDRESS") {
            None => IpAddr::from([0, 0, 0, 0]),
            Some(raw) => raw.parse().unwrap_or_else(|_| {
                self.problem("BIND_ADDRESS", format!("not an IP address: {raw:?}"));
                IpAddr::from([0, 0, 0, 0])
            }),
        };
        let backend_internal_url = self
            .url("BACKEND_INTERNAL_URL", &["http", "https"])
            .unwrap_or_else(|| Url::parse("http://127.0.0.1:8000").expect("a valid literal"));

        HttpConfig {
            bind_address,
            api_port: self.number("API_PORT", 8000, 0, 65535),
            web_port: self.number("WEB_PORT", 3000, 0, 65535),
            cors_origins: self.cors_origins(app_env),
            frontend_url: self.url("FRONTEND_URL", &["http", "https"]),
            backend_internal_url,
            public_frontend_url: self.url("NEXT_PUBLIC_FRONTEND_URL", &["http", "https"]),
            trusted_proxies: self.trusted_proxies(),
        }
    }

    fn cors_origins(&mut self, app_env: AppEnv) -> CorsOrigins {
        let raw = self
            .string("CORS_ORIGINS")
            .unwrap_or("http://localhost:3000".into());
        let origins: Vec<String> = raw
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .filter(|o| !o.is_empty())
            .collect();
        if origins.iter().any(|o| o.contains('*')) {
            if app_env == AppEnv::Production {
                let message = "must list exact origins in production; `*` is not allowed";
                self.problem("CORS_ORIGINS", message);
            }
            return CorsOrigins::Any;
        }
        for origin in &origins {
            let valid = Url::parse(origin)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false);
            if !valid {
                let message = format!("{origin:?} is not an origin like https://example.com");
                self.problem("CORS_ORIGINS", message);
            }
        }
        CorsOrigins::List(origins)
    }

    fn trusted_proxies(&mut self) -> Vec<IpNet> {
        let default = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";
        let raw = self.string("TRUSTED_PROXIES").unwrap_or(default.into());
        let mut nets = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let parsed = item
                .parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from));
            match parsed {
                Ok(net) => nets.push(net),
                Err(_) => self.problem(
                    "TRUSTED_PROXIES",
                    format!("not an address or CIDR: {item:?}"),
                ),
            }
        }
        nets
    }
}

fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn is_well_known(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    WELL_KNOWN_SECRETS
        .iter()
        .any(|known| lower == known.to_ascii_lowercase())
}

/// A deliberately loose check: one `@` with something on both sides and a dot or `localhost`
/// in the domain. Deliverability is the mail server's business.
pub fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !value.chars().any(char::is_whitespace)
        && (domain.contains('.') || domain == "localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(vars.iter().copied())
    }

    fn production_vars() -> Vec<(&'static str, &'static str)> {
        vec![
            ("APP_ENV", "production"),
            ("POSTGRES_HOST", "db.internal"),
            ("JWT_SECRET_KEY", "3f9c1e7a5b2d4f608a1c3e5b7d9f1a2c4e6b8d0f"),
            ("DEFAULT_ADMIN_PASSWORD", "a-strong-admin-password-2026"),
            ("CORS_ORIGINS", "https://contracts.example.com"),
        ]
    }

    #[test]
    fn defaults_follow_the_contract() {
        let config = load(&[]).expect("defaults are valid");
        assert_eq!(config.app_env, AppEnv::Development);
        assert_eq!(config.database.user, "cl_user");
        assert_eq!(config.database.name, "contract_lucidity");
        assert_eq!(config.database.port, 5432);
        assert_eq!(config.auth.jwt_algorithm, JwtAlgorithm::Hs256);
        assert_eq!(config.auth.access_token_ttl, Duration::from_secs(3600));
        assert_eq!(
            config.auth.refresh_token_ttl,
            Duration::from_secs(7 * 86_400)
        );
        assert_eq!(config.max_upload_size_mb, 100);
        assert_eq!(config.log_level, "info");
        assert_eq!(config.http.api_port, 8000);
        assert_eq!(config.http.web_port, 3000);
        assert!(config.uses_embedded_postgres());
        let expected = PosixConfig {
            root: PathBuf::from("./data/storage"),
        };
        assert_eq!(config.storage, StorageConfig::Posix(expected));
    }

    #[test]
    fn names_are_case_insensitive() {
        let config = load(&[("postgres_db", "other"), ("Log_Level", "debug")]).unwrap();
        assert_eq!(config.database.name, "other");
        assert_eq!(config.log_level, "debug");
    }

    #[test]
    fn storage_defaults_to_the_seed_path_with_an_external_database() {
        let config = load(&[("POSTGRES_HOST", "db")]).unwrap();
        let expected = PosixConfig {
            root: PathBuf::from("/data/storage"),
        };
        assert_eq!(config.storage, StorageConfig::Posix(expected));
    }

    #[test]
    fn every_bad_value_is_reported_with_its_variable_name() {
        let error = load(&[
            ("POSTGRES_PORT", "fifty"),
            ("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "-3"),
            ("MAX_UPLOAD_SIZE_MB", "0"),
            ("APP_ENV", "staging"),
            ("LOG_LEVEL", "loud"),
            ("REDIS_URL", "http://cache:6379"),
            ("JWT_ALGORITHM", "RS256"),
            ("CELERY_CONCURRENCY", "many"),
        ])
        .unwrap_err();
        let text = error.to_string();
        for name in [
            "POSTGRES_PORT",
            "JWT_ACCESS_TOKEN_EXPIRE_MINUTES",
            "MAX_UPLOAD_SIZE_MB",
            "APP_ENV",
            "LOG_LEVEL",
            "REDIS_URL",
            "JWT_ALGORITHM",
            "CELERY_CONCURRENCY",
        ] {
            assert!(
                text.contains(&format!("{name}: ")),
                "{name} missing from:\n{text}"
            );
        }
        assert_eq!(error.problems.len(), 8);
    }

    #[test]
    fn production_accepts_the_seed_configuration() {
        let mut vars = production_vars();
        vars.extend([
            (
                "REDIS_URL",
                "rediss://cl-redis.xxxxx.cache.amazonaws.com:6379/0",
            ),
            (
                "CELERY_BROKER_URL",
                "rediss://cl-redis.xxxxx.cache.amazonaws.com:6379/0",
            ),
            (
                "CELERY_RESULT_BACKEND",
                "rediss://cl-redis.xxxxx.cache.amazonaws.com:6379/1",
            ),
            ("JWT_ALGORITHM", "HS256"),
            ("STORAGE_PATH", "/data/storage"),
            ("FRONTEND_URL", "https://your-domain.com"),
            ("MAX_UPLOAD_SIZE_MB", "100"),
            ("LOG_LEVEL", "INFO"),
        ]);
        let config = load(&vars).expect("the seed's configuration is valid");
        assert!(config.is_production());
        assert!(!config.uses_embedded_postgres());
        let broker = config.redis.broker_url.unwrap();
        assert!(broker.expose().starts_with("rediss://"));
        assert!(config.redis.result_url.unwrap().expose().ends_with("/1"));
    }

    #[test]
    fn production_refuses_a_missing_jwt_secret() {
        let vars: Vec<_> = production_vars()
            .into_iter()
            .filter(|(k, _)| *k != "JWT_SECRET_KEY")
            .collect();
        let text = load(&vars).unwrap_err().to_string();
        assert!(
            text.contains("JWT_SECRET_KEY: must be set in production"),
            "{text}"
        );
    }

    #[test]
    fn the_front_door_and_the_worker_run_in_production_without_the_auth_secrets() {
        // The guide's frontend task: its two variables, plus APP_ENV, and no secret.
        let frontend = [
            ("APP_ENV", "production"),
            ("BACKEND_INTERNAL_URL", "http://cl-backend.cl-local:8000"),
            ("NEXT_PUBLIC_FRONTEND_URL", "https://contracts.example.com"),
        ];
        let text = load(&frontend).unwrap_err().to_string();
        assert!(text.contains("JWT_SECRET_KEY: must be set"), "{text}");
        assert!(
            text.contains("DEFAULT_ADMIN_PASSWORD: must be set"),
            "{text}"
        );

        let config = Config::from_vars_for(frontend, AuthSecrets::Unused)
            .expect("the front door needs no secret");
        assert!(config.is_production());
        assert!(
            config.auth.jwt_secret.is_empty(),
            "no published default stands in"
        );
        assert!(config.auth.default_admin_password.is_empty());

        // Where the secrets are given anyway (the worker gets the backend's), they are kept
        // as given and not judged, since nothing in the process uses them.
        let mut worker = production_vars();
        worker.push(("JWT_SECRET_KEY", "short-secret"));
        let config = Config::from_vars_for(worker, AuthSecrets::Unused).expect("valid");
        assert_eq!(config.auth.jwt_secret.expose(), "short-secret");
    }

    #[test]
    fn production_refuses_a_short_jwt_secret() {
        let mut vars = production_vars();
        vars.push(("JWT_SECRET_KEY", "short-secret"));
        let text = load(&vars).unwrap_err().to_string();
        assert!(text.contains("JWT_SECRET_KEY: is too short"), "{text}");
    }

    #[test]
    fn production_refuses_the_default_jwt_secret() {
        let mut vars = production_vars();
        vars.push(("JWT_SECRET_KEY", DEV_JWT_SECRET));
        let text = load(&vars).unwrap_err().to_string();
        assert!(
            text.contains("JWT_SECRET_KEY: is a published default"),
            "{text}"
        );
    }

    #[test]
    fn production_refuses_a_wildcard_cors_origin() {
        let mut vars = production_vars();
        vars.push(("CORS_ORIGINS", "https://a.example.com,*"));
        let text = load(&vars).unwrap_err().to_string();
        assert!(
            text.contains("CORS_ORIGINS: must list exact origins"),
            "{text}"
        );
    }

    #[test]
    fn development_allows_a_wildcard_cors_origin() {
        let config = load(&[("CORS_ORIGINS", "*")]).unwrap();
        assert_eq!(config.http.cors_origins, CorsOrigins::Any);
    }

    #[test]
    fn broker_falls_back_to_redis_url_and_results_to_the_broker() {
        let config = load(&[("REDIS_URL", "redis://localhost:6379/0")]).unwrap();
        assert_eq!(
            config.redis.broker_url.unwrap().expose(),
            "redis://localhost:6379/0"
        );
        assert_eq!(
            config.redis.result_url.unwrap().expose(),
            "redis://localhost:6379/0"
        );
    }

    #[test]
    fn a_dotenv_file_is_read_with_any_case() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "postgres_db=from_file\nLOG_LEVEL=warning\n").unwrap();
        let vars = dotenv_vars(&path).unwrap();
        let config = Config::from_vars(vars).unwrap();
        assert_eq!(config.database.name, "from_file");
        assert_eq!(config.log_level, "warn");
    }

    #[test]
    fn the_sample_env_file_lists_every_variable_and_loads_as_is() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.env.example");
        let vars = dotenv_vars(&path).expect(".env.example parses");
        for name in Config::variable_names() {
            assert!(
                vars.contains_key(&name),
                "{name} is missing from .env.example"
            );
        }
        for name in vars.keys() {
            assert!(
                Config::variable_names().contains(name),
                "{name} is not read by the code"
            );
        }
        Config::from_vars(vars).expect("the sample configuration is valid");
    }

    #[test]
    fn loose_email_check_accepts_addresses_and_refuses_garbage() {
        assert!(looks_like_email("admin@your-domain.com"));
        assert!(looks_like_email("admin@localhost"));
        assert!(!looks_like_email("admin"));
        assert!(!looks_like_email("a@b@c.com"));
        assert!(!looks_like_email("@example.com"));
    }
}
