//! The HTTP client for the backend: typed calls to its auth endpoints, and [`Api`], the
//! signed-in calls every page makes.
//!
//! Every call carries the forwarding headers of the browser's request, so the backend sees the
//! real client address (its login rate limits count by it) and the same request id. Tokens
//! travel only in `Authorization` headers and JSON bodies, never in URLs.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use http::header::RETRY_AFTER;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
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

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
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

/// The backend's API as one signed-in user, for the duration of one browser request.
pub struct Api<'a> {
    backend: &'a Backend,
    access_token: &'a str,
    forwarding: &'a HeaderMap,
}

impl<'a> Api<'a> {
    pub fn new(backend: &'a Backend, access_token: &'a str, forwarding: &'a HeaderMap) -> Self {
        Self {
            backend,
            access_token,
            forwarding,
        }
    }

    /// A request to `path` (which starts with `/api/`), authorised and forwarded, for the
    /// caller to give a body and send; streaming responses (events, downloads) start here.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.backend
            .client
            .request(method, self.backend.url(path))
            .bearer_auth(self.access_token)
            .headers(self.forwarding.clone())
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, BackendError> {
        read_json(send(self.request(Method::GET, path)).await?).await
    }

    /// `GET path?query`, with the pairs percent-encoded; empty values are left out.
    pub async fn get_with<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, BackendError> {
        let pairs: Vec<_> = query
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .collect();
        let mut path = path.to_owned();
        if !pairs.is_empty() {
            let encoded = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            path = format!("{path}?{encoded}");
        }
        self.get(&path).await
    }

    /// Sends `body` as JSON and reads the JSON answer.
    pub async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, BackendError> {
        read_json(send(self.request(method, path).json(body)).await?).await
    }

    /// Sends `body` as JSON (or nothing) and ignores the answer's body.
    pub async fn call<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<(), BackendError> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        send(request).await.map(drop)
    }
}

/// One path segment, percent-encoded, so a finding key or a field name from a form cannot
/// climb the path; `None` for an empty, `.` or `..` segment, which URLs resolve however encoded.
pub fn segment(value: &str) -> Option<String> {
    if value.bytes().all(|byte| byte == b'.') {
        return None;
    }
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                encoded.push(char::from(byte));
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    Some(encoded)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_cannot_carry_a_slash_or_a_query() {
        let encoded = |value| segment(value).expect("a usable segment");

        assert_eq!(encoded("missing:governing_law"), "missing:governing_law");
        assert_eq!(encoded("../admin?x=1"), "..%2Fadmin%3Fx%3D1");
        assert_eq!(encoded("fee 2"), "fee%202");
        assert_eq!(segment(".."), None);
        assert_eq!(segment(""), None);
    }
}
