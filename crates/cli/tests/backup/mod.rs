//! `lucidity admin backup` and `restore` with real processes: a backup taken while `serve`
//! runs, restored into a fresh instance under a second `serve`, which must show every
//! document, original, finding and vector as before; on the embedded default and on the test
//! PostgreSQL behind PgBouncer.

use std::collections::BTreeMap;

use reqwest::multipart::{Form, Part};
use sha2::{Digest, Sha256};

use super::*;

/// Real contracts: two PDFs with text layers and a Word document.
const FIXTURES: [&str; 3] = [
    "bonterms_mutual_nda_v1.pdf",
    "cuad-0463464fa0.pdf",
    "commonpaper_professional_services_agreement.docx",
];

const INITIAL_PASSWORD: &str = "ChangeMe-Lucidity-1";
const CHANGED_PASSWORD: &str = "the-password-before-the-backup-1";

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../extract/tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn test_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/test.sh"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A directory the embedded PostgreSQL's account can enter when the tests run as root.
fn open_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    dir
}

/// One instance, on the embedded default or on a database of the test PostgreSQL: its
/// data directory and the settings of every command run on it.
struct Instance {
    data: tempfile::TempDir,
    vars: Vec<(String, String)>,
    web: String,
    /// The external database's name; `None` on the embedded default.
    external: Option<String>,
}

impl Instance {
    fn new() -> Self {
        let data = open_tempdir();
        let web_port = free_port();
        let vars = [
            ("LUCIDITY_DATA_DIR", data.path().display().to_string()),
            ("API_PORT", free_port().to_string()),
            ("WEB_PORT", web_port.to_string()),
            ("BIND_ADDRESS", "127.0.0.1".to_string()),
        ];
        Self {
            vars: vars.map(|(k, v)| (k.to_string(), v)).to_vec(),
            web: format!("http://127.0.0.1:{web_port}"),
            data,
            external: None,
        }
    }

    /// An instance on `database` of the test PostgreSQL, reached over TCP at `port` with a
    /// host, port, user and password as production reaches its server; its originals under
    /// its data directory.
    fn external(database: &str, port: u16) -> Self {
        let mut instance = Self::new();
        let storage = instance.data.path().join("storage").display().to_string();
        let vars = [
            ("POSTGRES_HOST", "127.0.0.1".to_string()),
            ("POSTGRES_PORT", port.to_string()),
            ("POSTGRES_USER", test_env("LUCIDITY_TEST_PG_USER")),
            (
                "POSTGRES_PASSWORD",
                "unused-by-trust-authentication".to_string(),
            ),
            ("POSTGRES_DB", database.to_string()),
            ("STORAGE_PATH", storage),
        ];
        instance.vars.extend(vars.map(|(k, v)| (k.to_string(), v)));
        instance.external = Some(database.to_string());
        instance
    }

    fn command(&self, args: &[&str]) -> Command {
        let vars: Vec<(&str, &str)> = self
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        lucidity(self.data.path(), args, &vars)
    }

    async fn serve(&self) -> Process {
        let serve = Process::spawn(self.command(&["serve"]));
        wait_until_ok(&format!("{}/api/ready", self.web), &serve).await;
        serve
    }

    /// `lucidity admin ARGS...` to the end: its success, standard output and error output.
    fn admin(&self, args: &[&str]) -> (bool, String, String) {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        let output = self.command(&all).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.success(), stdout, stderr)
    }

    /// The instance's database: the test server's directly, or the embedded one through its
    /// socket while `serve` runs it.
    async fn database(&self) -> sqlx::PgPool {
        if let Some(database) = &self.external {
            return super::production::connect_pub(database).await;
        }
        let options = sqlx::postgres::PgConnectOptions::new()
            .socket(self.data.path().join("postgres"))
            .port(5432)
            .username("cl_user")
            .database("contract_lucidity");
        sqlx::PgPool::connect_with(options).await.unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.web)
    }

    async fn sign_in(&self, password: &str) -> String {
        let login = json!({ "email": "admin@localhost", "password": password });
        let response = http()
            .post(self.url("/api/v1/auth/login"))
            .json(&login)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "signing in with {password}");
        let tokens: Value = response.json().await.unwrap();
        tokens["access_token"].as_str().unwrap().to_string()
    }

    async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        let response = http()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response
    }

    async fn get_json(&self, token: &str, path: &str) -> Value {
        self.get(token, path).await.json().await.unwrap()
    }
}

/// Uploads every fixture into the default project and returns the ids by file name.
async fn upload_fixtures(instance: &Instance, token: &str) -> BTreeMap<String, String> {
    let projects = instance.get_json(token, "/api/v1/projects").await;
    let project = projects[0]["id"].as_str().unwrap().to_string();
    let mut form = Form::new().text("project_id", project);
    for name in FIXTURES {
        form = form.part("files", Part::bytes(fixture(name)).file_name(name));
    }
    let response = http()
        .post(instance.url("/api/v1/documents"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let id = entry["id"].as_str();
            let id = id.unwrap_or_else(|| panic!("refused: {entry}"));
            (
                entry["filename"].as_str().unwrap().to_string(),
                id.to_string(),
            )
        })
        .collect()
}

