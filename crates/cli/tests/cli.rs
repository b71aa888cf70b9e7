//! Tests of the `lucidity` binary as operators run it: start-up checks, the embedded default,
//! and the production topology of separate `api`, `worker` and `web` processes.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_lucidity");

mod backup;

/// A command with a clean environment (only PATH and HOME kept) in `dir`, so neither the
/// developer's variables nor a `.env` file leak in.
fn lucidity(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(dir).env_clear();
    for keep in ["PATH", "HOME", "LUCIDITY_POSTGRES_BIN"] {
        if let Ok(value) = std::env::var(keep) {
            command.env(keep, value);
        }
    }
    command.envs(vars.iter().copied());
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running process whose stderr is collected as it arrives.
struct Process {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Process {
    fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Self { child, stderr }
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Whether `needle` appears in the log within `within`: a line written just after a state
    /// change another process observed may still be in the pipe.
    fn logs_within(&self, needle: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while !self.log().contains(needle) {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }

    /// Sends SIGTERM and waits for the exit code.
    fn terminate(&mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "did not stop after SIGTERM:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.terminate();
        }
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Polls `url` until it answers 200, or fails the test with the process's log.
async fn wait_until_ok(url: &str, process: &Process) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(response) = http().get(url).send().await
            && response.status() == 200
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{url} never answered 200:\n{}",
            process.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

mod startup {
    use super::*;

    #[test]
    fn every_subcommand_explains_itself_in_help() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (vec!["--help"], "serve"),
            (vec!["serve", "--help"], "embedded"),
            (vec!["api", "--help"], "POSTGRES_HOST"),
            (vec!["worker", "--help"], "CELERY_CONCURRENCY"),
            (vec!["web", "--help"], "BACKEND_INTERNAL_URL"),
            (vec!["migrate", "--help"], "migrations"),
            (vec!["admin", "--help"], "create-user"),
            (vec!["admin", "create-user", "--help"], "--email"),
            (
                vec!["admin", "reset-password", "--help"],
                "--password-stdin",
            ),
            (vec!["admin", "list-users", "--help"], "List every account"),
            (vec!["admin", "backup", "--help"], "pg_dump"),
            (vec!["admin", "restore", "--help"], "--force"),
            (vec!["analyze", "--help"], "without a server"),
            (vec!["bench", "--help"], "--only"),
        ];
        for (args, expected) in cases {
            let output = lucidity(dir.path(), &args, &[]).output().unwrap();
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "{args:?}");
            assert!(
                text.contains(expected),
                "`{args:?}` lacks {expected:?}:\n{text}"
            );
        }
    }

    fn refusal(vars: &[(&str, &str)]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let output = lucidity(dir.path(), &["api"], vars).output().unwrap();
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    const PRODUCTION: [(&str, &str); 4] = [
        ("APP_ENV", "production"),
        ("POSTGRES_HOST", "db.internal"),
        ("DEFAULT_ADMIN_PASSWORD", "a-strong-admin-password-2026"),
        ("CORS_ORIGINS", "https://contracts.example.com"),
    ];

    #[test]
    fn production_refuses_to_start_without_a_jwt_secret() {
        let text = refusal(&PRODUCTION);
        assert!(
            text.contains("JWT_SECRET_KEY: must be set in production"),
            "{text}"
        );
    }

    #[test]
    fn production_refuses_to_start_with_a_short_or_default_jwt_secret() {
        let mut vars = PRODUCTION.to_vec();
        vars.push(("JWT_SECRET_KEY", "tooshort"));
        assert!(refusal(&vars).contains("JWT_SECRET_KEY: is too short for production"));
        vars.pop();
        vars.push(("jwt_secret_key", "dev-only-insecure-jwt-secret-change-me"));
        assert!(refusal(&vars).contains("JWT_SECRET_KEY: is a published default"));
    }

    #[test]
    fn production_refuses_a_wildcard_cors_origin() {
        let mut vars = PRODUCTION.to_vec();
        vars.push(("JWT_SECRET_KEY", "8a4c1f0e9b7d6a5c3e2f1a0b9c8d7e6f5a4b3c2d"));
        vars.retain(|(k, _)| *k != "CORS_ORIGINS");
        vars.push(("CORS_ORIGINS", "*"));
        assert!(refusal(&vars).contains("CORS_ORIGINS: must list exact origins in production"));
    }

    #[test]
    fn each_wrong_variable_is_named_in_one_message() {
        let text = refusal(&[
            ("POSTGRES_HOST", "db"),
            ("POSTGRES_PORT", "54x2"),
            ("REDIS_URL", "localhost:6379"),
            ("MAX_UPLOAD_SIZE_MB", "-1"),
            ("JWT_REFRESH_TOKEN_EXPIRE_DAYS", "forever"),
            ("BACKEND_INTERNAL_URL", "cl-backend:8000"),
        ]);
        for name in [
            "POSTGRES_PORT",
            "REDIS_URL",
            "MAX_UPLOAD_SIZE_MB",
            "JWT_REFRESH_TOKEN_EXPIRE_DAYS",
            "BACKEND_INTERNAL_URL",
        ] {
            assert!(
                text.contains(&format!("{name}: ")),
                "{name} not named:\n{text}"
            );
        }
    }

    #[test]
    fn api_worker_and_migrate_say_they_need_postgres_host() {
        let dir = tempfile::tempdir().unwrap();
        for command in ["api", "worker", "migrate"] {
            let output = lucidity(dir.path(), &[command], &[("API_PORT", "0")])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success());
            assert!(
                text.contains(&format!(
                    "`lucidity {command}` needs an external PostgreSQL: set POSTGRES_HOST"
                )),
                "{text}"
            );
        }
    }

    #[test]
    fn a_port_in_use_stops_start_up_with_advice() {
        let dir = tempfile::tempdir().unwrap();
        let taken = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
        let port = taken.local_addr().unwrap().port().to_string();
        let output = lucidity(dir.path(), &["web"], &[("WEB_PORT", &port)])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(
            text.contains(&format!("port {port} is already in use")),
            "{text}"
        );
        assert!(text.contains("WEB_PORT"), "{text}");
    }

    #[test]
    fn a_dotenv_file_in_the_working_directory_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "app_env=production\n").unwrap();
        let output = lucidity(dir.path(), &["api"], &[]).output().unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(
            text.contains("JWT_SECRET_KEY: must be set in production"),
            "{text}"
        );
    }
}

