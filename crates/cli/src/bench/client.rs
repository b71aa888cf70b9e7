//! The memory part's HTTP client, through the front door as a user's browser goes: signs in
//! as the seeded admin (choosing a new password, as the first sign-in requires), uploads a
//! file as a multipart body streamed from disk, so the benchmark never holds the file, and
//! reads a document's status.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use serde_json::{Value, json};

use super::corpus;

/// The seed's administrator on the embedded default, with its published first password.
const ADMIN_EMAIL: &str = "admin@localhost";
const FIRST_PASSWORD: &str = "ChangeMe-Lucidity-1";

/// The password the benchmark sets; the instance and its data are deleted afterwards.
const BENCH_PASSWORD: &str = "bench-throwaway-instance-password-1";

/// Longest any one request may take, the upload of a large file included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

/// A signed-in session with the server.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// What the benchmark reads of `GET /api/v1/documents/{id}`.
#[derive(Debug, Deserialize)]
pub struct DocumentStatus {
    pub status: String,
    pub page_count: Option<i32>,
    pub error_message: Option<String>,
    #[serde(default)]
    pub stages: Vec<StageTiming>,
}

#[derive(Debug, Deserialize)]
pub struct StageTiming {
    pub stage: String,
    pub duration_ms: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Tokens {
    access_token: String,
    #[serde(default)]
    must_change_password: bool,
}

impl Client {
    /// Signs in as the seeded admin, changing its first password.
    pub async fn sign_in(base: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .context("cannot build the HTTP client")?;
        let mut client = Self {
            http,
            base: base.to_string(),
            token: String::new(),
        };

        let first = client.login(FIRST_PASSWORD).await?;
        client.token = first.access_token;
        if first.must_change_password {
            client.change_password().await?;
            client.token = client.login(BENCH_PASSWORD).await?.access_token;
        }
        Ok(client)
    }

    /// The access token, for requests the benchmark builds itself.
    pub fn token(&self) -> &str {
        &self.token
    }

    async fn login(&self, password: &str) -> anyhow::Result<Tokens> {
        let body = json!({ "email": ADMIN_EMAIL, "password": password });
        let url = format!("{}/api/v1/auth/login", self.base);
        let response = self.http.post(url).json(&body).send().await?;
        let response = expect_status(response, StatusCode::OK, "sign-in").await?;
        Ok(response.json().await?)
    }

    async fn change_password(&self) -> anyhow::Result<()> {
        let body = json!({ "current_password": FIRST_PASSWORD, "new_password": BENCH_PASSWORD });
        let url = format!("{}/api/v1/auth/change-password", self.base);
        let request = self.http.post(url).bearer_auth(&self.token).json(&body);
        expect_status(
            request.send().await?,
            StatusCode::NO_CONTENT,
            "password change",
        )
        .await?;
        Ok(())
    }

    /// The id of the first project listed: the seed's `Default` on a fresh instance.
    pub async fn first_project(&self) -> anyhow::Result<String> {
        let url = format!("{}/api/v1/projects", self.base);
        let response = self.http.get(url).bearer_auth(&self.token).send().await?;
        let projects: Value = expect_status(response, StatusCode::OK, "project list")
            .await?
            .json()
            .await?;
        projects[0]["id"]
            .as_str()
            .map(str::to_string)
            .context("the instance has no project")
    }

    /// Uploads the PDF at `path` into `project`, streamed from disk, and returns its id.
    pub async fn upload_pdf(&self, project: &str, path: &Path) -> anyhow::Result<String> {
        let file = tokio::fs::File::open(path)
            .await
            .with_context(|| format!("cannot open {}", path.display()))?;
        let size_bytes = file.metadata().await?.len();
        let part = Part::stream_with_length(file, size_bytes)
            .file_name(corpus::name(path))
            .mime_str("application/pdf")?;
        let form = Form::new()
            .text("project_id", project.to_string())
            .part("files", part);

        let url = format!("{}/api/v1/documents", self.base);
        let request = self.http.post(url).bearer_auth(&self.token).multipart(form);
        let response = expect_status(request.send().await?, StatusCode::ACCEPTED, "upload").await?;
        let body: Value = response.json().await?;
        body["documents"][0]["id"]
            .as_str()
            .map(str::to_string)
            .context("the upload's answer names no document")
    }

    pub async fn document(&self, id: &str) -> anyhow::Result<DocumentStatus> {
        let url = format!("{}/api/v1/documents/{id}", self.base);
        let response = self.http.get(url).bearer_auth(&self.token).send().await?;
        Ok(expect_status(response, StatusCode::OK, "document status")
            .await?
            .json()
            .await?)
    }
}

/// The response when its status is `wanted`; otherwise an error with the server's `detail`.
async fn expect_status(
    response: reqwest::Response,
    wanted: StatusCode,
    what: &str,
) -> anyhow::Result<reqwest::Response> {
    let status = response.status();
    if status == wanted {
        return Ok(response);
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let detail = body["detail"].as_str().unwrap_or("no detail");
    bail!("{what} answered {status}: {detail}")
}
