//! Test harness: boots the real API on port 0 against a fresh database cloned from a migrated
//! template, on the test PostgreSQL that `scripts/test.sh` starts (and a real Redis where a test
//! asks for one).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use lucidity_common::Config;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use tokio_util::sync::CancellationToken;

pub const ADMIN_EMAIL: &str = "admin@firm.example";
pub const ADMIN_PASSWORD: &str = "initial-admin-password";
/// The default admin's password after the forced change.
pub const ADMIN_NEW_PASSWORD: &str = "changed-admin-password-1";
pub const USER_PASSWORD: &str = "a-user-password-123";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests through scripts/test.sh, which starts Postgres")
    })
}

fn server_options() -> PgConnectOptions {
    PgConnectOptions::new()
        .socket(env("LUCIDITY_TEST_PG_SOCKET_DIR"))
        .port(env("LUCIDITY_TEST_PG_PORT").parse().expect("a port"))
        .username(&env("LUCIDITY_TEST_PG_USER"))
}

/// A migrated database that tests clone; created once per test run, under an advisory lock so
/// parallel test binaries do not race.
const TEMPLATE: &str = "lucidity_template";

async fn ensure_template() {
    let mut conn = PgConnection::connect_with(&server_options().database("postgres"))
        .await
        .expect("connect to the test server");
    sqlx::query("SELECT pg_advisory_lock(727274)")
        .execute(&mut conn)
        .await
        .unwrap();

    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(TEMPLATE)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let fresh = exists && template_is_current().await;
    if !fresh {
        let drop = format!("DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)");
        sqlx::query(sqlx::AssertSqlSafe(drop))
            .execute(&mut conn)
            .await
            .unwrap();
        let create = format!("CREATE DATABASE {TEMPLATE}");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut conn)
            .await
            .unwrap();
        let pool = PgPool::connect_with(server_options().database(TEMPLATE))
            .await
            .unwrap();
        lucidity_db::migrate::run_migrations(&pool)
            .await
            .expect("migrations apply");
        pool.close().await;
    }
    sqlx::query("SELECT pg_advisory_unlock(727274)")
        .execute(&mut conn)
        .await
        .unwrap();
}

/// True when the template holds every migration this build knows.
async fn template_is_current() -> bool {
    let Ok(pool) = PgPool::connect_with(server_options().database(TEMPLATE)).await else {
        return false;
    };
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap_or(-1);
    pool.close().await;
    applied == lucidity_db::migrate::migration_count() as i64
}

