//! Test support: the real web process on port 0 in front of a fake backend.
//!
//! The fake backend is a small axum app, also on port 0, that speaks the API's contract for the
//! endpoints the web process uses, and records what reached it. The real API is another crate;
//! the full-stack tests that put both together live elsewhere.

#![allow(dead_code)]

pub mod admin;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use lucidity_common::Config;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The access token of an ordinary signed-in administrator.
pub const ADMIN_ACCESS: &str = "access-admin";
pub const ADMIN_REFRESH: &str = "refresh-admin";
/// The access token of an account that must change its password first.
pub const NEWCOMER_ACCESS: &str = "access-newcomer";
pub const NEWCOMER_REFRESH: &str = "refresh-newcomer";

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const NEWCOMER_EMAIL: &str = "newcomer@example.com";
pub const THROTTLED_EMAIL: &str = "throttled@example.com";
pub const PASSWORD: &str = "correct horse battery staple";
/// The refusal message for a wrong password, with markup that must reach the page escaped.
pub const HOSTILE_DETAIL: &str = "Invalid email or password <script>alert(1)</script>";
/// A project name with markup that must reach the page escaped.
pub const HOSTILE_PROJECT: &str = "Acme <img src=x onerror=alert(1)> supply";
/// A well-formed form token, as a page would have set in its cookie and repeated in its form.
pub const FORM_TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A running web process and the fake backend behind it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>` of the web process.
    pub address: String,
    /// A client that does not follow redirects, so tests see the 303s themselves.
    pub client: reqwest::Client,
    pub backend: FakeBackend,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// What the fake backend saw, and the switch that releases its second event.
#[derive(Clone, Default)]
pub struct FakeBackend {
    inner: Arc<Recorder>,
}

#[derive(Default)]
struct Recorder {
    requests: Mutex<Vec<Seen>>,
    second_event: Notify,
}

/// One request as it reached the fake backend.
#[derive(Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    pub json: Option<Value>,
}

impl FakeBackend {
    /// Every request that reached `path`, oldest first.
    pub fn requests_to(&self, path: &str) -> Vec<Seen> {
        let requests = self
            .inner
            .requests
            .lock()
            .expect("the lock is not poisoned");
        requests
            .iter()
            .filter(|seen| seen.path == path)
            .cloned()
            .collect()
    }

    /// Lets the event stream send its second event.
    pub fn release_second_event(&self) {
        self.inner.second_event.notify_one();
    }

    fn record(&self, path: &str, headers: &HeaderMap, json: Option<Value>) {
        let seen = Seen {
            path: path.to_string(),
            headers: headers.clone(),
            json,
        };
        self.inner
            .requests
            .lock()
            .expect("the lock is not poisoned")
            .push(seen);
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Posts a form the way a browser on our own page does: a matching `Origin`, and the
    /// form token both in its cookie and in the form.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.post_form_with_cookies(path, form, "").await
    }

    pub async fn post_form_with_cookies(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookies: &str,
    ) -> reqwest::Response {
        let mut fields = form.to_vec();
        fields.push(("csrf_token", FORM_TOKEN));
        let cookies = with_form_token(cookies);
        let request = self
            .client
            .post(self.url(path))
            .form(&fields)
            .header(header::ORIGIN, &self.address)
            .header(header::COOKIE, cookies);
        request.send().await.expect("the web process answers")
    }

    pub async fn get_with_cookies(&self, path: &str, cookies: &str) -> reqwest::Response {
        let request = self
            .client
            .get(self.url(path))
            .header(header::COOKIE, cookies);
        request.send().await.expect("the web process answers")
    }
}

/// Starts the fake backend and the web process in front of it.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Like [`spawn_app`], with extra configuration variables.
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let backend = FakeBackend::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let backend_url = format!("http://{}", listener.local_addr().expect("an address"));
    let app = fake_backend(backend.clone()).into_make_service();
    tokio::spawn(async move { axum::serve(listener, app).await });

    spawn_web(&backend_url, backend, vars).await
}

/// The web process pointed at a port where nothing listens.
pub async fn spawn_app_without_backend() -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let closed_url = format!("http://{}", listener.local_addr().expect("an address"));
    drop(listener);

    spawn_web(&closed_url, FakeBackend::default(), &[]).await
}

async fn spawn_web(backend_url: &str, backend: FakeBackend, vars: &[(&str, &str)]) -> TestApp {
    let mut all_vars = vec![("BACKEND_INTERNAL_URL", backend_url)];
    all_vars.extend_from_slice(vars);
    let config = Config::from_vars(all_vars).expect("a valid test configuration");

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = format!("http://{}", listener.local_addr().expect("an address"));
    let shutdown = CancellationToken::new();
    tokio::spawn(lucidity_web::serve(listener, config, shutdown.clone()));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a test client");
    TestApp {
        address,
        client,
        backend,
        shutdown,
    }
}

/// The cookies with the form token added, under both its development and production names.
pub fn with_form_token(cookies: &str) -> String {
    let token = format!("cl_csrf={FORM_TOKEN}; __Host-cl_csrf={FORM_TOKEN}");
    match cookies.is_empty() {
        true => token,
        false => format!("{cookies}; {token}"),
    }
}

/// The `Set-Cookie` header for `name`, when the response has one.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&prefix))
        .map(String::from)
}

/// The `Location` of a redirect.
pub fn location(response: &reqwest::Response) -> &str {
    let value = response
        .headers()
        .get(header::LOCATION)
        .expect("a Location header");
    value.to_str().expect("an ASCII Location")
}

/// `n` bytes of a repeating, non-trivial pattern, in 64 KiB chunks.
pub fn pattern_chunks(n: usize) -> Vec<Bytes> {
    let bytes: Vec<u8> = (0..n).map(|i| (i.wrapping_mul(31) % 251) as u8).collect();
    bytes
        .chunks(64 * 1024)
        .map(Bytes::copy_from_slice)
        .collect()
}

pub fn sha256_hex(chunks: &[Bytes]) -> String {
    let mut hasher = Sha256::new();
    for chunk in chunks {
        hasher.update(chunk);
    }
    format!("{:x}", hasher.finalize())
}

fn fake_backend(backend: FakeBackend) -> Router {
    Router::new()
        .route("/api/v1/echo/{*rest}", any(echo))
        .route("/api/v1/events", get(events))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/me", get(me))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/projects", get(projects))
        .route("/api/v1/dashboard", get(dashboard))
        .route("/api/v1/activity", get(activity))
        .route("/api/v1/auth/change-password", post(change_password))
        .route("/api/v1/auth/logout", post(logout))
        .route("/metrics", get(|| async { "internal metrics" }))
        .merge(admin::routes())
        .layer(middleware::from_fn_with_state(
            backend.clone(),
            record_request,
        ))
        .with_state(backend)
}

/// Records the path and headers of every request; handlers with a JSON body record it too.
async fn record_request(
    State(backend): State<FakeBackend>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if !path.starts_with("/api/v1/auth/") {
        backend.record(&path, request.headers(), None);
    }
    next.run(request).await
}

/// Describes the request it received, hashing the body as it streams in.
async fn echo(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut hasher = Sha256::new();
    let mut body_length = 0usize;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("the body arrives whole");
        body_length += chunk.len();
        hasher.update(&chunk);
    }

    let headers: serde_json::Map<String, Value> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value.to_str().unwrap_or("?"))))
        .collect();
    let description = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "headers": headers,
        "body_length": body_length,
        "body_sha256": format!("{:x}", hasher.finalize()),
    });
    let extra = [
        (header::SET_COOKIE, "backend_cookie=1; Path=/"),
        (header::ETAG, "\"v1\""),
    ];
    (extra, Json(description)).into_response()
}

/// Two server-sent events; the second waits until the test releases it.
async fn events(State(backend): State<FakeBackend>) -> Response {
    let stream = futures_util::stream::unfold(0, move |sent| {
        let backend = backend.clone();
        async move {
            match sent {
                0 => Some((Ok::<_, std::io::Error>(Bytes::from("data: first\n\n")), 1)),
                1 => {
                    backend.inner.second_event.notified().await;
                    Some((Ok(Bytes::from("data: second\n\n")), 2))
                }
                _ => None,
            }
        }
    });
    let headers = [
        (header::CONTENT_TYPE, "text/event-stream"),
        (header::CACHE_CONTROL, "no-cache"),
    ];
    (headers, Body::from_stream(stream)).into_response()
}

async fn login(
    State(backend): State<FakeBackend>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    backend.record("/api/v1/auth/login", &headers, Some(body.clone()));
    let email = body["email"].as_str().unwrap_or_default();
    let password = body["password"].as_str().unwrap_or_default();

    match (email, password) {
        (ADMIN_EMAIL, PASSWORD) => Json(tokens(ADMIN_ACCESS, ADMIN_REFRESH, false)).into_response(),
        (NEWCOMER_EMAIL, PASSWORD) => {
            Json(tokens(NEWCOMER_ACCESS, NEWCOMER_REFRESH, true)).into_response()
        }
        (THROTTLED_EMAIL, _) => {
            let detail = json!({ "detail": "Too many failed logins; try again later" });
            let retry_after = [(header::RETRY_AFTER, "60")];
            (StatusCode::TOO_MANY_REQUESTS, retry_after, Json(detail)).into_response()
        }
        ("", _) => {
            let problem =
                json!({ "loc": ["body", "email"], "msg": "Field required", "type": "missing" });
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "detail": [problem] })),
            )
                .into_response()
        }
        _ => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "detail": HOSTILE_DETAIL })),
        )
            .into_response(),
    }
}

fn tokens(access: &str, refresh: &str, must_change_password: bool) -> Value {
    json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": 3600,
        "must_change_password": must_change_password,
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ")
}

fn unauthorized() -> Response {
    let detail = json!({ "detail": "Not authenticated" });
    (StatusCode::UNAUTHORIZED, Json(detail)).into_response()
}

/// Rotates the admin's refresh token; any other token is refused as the API does.
async fn refresh(Json(body): Json<Value>) -> Response {
    match body["refresh_token"].as_str() {
        Some(ADMIN_REFRESH) => Json(tokens(ADMIN_ACCESS, ADMIN_REFRESH, false)).into_response(),
        _ => {
            let detail = json!({ "detail": "Invalid or expired refresh token" });
            (StatusCode::UNAUTHORIZED, Json(detail)).into_response()
        }
    }
}

async fn me(headers: HeaderMap) -> Response {
    let (email, must_change_password) = match bearer(&headers) {
        Some(ADMIN_ACCESS) => (ADMIN_EMAIL, false),
        Some(NEWCOMER_ACCESS) => (NEWCOMER_EMAIL, true),
        Some(admin::MEMBER_ACCESS) => return admin::member(),
        _ => return unauthorized(),
    };
    Json(json!({
        "id": "6f1c1a52-0000-4000-8000-000000000001",
        "email": email,
        "display_name": "Ada <Admin>",
        "role": "admin",
        "must_change_password": must_change_password,
    }))
    .into_response()
}

async fn projects(headers: HeaderMap) -> Response {
    match bearer(&headers) {
        Some(ADMIN_ACCESS) => {}
        Some(NEWCOMER_ACCESS) => {
            let detail = json!({ "detail": "Password change required" });
            return (StatusCode::FORBIDDEN, Json(detail)).into_response();
        }
        _ => return unauthorized(),
    }
    Json(json!([
        {
            "id": "7a0c0000-0000-4000-8000-000000000001",
            "name": HOSTILE_PROJECT,
            "description": "Supplier agreements",
            "access_level": "admin",
            "created_at": "2026-01-05T10:00:00Z",
        },
        {
            "id": "7a0c0000-0000-4000-8000-000000000002",
            "name": "Office leases",
            "description": "",
            "access_level": "viewer",
            "created_at": "2026-01-06T10:00:00Z",
        },
    ]))
    .into_response()
}

/// A small portfolio: two documents done, one running, one failed, one deadline.
async fn dashboard(headers: HeaderMap) -> Response {
    if bearer(&headers) != Some(ADMIN_ACCESS) {
        return unauthorized();
    }
    Json(json!({
        "total": 4,
        "by_status": { "complete": 2, "analyzing": 1, "failed": 1 },
        "by_risk": { "high": 1, "medium": 0, "low": 1, "none": 2 },
        "open_findings": { "high": 3, "medium": 1, "low": 0 },
        "upcoming": [{
            "document_id": "d0c00000-0000-4000-8000-000000000001",
            "project_id": "7a0c0000-0000-4000-8000-000000000001",
            "filename": "Supply <b>agreement</b>.pdf",
            "kind": "notice",
            "date": "2027-01-31",
            "label": "Notice to avoid auto-renewal is due",
        }],
        "obligations": [{
            "document_id": "d0c00000-0000-4000-8000-000000000001",
            "project_id": "7a0c0000-0000-4000-8000-000000000001",
            "filename": "Supply <b>agreement</b>.pdf",
            "party": "Supplier",
            "action": "deliver a <i>quarterly</i> report",
            "due": null,
            "recurrence": "quarterly",
            "page": 4,
        }],
    }))
    .into_response()
}

async fn activity(headers: HeaderMap) -> Response {
    if bearer(&headers) != Some(ADMIN_ACCESS) {
        return unauthorized();
    }
    Json(json!([{
        "id": 1,
        "occurred_at": "2026-12-01T09:30:00Z",
        "action": "document.completed",
        "actor_user_id": null,
        "project_id": "7a0c0000-0000-4000-8000-000000000001",
        "document_id": "d0c00000-0000-4000-8000-000000000001",
        "detail": { "filename": "Supply <b>agreement</b>.pdf" },
    }]))
    .into_response()
}

async fn change_password(
    State(backend): State<FakeBackend>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    backend.record("/api/v1/auth/change-password", &headers, Some(body.clone()));
    if bearer(&headers).is_none() {
        return unauthorized();
    }
    if body["current_password"] != PASSWORD {
        let detail = json!({ "detail": "The current password is wrong" });
        return (StatusCode::BAD_REQUEST, Json(detail)).into_response();
    }
    if body["new_password"].as_str().unwrap_or_default().len() < 12 {
        let problem = json!({
            "loc": ["body", "new_password"],
            "msg": "The password must be at least 12 characters <long>",
            "type": "value_error",
        });
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "detail": [problem] })),
        )
            .into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn logout(
    State(backend): State<FakeBackend>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    backend.record("/api/v1/auth/logout", &headers, Some(body));
    match bearer(&headers) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => unauthorized(),
    }
}

/// Waits at most five seconds, so that a test that would hang fails instead.
pub async fn within_five_seconds<F: std::future::Future>(future: F) -> F::Output {
    let limit = Duration::from_secs(5);
    tokio::time::timeout(limit, future)
        .await
        .expect("finished within five seconds")
}

/// The address a test can use to reach a port directly, for raw requests.
pub fn socket_address(app: &TestApp) -> SocketAddr {
    let authority = app.address.trim_start_matches("http://");
    authority.parse().expect("an IP address and port")
}