async fn wait_until_complete(instance: &Instance, token: &str, id: &str, serve: &Process) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let document = instance
            .get_json(token, &format!("/api/v1/documents/{id}"))
            .await;
        match document["status"].as_str().unwrap() {
            "complete" => return,
            "failed" => panic!("{document}\n{}", serve.log()),
            _ => {}
        }
        assert!(
            Instant::now() < deadline,
            "{id} never completed:\n{}",
            serve.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Accepts the first finding of the first document that has one; false when none has.
async fn review_a_finding(
    instance: &Instance,
    token: &str,
    ids: &BTreeMap<String, String>,
) -> bool {
    for id in ids.values() {
        let path = format!("/api/v1/documents/{id}/findings");
        let listed = instance.get_json(token, &path).await;
        let Some(finding) = listed["findings"].as_array().unwrap().first() else {
            continue;
        };
        let key = finding["key"].as_str().unwrap();
        let review = json!({ "decision": "accepted", "note": "agreed with the client" });
        let answer = http()
            .put(instance.url(&format!("{path}/{key}/review")))
            .bearer_auth(token)
            .json(&review)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        return true;
    }
    false
}

/// A passage of the search index and its vector, as text (pgvector prints each float in
/// its shortest exact form, so equal text is an equal vector).
type Chunk = (String, i32, Option<String>, Option<String>);

/// Everything a restore must bring back, read from one running instance.
#[derive(Debug, PartialEq)]
struct Recorded {
    /// Each document as the API describes it, by file name.
    documents: BTreeMap<String, Value>,
    reports: BTreeMap<String, Value>,
    findings: BTreeMap<String, Value>,
    chunks: Vec<Chunk>,
}

impl Recorded {
    /// Reads the instance through the API and its database, checking on the way that every
    /// original downloads byte for byte as uploaded.
    async fn read(instance: &Instance, token: &str, ids: &BTreeMap<String, String>) -> Self {
        let mut recorded = Self {
            documents: BTreeMap::new(),
            reports: BTreeMap::new(),
            findings: BTreeMap::new(),
            chunks: Vec::new(),
        };
        for (name, id) in ids {
            let path = format!("/api/v1/documents/{id}");
            let document = instance.get_json(token, &path).await;
            let report = instance.get_json(token, &format!("{path}/report")).await;
            let findings = instance.get_json(token, &format!("{path}/findings")).await;
            let original = instance.get(token, &format!("{path}/download")).await;
            let original = original.bytes().await.unwrap();
            assert!(
                original[..] == fixture(name)[..],
                "{name} downloads different bytes"
            );
            assert_eq!(document["sha256"], sha256_hex(&original));

            recorded.documents.insert(name.clone(), document);
            recorded.reports.insert(name.clone(), report);
            recorded.findings.insert(name.clone(), findings);
        }

        let db = instance.database().await;
        recorded.chunks = sqlx::query_as(
            "SELECT document_id::text, ordinal, embedding::text, embedding_model FROM chunks \
             ORDER BY document_id, ordinal",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        db.close().await;
        recorded
    }

    fn finding_count(&self) -> usize {
        let findings = self.findings.values();
        findings
            .map(|f| f["findings"].as_array().unwrap().len())
            .sum()
    }

    /// Compares with `after` part by part, so that a difference is reported briefly
    /// instead of as two dumps of every vector.
    fn assert_restored_as(&self, after: &Self) {
        assert_eq!(self.documents, after.documents, "documents differ");
        assert_eq!(self.findings, after.findings, "findings differ");
        assert_eq!(self.reports, after.reports, "reports differ");
        assert_eq!(
            self.chunks.len(),
            after.chunks.len(),
            "passage counts differ"
        );
        let differing = self
            .chunks
            .iter()
            .zip(&after.chunks)
            .position(|(a, b)| a != b);
        assert_eq!(differing, None, "a passage or its vector differs");
    }
}

fn read_manifest(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A copy of `backup` in which one original has one byte changed.
fn tampered_copy(backup: &Path, into: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(backup)
        .arg(into)
        .status()
        .unwrap();
    assert!(status.success());
    let sums = std::fs::read_to_string(into.join("SHA256SUMS")).unwrap();
    let original = sums
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(_, path)| into.join(path))
        .find(|path| path.starts_with(into.join("storage")))
        .unwrap();
    let mut bytes = std::fs::read(&original).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&original, bytes).unwrap();
}

/// Runs `serve` on `instance`, fills it with the fixtures (analysed, one finding reviewed),
/// takes a backup into `backup` while it runs, and stops it. Returns the documents' ids and
/// what was recorded before the backup.
async fn fill_and_back_up(
    instance: &Instance,
    backup: &Path,
) -> (BTreeMap<String, String>, Recorded) {
    let mut serve = instance.serve().await;
    let token = instance.sign_in(INITIAL_PASSWORD).await;
    let change = json!({
        "current_password": INITIAL_PASSWORD,
        "new_password": CHANGED_PASSWORD,
    });
    let changed = http()
        .post(instance.url("/api/v1/auth/change-password"))
        .bearer_auth(&token)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);

    let ids = upload_fixtures(instance, &token).await;
    assert_eq!(ids.len(), FIXTURES.len());
    for id in ids.values() {
        wait_until_complete(instance, &token, id, &serve).await;
    }
    // A reviewer's decision is data too.
    assert!(
        review_a_finding(instance, &token, &ids).await,
        "no document has a finding to review"
    );
    let before = Recorded::read(instance, &token, &ids).await;
    assert!(before.finding_count() > 0);
    assert!(!before.chunks.is_empty());
    assert!(
        before
            .chunks
            .iter()
            .all(|(_, _, vector, _)| vector.is_some())
    );

    // Online: `serve` keeps running while the backup reads its database.
    let (ok, stdout, stderr) = instance.admin(&["backup", &backup.display().to_string()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("3 documents"), "{stdout}");
    let manifest = read_manifest(backup);
    assert_eq!(manifest["counts"]["documents"], 3);
    assert_eq!(manifest["counts"]["chunks"], before.chunks.len());
    assert_eq!(manifest["originals"]["count"], 3);
    assert_eq!(manifest["missing_originals"], json!([]));
    assert_eq!(serve.terminate(), 0, "{}", serve.log());
    (ids, before)
}

/// Restores `backup` into `instance`, starts `serve` on it and checks that everything
/// recorded before the backup is there, unchanged.
async fn restore_and_compare(
    instance: &Instance,
    backup: &Path,
    ids: &BTreeMap<String, String>,
    before: &Recorded,
) {
    let (ok, stdout, stderr) = instance.admin(&["restore", &backup.display().to_string()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("3 documents"), "{stdout}");

    let mut serve = instance.serve().await;
    let token = instance.sign_in(CHANGED_PASSWORD).await;
    let after = Recorded::read(instance, &token, ids).await;
    before.assert_restored_as(&after);
    let search = instance
        .get_json(
            &token,
            "/api/v1/search?q=confidential+information&mode=semantic",
        )
        .await;
    let first_hit = search["results"][0]["document_id"].as_str().unwrap();
    assert!(ids.values().any(|id| id == first_hit), "{search}");
    assert_eq!(serve.terminate(), 0, "{}", serve.log());
}

#[tokio::test]
async fn a_backup_taken_while_serve_runs_restores_every_document_finding_and_vector() {
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("nightly");
    let first = Instance::new();
    let (ids, before) = fill_and_back_up(&first, &backup).await;
    let manifest = read_manifest(&backup);
    assert_eq!(manifest["postgres_version"], "16.2");

    // A damaged backup is refused before anything is created.
    let second = Instance::new();
    let tampered = backups.path().join("tampered");
    tampered_copy(&backup, &tampered);
    let (ok, _, stderr) = second.admin(&["restore", &tampered.display().to_string()]);
    assert!(!ok);
    assert!(stderr.contains("does not match its checksum"), "{stderr}");
    assert!(!second.data.path().join("postgres").exists());

    restore_and_compare(&second, &backup, &ids, &before).await;
    // Restoring again would replace what is there now: refused unless forced.
    let (ok, _, stderr) = second.admin(&["restore", &backup.display().to_string()]);
    assert!(!ok);
    assert!(stderr.contains("is not empty"), "{stderr}");
}

/// Forwards a loopback TCP port to the test PostgreSQL's Unix socket, for as long as the
/// test runs. The test server listens on no TCP port, and its PgBouncer requires TLS, which
/// the wheel's client programs (the only ones of version 16 here) were built without.
fn forward_to_test_postgres() -> u16 {
    let socket = Path::new(&test_env("LUCIDITY_TEST_PG_SOCKET_DIR"))
        .join(format!(".s.PGSQL.{}", test_env("LUCIDITY_TEST_PG_PORT")));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let server = std::os::unix::net::UnixStream::connect(&socket).unwrap();
            let (mut client_in, mut server_out) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut client_in, &mut server_out);
                let _ = server_out.shutdown(std::net::Shutdown::Write);
            });
            let (mut server_in, mut client_out) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server_in, &mut client_out);
                let _ = client_out.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    port
}

#[tokio::test]
async fn a_backup_of_an_external_database_restores_into_a_database_not_yet_created() {
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("nightly");
    let port = forward_to_test_postgres();
    let source = super::production::create_database_pub().await;
    let (ids, before) = fill_and_back_up(&Instance::external(&source, port), &backup).await;
    let manifest = read_manifest(&backup);
    let origin = manifest["database_source"].as_str().unwrap();
    assert_eq!(origin, format!("127.0.0.1:{port}/{source}"));

    let fresh = format!("restored_{}", uuid::Uuid::new_v4().simple());
    let target = Instance::external(&fresh, port);
    restore_and_compare(&target, &backup, &ids, &before).await;
}