/// A fresh database for one test.
pub async fn fresh_database() -> (String, PgPool) {
    ensure_template().await;
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect_with(&server_options().database("postgres"))
        .await
        .unwrap();
    let create = format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}");
    let mut attempts = 0;
    while let Err(error) = sqlx::query(sqlx::AssertSqlSafe(create.clone()))
        .execute(&mut conn)
        .await
    {
        attempts += 1;
        assert!(attempts < 20, "cannot create a test database: {error}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .connect_with(server_options().database(&name))
        .await
        .unwrap();
    (name, pool)
}

/// An empty database (no migrations), for tests of start-up itself.
pub async fn empty_database() -> PgPool {
    let name = format!("empty_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect_with(&server_options().database("postgres"))
        .await
        .unwrap();
    let create = format!("CREATE DATABASE {name}");
    sqlx::query(sqlx::AssertSqlSafe(create))
        .execute(&mut conn)
        .await
        .unwrap();
    PgPoolOptions::new()
        .max_connections(20)
        .connect_with(server_options().database(&name))
        .await
        .unwrap()
}

pub fn redis_url() -> String {
    env("LUCIDITY_TEST_REDIS_URL")
}

/// A private S3-protocol server (moto, from `scripts/install.sh --test`) on a free port, with
/// one bucket, killed when dropped. It does not check signatures: the storage crate's own
/// tests do.
pub struct OwnS3 {
    pub endpoint: String,
    pub bucket: String,
    child: std::process::Child,
}

impl OwnS3 {
    pub async fn start() -> Self {
        let moto = std::env::var("LUCIDITY_TEST_MOTO_SERVER")
            .unwrap_or("/opt/lucidity/venv-test/bin/moto_server".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(&moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{moto}: {e}; run scripts/install.sh --test"));
        let server = Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "lucidity-test".to_string(),
            child,
        };
        let client = Client::new();
        for _ in 0..200 {
            let url = format!("{}/{}", server.endpoint, server.bucket);
            if client
                .put(url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto did not start on {}", server.endpoint);
    }

    /// The keys in the bucket.
    pub async fn keys(&self) -> Vec<String> {
        let url = format!("{}/{}?list-type=2", self.endpoint, self.bucket);
        let xml = Client::new()
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        xml.split("<Key>")
            .skip(1)
            .filter_map(|part| part.split("</Key>").next())
            .map(String::from)
            .collect()
    }
}

impl Drop for OwnS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private `redis-server` on a free port, killed when dropped.
pub struct OwnRedis {
    pub url: String,
    child: std::process::Child,
}

impl OwnRedis {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed by scripts/test.sh");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            url: format!("redis://127.0.0.1:{port}/0"),
            child,
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: Client,
    pub db: PgPool,
    pub config: Config,
    pub shutdown: CancellationToken,
    _storage: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Configuration every test app shares; `extra` overrides or adds variables.
pub fn test_config(storage: &std::path::Path, extra: &[(&str, &str)]) -> Config {
    let storage = storage.display().to_string();
    let mut vars: Vec<(String, String)> = vec![
        (
            "JWT_SECRET_KEY".into(),
            "test-secret-that-is-long-enough-for-hs256".into(),
        ),
        ("DEFAULT_ADMIN_EMAIL".into(), ADMIN_EMAIL.into()),
        ("DEFAULT_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
        ("STORAGE_PATH".into(), storage),
        ("POSTGRES_HOST".into(), "unused-by-tests".into()),
        ("LOGIN_MAX_FAILURES_PER_ACCOUNT".into(), "5".into()),
        ("LOGIN_MAX_FAILURES_PER_ADDRESS".into(), "50".into()),
    ];
    for (key, value) in extra {
        vars.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        vars.push((key.to_string(), value.to_string()));
    }
    Config::from_vars(vars).expect("valid test configuration")
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        let (_, db) = fresh_database().await;
        Self::spawn_on(db, extra).await
    }

    /// A second (or further) API instance on the same database.
    pub async fn spawn_on(db: PgPool, extra: &[(&str, &str)]) -> Self {
        let storage = tempfile::tempdir().unwrap();
        let config = test_config(storage.path(), extra);
        lucidity_db::migrate::seed(&db, &config)
            .await
            .expect("seed");

        let state = lucidity_api::build_state(config.clone(), db.clone())
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        tokio::spawn(lucidity_api::serve(listener, state, shutdown.clone()));

        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = format!("http://{addr}");
        Self {
            addr,
            base,
            client,
            db,
            config,
            shutdown,
            _storage: storage,
        }
    }

    /// The directory originals are stored under.
    pub fn storage_root(&self) -> std::path::PathBuf {
        self._storage.path().to_path_buf()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn login_response(&self, email: &str, password: &str) -> Response {
        let body = json!({ "email": email, "password": password });
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Signs in and returns the token response; panics on anything but 200.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let response = self.login_response(email, password).await;
        assert_eq!(response.status(), StatusCode::OK, "login as {email}");
        response.json().await.unwrap()
    }

    /// The default admin's access token, after the forced password change.
    pub async fn admin_token(&self) -> String {
        let response = self.login_response(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        if response.status() == StatusCode::UNAUTHORIZED {
            let again = self.login(ADMIN_EMAIL, ADMIN_NEW_PASSWORD).await;
            return again["access_token"].as_str().unwrap().to_string();
        }
        let first: Value = response.json().await.unwrap();
        let token = first["access_token"].as_str().unwrap().to_string();
        if first["must_change_password"] == json!(true) {
            let body =
                json!({ "current_password": ADMIN_PASSWORD, "new_password": ADMIN_NEW_PASSWORD });
            let response = self
                .post("/api/v1/auth/change-password", &token, body)
                .await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
        }
        token
    }

    /// Creates a user through the admin API, changes its first password, and returns its id
    /// and an access token.
    pub async fn user(&self, admin: &str, email: &str, role: &str) -> (String, String) {
        let body = json!({ "email": email, "role": role, "password": "temporary-password-1" });
        let response = self.post("/api/v1/admin/users", admin, body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "create {email}");
        let id = response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();

        let first = self.login(email, "temporary-password-1").await;
        let token = first["access_token"].as_str().unwrap().to_string();
        let change =
            json!({ "current_password": "temporary-password-1", "new_password": USER_PASSWORD });
        let response = self
            .post("/api/v1/auth/change-password", &token, change)
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        (id, token)
    }

    /// Creates a project and returns its id.
    pub async fn project(&self, token: &str, name: &str) -> String {
        let response = self
            .post("/api/v1/projects", token, json!({ "name": name }))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "create project {name}"
        );
        response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The status and JSON body of a response.
pub async fn status_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

impl TestApp {
    /// Starts a worker in this process on the app's database (through its own pool),
    /// configuration and storage, so uploads run through the real pipeline. It stops with the
    /// app.
    pub fn start_worker(&self) {
        let options = (*self.db.connect_options()).clone();
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect_lazy_with(options);
        let worker = lucidity_worker::run(self.config.clone(), pool, self.shutdown.clone());
        tokio::spawn(async move {
            if let Err(error) = worker.await {
                panic!("the test worker failed: {error:#}");
            }
        });
    }
}

/// What [`TestApp::insert_analysis`] stores for a document.
pub struct StoredAnalysis<'a> {
    pub doc_type: &'a str,
    pub title: Option<&'a str>,
    /// The risk level and score; none for a document that is not scored.
    pub risk: Option<(&'a str, i16)>,
    pub parties: &'a [&'a str],
}

impl TestApp {
    /// A document row written straight to the database, as a worker would have left it in
    /// `status` (there is no original in storage), for tests of what the API reads back.
    pub async fn insert_document(&self, project: &str, filename: &str, status: &str) -> String {
        let id = uuid::Uuid::new_v4();
        let project = uuid::Uuid::parse_str(project).unwrap();
        sqlx::query(
            "INSERT INTO documents (id, project_id, filename, file_kind, content_type, \
                    size_bytes, sha256, storage_key, status, completed_at) \
             VALUES ($1, $2, $3, 'pdf', 'application/pdf', 1000, $4, $5, $6, \
                     CASE WHEN $6 = 'complete' THEN now() END)",
        )
        .bind(id)
        .bind(project)
        .bind(filename)
        .bind(id.as_bytes().to_vec())
        .bind(format!("documents/{project}/{id}"))
        .bind(status)
        .execute(&self.db)
        .await
        .unwrap();
        id.to_string()
    }

    /// The document's analysis, its parties in the shape the analysis stage stores.
    pub async fn insert_analysis(&self, document: &str, analysis: StoredAnalysis<'_>) {
        let parties: Vec<Value> = analysis
            .parties
            .iter()
            .enumerate()
            .map(|(i, name)| {
                json!({ "name": name, "span": { "start": i * 10, "end": i * 10 + 5 },
                        "aliases": [], "role": null, "source": "preamble", "confidence": 0.9,
                        "page": 1 })
            })
            .collect();
        let extraction = json!({ "parties": parties, "dates": {}, "governing_law": null });
        sqlx::query(
            "INSERT INTO document_analyses (document_id, generation, doc_type, confidence, \
                    is_contract, title, classification, extraction, risk_score, risk_level, \
                    provenance) \
             VALUES ($1, 1, $2, 0.9, $3, $4, '{}', $5, $6, $7, '{}')",
        )
        .bind(uuid::Uuid::parse_str(document).unwrap())
        .bind(analysis.doc_type)
        .bind(analysis.risk.is_some())
        .bind(analysis.title)
        .bind(extraction)
        .bind(analysis.risk.map(|(_, score)| score))
        .bind(analysis.risk.map(|(level, _)| level))
        .execute(&self.db)
        .await
        .unwrap();
    }

    /// A key term of the document, `value` in the stored `{type, value}` shape.
    pub async fn insert_field(&self, document: &str, name: &str, value: Value) {
        sqlx::query(
            "INSERT INTO document_fields (document_id, key, name, ordinal, value, display, \
                    start_offset, end_offset, page, confidence) \
             VALUES ($1, $2, $2, \
                     (SELECT count(*) FROM document_fields WHERE document_id = $1), \
                     $3, $2, 0, 10, 1, 0.8)",
        )
        .bind(uuid::Uuid::parse_str(document).unwrap())
        .bind(name)
        .bind(value)
        .execute(&self.db)
        .await
        .unwrap();
    }

    /// A finding of the document, keyed `key`.
    pub async fn insert_finding(&self, document: &str, key: &str, severity: &str) {
        sqlx::query(
            "INSERT INTO findings (document_id, key, ordinal, kind, category, severity, title, \
                    explanation) \
             VALUES ($1, $2, (SELECT count(*) FROM findings WHERE document_id = $1), \
                     'flagged', 'limitation_of_liability', $3, 'A finding', 'Why it matters')",
        )
        .bind(uuid::Uuid::parse_str(document).unwrap())
        .bind(key)
        .bind(severity)
        .execute(&self.db)
        .await
        .unwrap();
    }

    /// An obligation of the document: who must do what, by when or how often.
    pub async fn insert_obligation(
        &self,
        document: &str,
        action: &str,
        due: Option<&str>,
        recurrence: Option<&str>,
    ) {
        sqlx::query(
            "INSERT INTO obligations (document_id, ordinal, party, action, kind, due, \
                    recurrence, start_offset, end_offset, page) \
             VALUES ($1, (SELECT count(*) FROM obligations WHERE document_id = $1), \
                     'Supplier', $2, 'duty', $3, $4, 0, 10, 2)",
        )
        .bind(uuid::Uuid::parse_str(document).unwrap())
        .bind(action)
        .bind(due)
        .bind(recurrence)
        .execute(&self.db)
        .await
        .unwrap();
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}
