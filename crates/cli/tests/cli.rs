//! Tests of the `lucidity` binary as operators run it: start-up checks, the embedded default,
//! and the production topology of separate `api`, `worker` and `web` processes.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_lucidity");

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
