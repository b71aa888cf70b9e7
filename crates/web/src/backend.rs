//! The HTTP client for the backend, and typed calls to its auth and project endpoints.
//!
//! Every call carries the forwarding headers of the browser's request, so the backend sees the
//! real client address (its login rate limits count by it) and the same request id. Tokens
//! travel only in `Authorization` headers and JSON bodies, never in URLs.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use http::header::RETRY_AFTER;
use http::{HeaderMap, HeaderValue, StatusCode};
use reqwest::{RequestBuilder, Response, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A backend on the same network accepts a connection in milliseconds; five seconds means it
/// is down. There is no total timeout: event streams stay open for as long as the browser
/// listens.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Backend {
    /// One pool of keep-alive connections, shared by the proxy and the page calls.
    client: reqwest::Client,
    /// `BACKEND_INTERNAL_URL` without its trailing slash, ready for a path to be appended.
    base_url: Arc<str>,
    /// The path every proxied URL must start with once normalised: `<base path>/api/`.
    api_prefix: Arc<str>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// No usable answer: the backend is down, the connection broke, or a success body was not
    /// the JSON the contract promises. Pages answer 502.
    #[error("the backend gave no usable answer")]
    Unavailable(#[source] reqwest::Error),
    /// The backend answered with an error status; pages decide what each status means.
    #[error("the backend refused with status {}", .0.status)]
    Refused(Refusal),
}

#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    /// The detail's messages: one for a string detail, one per item of a validation list, none
    /// when the body was not `{"detail": ...}`.
    pub messages: Vec<String>,
    /// `Retry-After` of a 429, passed on to the browser.
    pub retry_after: Option<HeaderValue>,
}

#[derive(Serialize)]
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
}

/// A successful login. No `Debug`: the tokens must not reach a log by accident.
#[derive(Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Lifetime of the access token, in seconds.
    pub expires_in: u64,
    #[serde(default)]
    pub must_change_password: bool,
}

#[derive(Deserialize)]
pub struct CurrentUser {
    pub email: String,
    pub display_name: Option<String>,
    pub role: String,
    #[serde(default)]
    pub must_change_password: bool,
}

#[derive(Deserialize)]
pub struct Project {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Serialize)]
pub struct PasswordChange<'a> {
    pub current_password: &'a str,
    pub new_password: &'a str,
}

#[derive(Serialize)]
struct LogoutRequest<'a> {
    refresh_token: &'a str,
}

/// The backend's error body: `{"detail": "..."}` or a validation list.
#[derive(Deserialize)]
struct ErrorBody {
    detail: Detail,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Detail {
    Message(String),
    Problems(Vec<Problem>),
}

#[derive(Deserialize)]
struct Problem {
    msg: String,
}

impl Backend {
    pub fn new(base_url: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .no_proxy()
            .build()
            .context("failed to build the HTTP client for the backend")?;

        let parsed = Url::parse(base_url).context("BACKEND_INTERNAL_URL is not a URL")?;
        let api_prefix = format!("{}/api/", parsed.path().trim_end_matches('/'));
        let base_url = base_url.trim_end_matches('/');

        Ok(Self {
            client,
            base_url: base_url.into(),
            api_prefix: api_prefix.into(),
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The backend URL for a browser's `/api/...` path and query, or `None` when the path,
    /// once its `..` segments are resolved, would leave `/api/`.
    pub fn api_url(&self, path_and_query: &str) -> Option<Url> {
        let url = Url::parse(&format!("{}{path_and_query}", self.base_url)).ok()?;
        url.path().starts_with(&*self.api_prefix).then_some(url)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn login(
        &self,
        credentials: &Credentials<'_>,
        forwarding: HeaderMap,
    ) -> Result<Tokens, BackendError> {
        let request = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(credentials);
        read_json(send(request.headers(forwarding)).await?).await
    }

    /// Exchanges a refresh token for new tokens (the presented one stops working).
    pub async fn refresh(
        &self,
        refresh_token: &str,
        forwarding: HeaderMap,
    ) -> Result<Tokens, BackendError> {
        let body = LogoutRequest { refresh_token };
        let request = self
            .client
            .post(self.url("/api/v1/auth/refresh"))
            .json(&body);
        read_json(send(request.headers(forwarding)).await?).await
    }

    pub async fn current_user(
        &self,
        access_token: &str,
        forwarding: HeaderMap,
    ) -> Result<CurrentUser, BackendError> {
        let request = self
            .client
            .get(self.url("/api/v1/auth/me"))
            .bearer_auth(access_token);
        read_json(send(request.headers(forwarding)).await?).await
    }

    pub async fn projects(
        &self,
        access_token: &str,
        forwarding: HeaderMap,
    ) -> Result<Vec<Project>, BackendError> {
        let request = self
            .client
            .get(self.url("/api/v1/projects"))
            .bearer_auth(access_token);
        read_json(send(request.headers(forwarding)).await?).await
    }

    pub async fn change_password(
        &self,
        access_token: &str,
        change: &PasswordChange<'_>,
        forwarding: HeaderMap,
    ) -> Result<(), BackendError> {
        let url = self.url("/api/v1/auth/change-password");
        let request = self.client.post(url).bearer_auth(access_token).json(change);
        send(request.headers(forwarding)).await.map(drop)
    }

    pub async fn logout(
        &self,
        access_token: &str,
        refresh_token: &str,
        forwarding: HeaderMap,
    ) -> Result<(), BackendError> {
        let body = LogoutRequest { refresh_token };
        let url = self.url("/api/v1/auth/logout");
        let request = self.client.post(url).bearer_auth(access_token).json(&body);
        send(request.headers(forwarding)).await.map(drop)
    }
}

/// Sends the request and turns an error status into [`BackendError::Refused`].
async fn send(request: RequestBuilder) -> Result<Response, BackendError> {
    let response = request.send().await.map_err(BackendError::Unavailable)?;
    if response.status().is_success() {
        return Ok(response);
    }

    let status = response.status();
    let retry_after = response.headers().get(RETRY_AFTER).cloned();
    let messages = match response.json::<ErrorBody>().await {
        Ok(body) => body.detail.into_messages(),
        Err(_) => Vec::new(),
    };
    Err(BackendError::Refused(Refusal {
        status,
        messages,
        retry_after,
    }))
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, BackendError> {
    response.json().await.map_err(BackendError::Unavailable)
}

impl Detail {
    fn into_messages(self) -> Vec<String> {
        match self {
            Self::Message(message) => vec![message],
            Self::Problems(problems) => problems.into_iter().map(|p| p.msg).collect(),
        }
    }
}

impl Refusal {
    /// True when the backend refuses because the account must first change its password.
    pub fn requires_password_change(&self) -> bool {
        self.status == StatusCode::FORBIDDEN
            && self
                .messages
                .iter()
                .any(|m| m.to_ascii_lowercase().contains("password"))
    }
}