#[test]
fn analyze_reports_a_refused_file_and_the_pages_of_an_accepted_one() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/tests/fixtures");
    let refused = fixtures.join("encrypted.pdf").display().to_string();
    let output = lucidity(dir.path(), &["analyze", "--json", &refused], &[])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["status"], 422);

    let accepted = fixtures.join("bonterms-psa.docx").display().to_string();
    let output = lucidity(dir.path(), &["analyze", "--json", &accepted], &[])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["kind"], "docx");
    assert!(report["characters"].as_u64().unwrap() > 1000);
    assert!(
        report.get("text").is_none(),
        "text is printed only with --text"
    );
}

mod embedded {
    use super::*;

    async fn sign_in(web: &str, password: &str) -> reqwest::Response {
        let body = json!({ "email": "admin@localhost", "password": password });
        http()
            .post(format!("{web}/api/v1/auth/login"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn serve_runs_everything_on_the_embedded_default_and_stops_cleanly() {
        let data = tempfile::tempdir().unwrap();
        // Postgres runs as an unprivileged account when the tests run as root: let it in.
        std::fs::set_permissions(
            data.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let data_dir = data.path().display().to_string();
        let (api_port, web_port) = (free_port().to_string(), free_port().to_string());
        let vars = [
            ("LUCIDITY_DATA_DIR", data_dir.as_str()),
            ("API_PORT", api_port.as_str()),
            ("WEB_PORT", web_port.as_str()),
            ("BIND_ADDRESS", "127.0.0.1"),
        ];
        let web = format!("http://127.0.0.1:{web_port}");

        let mut serve = Process::spawn(lucidity(data.path(), &["serve"], &vars));
        wait_until_ok(&format!("{web}/api/ready"), &serve).await;
        let page = http().get(format!("{web}/")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Contract Lucidity"));

        let tokens: Value = sign_in(&web, "ChangeMe-Lucidity-1")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(tokens["must_change_password"], true);
        let change = json!({
            "current_password": "ChangeMe-Lucidity-1",
            "new_password": "a-new-admin-password-7",
        });
        let changed = http()
            .post(format!("{web}/api/v1/auth/change-password"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 204);

        assert_eq!(serve.terminate(), 0, "{}", serve.log());
        assert!(
            serve.log().contains("stopped the embedded PostgreSQL"),
            "{}",
            serve.log()
        );
        assert!(
            !data.path().join("postgres/data/postmaster.pid").exists(),
            "Postgres still running"
        );

        // A second start reuses the data: the changed password still holds.
        let mut again = Process::spawn(lucidity(data.path(), &["serve"], &vars));
        wait_until_ok(&format!("{web}/api/ready"), &again).await;
        assert_eq!(sign_in(&web, "a-new-admin-password-7").await.status(), 200);
        assert!(
            !again
                .log()
                .contains("creating the embedded PostgreSQL cluster")
        );

        // `admin` works beside a running `serve`, attached to its database.
        let output = lucidity(data.path(), &["admin", "list-users"], &vars)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("admin@localhost"));
        assert_eq!(again.terminate(), 0, "{}", again.log());
    }
}

mod production {
    use super::*;

    fn env(name: &str) -> String {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/test.sh"))
    }

    pub(super) async fn create_database_pub() -> String {
        create_database().await
    }

    /// A pool on `database`, reached directly through the test server's socket.
    pub(super) async fn connect_pub(database: &str) -> sqlx::PgPool {
        let options = sqlx::postgres::PgConnectOptions::new()
            .socket(env("LUCIDITY_TEST_PG_SOCKET_DIR"))
            .port(env("LUCIDITY_TEST_PG_PORT").parse().unwrap())
            .username(&env("LUCIDITY_TEST_PG_USER"))
            .database(database);
        sqlx::PgPool::connect_with(options).await.unwrap()
    }

    /// A fresh database on the test server, reached directly through its socket.
    async fn create_database() -> String {
        use sqlx::Connection;
        let options = sqlx::postgres::PgConnectOptions::new()
            .socket(env("LUCIDITY_TEST_PG_SOCKET_DIR"))
            .port(env("LUCIDITY_TEST_PG_PORT").parse().unwrap())
            .username(&env("LUCIDITY_TEST_PG_USER"))
            .database("postgres");
        let mut conn = sqlx::PgConnection::connect_with(&options).await.unwrap();
        let name = format!("prod_{}", uuid::Uuid::new_v4().simple());
        let sql = format!("CREATE DATABASE {name}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
        name
    }

    #[tokio::test]
    async fn api_worker_and_web_run_apart_as_in_the_seed_with_tls_everywhere() {
        let database = create_database().await;
        let storage = tempfile::tempdir().unwrap();
        let storage_path = storage.path().display().to_string();
        let redis_tls = env("LUCIDITY_TEST_REDIS_TLS_URL");
        let results = redis_tls.replace("/0", "/1");
        let pgbouncer_port = env("LUCIDITY_TEST_PGBOUNCER_PORT");
        let password = env("LUCIDITY_TEST_PGBOUNCER_PASSWORD");
        let ca = env("LUCIDITY_TEST_CA_FILE");

        // The seed's Secrets Manager JSON, with local addresses.
        let secrets: Vec<(&str, &str)> = vec![
            ("POSTGRES_USER", "cl_user"),
            ("POSTGRES_PASSWORD", &password),
            ("POSTGRES_DB", &database),
            ("POSTGRES_HOST", "localhost"),
            ("POSTGRES_PORT", &pgbouncer_port),
            ("REDIS_URL", &redis_tls),
            ("CELERY_BROKER_URL", &redis_tls),
            ("CELERY_RESULT_BACKEND", &results),
            (
                "JWT_SECRET_KEY",
                "5f2b8e0c7a9d4e1f3b6a8c0d2e4f6a8b0c2d4e6f8a0b2c4d",
            ),
            ("JWT_ALGORITHM", "HS256"),
            ("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "60"),
            ("JWT_REFRESH_TOKEN_EXPIRE_DAYS", "7"),
            ("DEFAULT_ADMIN_EMAIL", "admin@your-domain.com"),
            ("DEFAULT_ADMIN_PASSWORD", "a-strong-initial-password-2026"),
            ("CORS_ORIGINS", "https://your-domain.com"),
            ("FRONTEND_URL", "https://your-domain.com"),
            ("STORAGE_PATH", &storage_path),
            // The test certificate authority, trusted the way a container trusts its CA bundle.
            ("SSL_CERT_FILE", &ca),
        ];
        let api_port = free_port().to_string();
        let web_port = free_port().to_string();
        let backend = format!("http://127.0.0.1:{api_port}");
        let dir = storage.path();

        let mut api_vars = secrets.clone();
        api_vars.extend([
            ("APP_ENV", "production"),
            ("LOG_LEVEL", "INFO"),
            ("MAX_UPLOAD_SIZE_MB", "100"),
        ]);
        api_vars.extend([
            ("API_PORT", api_port.as_str()),
            ("BIND_ADDRESS", "127.0.0.1"),
        ]);
        let mut worker_vars = secrets.clone();
        worker_vars.extend([
            ("APP_ENV", "production"),
            ("LOG_LEVEL", "INFO"),
            ("CELERY_CONCURRENCY", "4"),
        ]);
        let web_vars = vec![
            ("BACKEND_INTERNAL_URL", backend.as_str()),
            ("NEXT_PUBLIC_FRONTEND_URL", "https://your-domain.com"),
            ("WEB_PORT", web_port.as_str()),
            ("BIND_ADDRESS", "127.0.0.1"),
        ];

        let mut api = Process::spawn(lucidity(dir, &["api"], &api_vars));
        let mut worker = Process::spawn(lucidity(dir, &["worker"], &worker_vars));
        let mut web = Process::spawn(lucidity(dir, &["web"], &web_vars));
        let front = format!("http://127.0.0.1:{web_port}");

        // Everything goes through the front door, as the load balancer's traffic does.
        wait_until_ok(&format!("{front}/api/ready"), &api).await;
        let ready: Value = http()
            .get(format!("{front}/api/ready"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ready["status"], "ready", "{ready}");
        assert_eq!(
            http()
                .get(format!("{front}/"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );

        let login = json!({
            "email": "admin@your-domain.com",
            "password": "a-strong-initial-password-2026",
        });
        let tokens: Value = http()
            .post(format!("{front}/api/v1/auth/login"))
            .json(&login)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = tokens["access_token"].as_str().unwrap();
        let change = json!({
            "current_password": "a-strong-initial-password-2026",
            "new_password": "the-admin-password-after-2026",
        });
        let changed = http()
            .post(format!("{front}/api/v1/auth/change-password"))
            .bearer_auth(token)
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 204);
        let created = http()
            .post(format!("{front}/api/v1/projects"))
            .bearer_auth(token)
            .json(&json!({ "name": "Seed matter" }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let project: Value = created.json().await.unwrap();
        let project = project["id"].as_str().unwrap().to_string();

        // Live updates through the front door: a project stream sees a document uploaded
        // through it go from queued to complete, carried by Redis (TLS) between processes.
        let stream = http()
            .get(format!("{front}/api/v1/projects/{project}/events"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        let mut stream = stream.bytes_stream();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let docx = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/tests/fixtures/minimal.docx"),
        )
        .unwrap();
        let form = reqwest::multipart::Form::new()
            .text("project_id", project.clone())
            .part(
                "files",
                reqwest::multipart::Part::bytes(docx).file_name("nda.docx"),
            );
        let uploaded = http()
            .post(format!("{front}/api/v1/documents"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(uploaded.status(), 202);
        let mut seen = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !seen.contains("\"status\":\"complete\"") {
            assert!(
                Instant::now() < deadline,
                "events seen: {seen}\n{}",
                worker.log()
            );
            let chunk = tokio::time::timeout(Duration::from_secs(60), stream.next()).await;
            let chunk = chunk.unwrap().unwrap().unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("\"status\":\"queued\""), "{seen}");
        assert!(seen.contains("\"status\":\"extracting\""), "{seen}");

        // Production logs are JSON lines, and neither secrets nor passwords appear in them.
        let worker_deadline = Instant::now() + Duration::from_secs(30);
        while !worker.log().contains("worker ready") {
            assert!(
                Instant::now() < worker_deadline,
                "worker not ready:\n{}",
                worker.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for process in [&api, &worker] {
            let log = process.log();
            for line in log.lines().filter(|l| !l.trim().is_empty()) {
                let parsed: Result<Value, _> = serde_json::from_str(line);
                assert!(parsed.is_ok(), "not a JSON log line: {line}");
            }
            for secret in [
                password.as_str(),
                "a-strong-initial-password-2026",
                "the-admin-password-after-2026",
                "5f2b8e0c7a9d",
            ] {
                assert!(!log.contains(secret), "a secret reached the log");
            }
        }
        assert!(
            worker.log().contains("\"queue\":\"redis\""),
            "{}",
            worker.log()
        );

        for process in [&mut web, &mut worker, &mut api] {
            assert_eq!(process.terminate(), 0, "{}", process.log());
        }
    }

    #[tokio::test]
    async fn serve_with_postgres_host_uses_that_server_and_runs_nothing_locally() {
        let database = create_database().await;
        let data = tempfile::tempdir().unwrap();
        let data_dir = data.path().display().to_string();
        let pgbouncer_port = env("LUCIDITY_TEST_PGBOUNCER_PORT");
        let password = env("LUCIDITY_TEST_PGBOUNCER_PASSWORD");
        let (api_port, web_port) = (free_port().to_string(), free_port().to_string());
        let vars = [
            ("POSTGRES_HOST", "localhost"),
            ("POSTGRES_PORT", pgbouncer_port.as_str()),
            ("POSTGRES_PASSWORD", password.as_str()),
            ("POSTGRES_DB", database.as_str()),
            ("LUCIDITY_DATA_DIR", data_dir.as_str()),
            ("STORAGE_PATH", data_dir.as_str()),
            ("API_PORT", api_port.as_str()),
            ("WEB_PORT", web_port.as_str()),
            ("BIND_ADDRESS", "127.0.0.1"),
        ];

        let mut serve = Process::spawn(lucidity(data.path(), &["serve"], &vars));
        wait_until_ok(&format!("http://127.0.0.1:{web_port}/api/ready"), &serve).await;
        assert!(
            !data.path().join("postgres").exists(),
            "an embedded server was started"
        );
        assert!(
            !serve.log().contains("embedded PostgreSQL"),
            "{}",
            serve.log()
        );
        assert_eq!(serve.terminate(), 0, "{}", serve.log());
    }
}

/// The document pipeline with real processes: an `api`, one or more `worker`s, the test
/// PostgreSQL (through PgBouncer) and, where a test says, a Redis of its own.
mod pipeline {
    use super::*;
    use reqwest::multipart::{Form, Part};

    fn env(name: &str) -> String {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/test.sh"))
    }

    fn fixture(path: &str) -> Vec<u8> {
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
        std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
    }

    /// A private redis-server, killed when dropped.
    struct Redis {
        url: String,
        child: Child,
    }

    impl Redis {
        fn start() -> Self {
            let port = free_port();
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "redis-server did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
            Self {
                url: format!("redis://127.0.0.1:{port}/0"),
                child,
            }
        }

        fn flush(&self) {
            let port = self
                .url
                .split(':')
                .nth(2)
                .unwrap()
                .split('/')
                .next()
                .unwrap();
            let status = Command::new("redis-cli")
                .args(["-p", port, "FLUSHALL"])
                .status()
                .unwrap();
            assert!(status.success());
        }
    }

    impl Drop for Redis {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Shared settings of one test's processes.
    struct Stack {
        vars: Vec<(String, String)>,
        dir: tempfile::TempDir,
        api_port: u16,
        db: sqlx::PgPool,
    }

    impl Stack {
        async fn new(extra: &[(&str, &str)]) -> Self {
            let database = super::production::create_database_pub().await;
            let dir = tempfile::tempdir().unwrap();
            let api_port = free_port();
            let mut vars: Vec<(String, String)> = [
                ("POSTGRES_HOST", "localhost".to_string()),
                ("POSTGRES_PORT", env("LUCIDITY_TEST_PGBOUNCER_PORT")),
                ("POSTGRES_PASSWORD", env("LUCIDITY_TEST_PGBOUNCER_PASSWORD")),
                ("POSTGRES_DB", database.clone()),
                (
                    "STORAGE_PATH",
                    dir.path().join("storage").display().to_string(),
                ),
                ("API_PORT", api_port.to_string()),
                ("BIND_ADDRESS", "127.0.0.1".to_string()),
                ("DEFAULT_ADMIN_EMAIL", "admin@firm.example".to_string()),
                (
                    "DEFAULT_ADMIN_PASSWORD",
                    "initial-admin-password".to_string(),
                ),
                ("CELERY_CONCURRENCY", "1".to_string()),
                ("WORKER_LEASE_SECONDS", "2".to_string()),
                ("RECONCILE_INTERVAL_SECONDS", "1".to_string()),
                ("QUEUE_REQUEUE_SECONDS", "2".to_string()),
                ("SHUTDOWN_TIMEOUT_SECONDS", "1".to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            for (key, value) in extra {
                vars.retain(|(k, _)| k != key);
                vars.push((key.to_string(), value.to_string()));
            }
            let db = super::production::connect_pub(&database).await;
            Self {
                vars,
                dir,
                api_port,
                db,
            }
        }

        fn spawn(&self, command: &str) -> Process {
            let vars: Vec<(&str, &str)> = self
                .vars
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            Process::spawn(lucidity(self.dir.path(), &[command], &vars))
        }

        fn url(&self, path: &str) -> String {
            format!("http://127.0.0.1:{}{path}", self.api_port)
        }

        /// Starts the API and returns it with an admin token.
        async fn api(&self) -> (Process, String) {
            let api = self.spawn("api");
            wait_until_ok(&self.url("/api/health"), &api).await;
            let login =
                json!({ "email": "admin@firm.example", "password": "initial-admin-password" });
            let tokens: Value = http()
                .post(self.url("/api/v1/auth/login"))
                .json(&login)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let token = tokens["access_token"].as_str().unwrap().to_string();
            let change = json!({
                "current_password": "initial-admin-password",
                "new_password": "the-changed-password-1",
            });
            let changed = http()
                .post(self.url("/api/v1/auth/change-password"))
                .bearer_auth(&token)
                .json(&change)
                .send()
                .await
                .unwrap();
            assert_eq!(changed.status(), 204);
            (api, token)
        }

        async fn upload(&self, token: &str, name: &str, bytes: Vec<u8>) -> String {
            let projects: Value = http()
                .get(self.url("/api/v1/projects"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let project = projects[0]["id"].as_str().unwrap().to_string();
            let form = Form::new()
                .text("project_id", project)
                .part("files", Part::bytes(bytes).file_name(name.to_string()));
            let response = http()
                .post(self.url("/api/v1/documents"))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202);
            let body: Value = response.json().await.unwrap();
            body["documents"][0]["id"].as_str().unwrap().to_string()
        }

        async fn status(&self, id: &str) -> (String, Option<String>) {
            let row: (String, Option<String>) =
                sqlx::query_as("SELECT status, lease_owner FROM documents WHERE id = $1::uuid")
                    .bind(id)
                    .fetch_one(&self.db)
                    .await
                    .unwrap();
            row
        }

        /// Waits until the document reaches `wanted`, failing with the processes' logs.
        async fn wait_for(&self, id: &str, wanted: &str, within: Duration, logs: &[&Process]) {
            let deadline = Instant::now() + within;
            loop {
                let (status, _) = self.status(id).await;
                if status == wanted {
                    return;
                }
                if Instant::now() > deadline {
                    let all: Vec<String> = logs.iter().map(|p| p.log()).collect();
                    panic!(
                        "document {id} is {status}, not {wanted}:\n{}",
                        all.join("\n---\n")
                    );
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    const SLOW_SCAN: &str = "extract/tests/fixtures/scan-3pages.tif";

    #[tokio::test]
    async fn a_document_goes_through_every_stage_to_complete_with_its_text() {
        let stack = Stack::new(&[]).await;
        let (_api, token) = stack.api().await;
        let _worker = stack.spawn("worker");
        let docx =
            fixture("extract/tests/fixtures/commonpaper_professional_services_agreement.docx");
        let id = stack.upload(&token, "psa.docx", docx).await;
        stack
            .wait_for(&id, "complete", Duration::from_secs(60), &[&_worker])
            .await;

        let document: Value = http()
            .get(stack.url(&format!("/api/v1/documents/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let stages: Vec<&str> = document["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["stage"].as_str().unwrap())
            .collect();
        assert_eq!(
            stages,
            [
                "extracting",
                "classifying",
                "playbook",
                "analyzing",
                "embedding",
                "storing"
            ]
        );
        assert!(document["stages"][0]["duration_ms"].is_number());

        let text: Value = http()
            .get(stack.url(&format!("/api/v1/documents/{id}/text")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            text["text"]
                .as_str()
                .unwrap()
                .contains("Professional Services")
        );
        assert!(!text["pages"].as_array().unwrap().is_empty());
        let activity: Value = http()
            .get(stack.url("/api/v1/activity"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(activity[0]["action"], "document.completed");
    }

    #[tokio::test]
    async fn a_worker_killed_mid_document_delays_it_and_another_worker_completes_it() {
        let redis = Redis::start();
        let stack = Stack::new(&[("REDIS_URL", &redis.url)]).await;
        let (_api, token) = stack.api().await;
        let mut first = stack.spawn("worker");
        let mut second = stack.spawn("worker");
        let id = stack.upload(&token, "scan.tif", fixture(SLOW_SCAN)).await;

        stack
            .wait_for(
                &id,
                "extracting",
                Duration::from_secs(30),
                &[&first, &second],
            )
            .await;
        let (_, owner) = stack.status(&id).await;
        let owner = owner.expect("a worker holds the lease");
        let (victim, survivor) = match owner.contains(&format!("-{}-", first.child.id())) {
            true => (&mut first, &second),
            false => (&mut second, &first),
        };
        victim.child.kill().unwrap();
        victim.child.wait().unwrap();

        stack
            .wait_for(&id, "complete", Duration::from_secs(120), &[survivor])
            .await;
        assert!(
            survivor.logs_within("document processed", Duration::from_secs(10)),
            "{}",
            survivor.log()
        );
        let (_, owner_after) = stack.status(&id).await;
        assert!(owner_after.is_none());
    }

    #[tokio::test]
    async fn after_redis_is_flushed_the_reconciler_recovers_every_document() {
        let redis = Redis::start();
        let stack = Stack::new(&[("REDIS_URL", &redis.url)]).await;
        let (_api, token) = stack.api().await;
        let mut ids = Vec::new();
        for name in ["a.txt", "b.txt", "c.txt"] {
            // Different content, so none is a duplicate of another.
            let body =
                format!("Agreement {name}: the parties agree to the terms below.\n").into_bytes();
            let settings = json!({ "allowed_file_types": ["pdf", "docx", "txt", "tiff"] });
            http()
                .patch(stack.url("/api/v1/admin/settings"))
                .bearer_auth(&token)
                .json(&settings)
                .send()
                .await
                .unwrap();
            ids.push(stack.upload(&token, name, body).await);
        }
        redis.flush();

        let worker = stack.spawn("worker");
        for id in &ids {
            stack
                .wait_for(id, "complete", Duration::from_secs(60), &[&worker])
                .await;
        }
        assert!(
            worker.log().contains("reconciler re-sent documents"),
            "{}",
            worker.log()
        );
    }

    #[tokio::test]
    async fn a_document_whose_original_vanished_is_retried_then_failed_with_the_reason() {
        let stack = Stack::new(&[
            ("WORKER_MAX_ATTEMPTS", "3"),
            ("WORKER_RETRY_BASE_SECONDS", "1"),
        ])
        .await;
        let (_api, token) = stack.api().await;
        let docx =
            fixture("extract/tests/fixtures/commonpaper_professional_services_agreement.docx");
        let id = stack.upload(&token, "psa.docx", docx).await;
        // The shared filesystem loses the file before any worker reads it.
        let storage = stack.dir.path().join("storage/documents");
        std::fs::remove_dir_all(&storage).unwrap();

        let worker = stack.spawn("worker");
        stack
            .wait_for(&id, "failed", Duration::from_secs(60), &[&worker])
            .await;
        let (attempts, error): (i32, String) =
            sqlx::query_as("SELECT attempts, error_message FROM documents WHERE id = $1::uuid")
                .bind(&id)
                .fetch_one(&stack.db)
                .await
                .unwrap();
        assert_eq!(attempts, 3);
        assert!(error.contains("cannot read the original"), "{error}");
        assert!(worker.log().contains("will retry"), "{}", worker.log());
    }

    #[tokio::test]
    async fn sigterm_hands_in_flight_work_back_and_another_worker_finishes_it() {
        let stack = Stack::new(&[]).await;
        let (_api, token) = stack.api().await;
        let mut worker = stack.spawn("worker");
        let id = stack.upload(&token, "scan.tif", fixture(SLOW_SCAN)).await;
        stack
            .wait_for(&id, "extracting", Duration::from_secs(30), &[&worker])
            .await;

        assert_eq!(worker.terminate(), 0, "{}", worker.log());
        assert!(worker.log().contains("handed back"), "{}", worker.log());
        let (status, owner) = stack.status(&id).await;
        assert_eq!((status.as_str(), owner), ("queued", None));

        let next = stack.spawn("worker");
        stack
            .wait_for(&id, "complete", Duration::from_secs(120), &[&next])
            .await;
    }
}
