//! The fake backend's administrative endpoints, for the administration pages' tests.
//!
//! Each endpoint answers as the API does for a small firm: three accounts (one with markup in
//! its name), one group, two grants, one wall, the settings, two playbook entries and the five
//! capabilities. Every change is recorded under `"<METHOD> <path>"` with its JSON body, so a
//! test can tell a `PATCH` from a `DELETE` of the same path. A few inputs are refused the way
//! the API refuses them, to exercise the pages' handling of a refusal.

use axum::Router;
use axum::extract::{Json, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde_json::{Value, json};

use super::{ADMIN_ACCESS, ADMIN_EMAIL, FakeBackend, bearer, unauthorized};

/// The access token of a signed-in user who is not an administrator.
pub const MEMBER_ACCESS: &str = "access-member";
pub const MEMBER_EMAIL: &str = "member@example.com";

pub const ADMIN_ID: &str = "6f1c1a52-0000-4000-8000-000000000001";
pub const GRACE_ID: &str = "6f1c1a52-0000-4000-8000-000000000002";
pub const LINUS_ID: &str = "6f1c1a52-0000-4000-8000-000000000003";
/// An account's name with markup that must reach the page escaped.
pub const HOSTILE_USER: &str = "Grace <script>alert(1)</script> Hopper";
/// An email the fake refuses as taken, as the API does for a duplicate.
pub const TAKEN_EMAIL: &str = "taken@example.com";

pub const GROUP_ID: &str = "9a000000-0000-4000-8000-000000000001";
pub const NEW_GROUP_ID: &str = "9a000000-0000-4000-8000-000000000002";
/// The first project of the fake's project list.
pub const PROJECT_ID: &str = "7a0c0000-0000-4000-8000-000000000001";
pub const OTHER_PROJECT_ID: &str = "7a0c0000-0000-4000-8000-000000000002";
pub const GRANT_ID: &str = "6a000000-0000-4000-8000-000000000002";
pub const WALL_ID: &str = "3b000000-0000-4000-8000-000000000001";
pub const SEED_ENTRY: &str = "seed:governing_law";

const CREATED_AT: &str = "2026-01-05T10:00:00Z";

pub fn routes() -> Router<FakeBackend> {
    Router::new()
        .route("/api/v1/admin/users", get(users).post(create_user))
        .route(
            "/api/v1/admin/users/{id}",
            axum::routing::patch(update_user),
        )
        .route("/api/v1/admin/users/{id}/reset-password", post(no_content))
        .route("/api/v1/admin/groups", get(groups).post(create_group))
        .route("/api/v1/admin/groups/{id}", get(group).delete(no_content))
        .route("/api/v1/admin/groups/{id}/members", post(no_content))
        .route(
            "/api/v1/admin/groups/{id}/members/{user_id}",
            delete(no_content),
        )
        .route(
            "/api/v1/projects/{id}/grants",
            get(grants).post(create_grant),
        )
        .route("/api/v1/projects/{id}/grants/{grant}", delete(no_content))
        .route("/api/v1/admin/walls", get(walls).post(created))
        .route("/api/v1/admin/walls/{id}", delete(no_content))
        .route(
            "/api/v1/admin/settings",
            get(settings).patch(update_settings),
        )
        .route("/api/v1/playbook", get(playbook))
        .route("/api/v1/admin/playbook/entries", post(created))
        .route(
            "/api/v1/admin/playbook/entries/{id}",
            put(no_content).delete(no_content),
        )
        .route("/api/v1/admin/ai/capabilities", get(capabilities))
        .route(
            "/api/v1/admin/ai/capabilities/{capability}",
            put(update_capability),
        )
}

/// The `/api/v1/auth/me` answer for [`MEMBER_ACCESS`].
pub fn member() -> Response {
    Json(json!({
        "id": "6f1c1a52-0000-4000-8000-000000000009",
        "email": MEMBER_EMAIL,
        "display_name": "Mo Member",
        "role": "user",
        "must_change_password": false,
    }))
    .into_response()
}

/// The API's 403 or 401 for anyone but the administrator; nothing for the administrator.
fn not_admin(headers: &HeaderMap) -> Option<Response> {
    match bearer(headers) {
        Some(ADMIN_ACCESS) => None,
        Some(_) => Some(refuse(StatusCode::FORBIDDEN, "Administrators only")),
        None => Some(unauthorized()),
    }
}

fn refuse(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({ "detail": detail }))).into_response()
}

/// A 422 the way the API words one: a list of problems, each naming no field in its `msg`.
fn invalid(field: &str, message: &str) -> Response {
    let problem = json!({ "loc": ["body", field], "msg": message, "type": "value_error" });
    let body = json!({ "detail": [problem] });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// Records a change under `"<METHOD> <path>"`, the path as it arrived (still encoded).
fn note(backend: &FakeBackend, method: &Method, uri: &Uri, headers: &HeaderMap, body: Value) {
    let key = format!("{method} {}", uri.path());
    backend.record(&key, headers, Some(body));
}

/// The body of a change, or `null` for a request without one (a `DELETE`).
fn body_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

async fn no_content(
    State(backend): State<FakeBackend>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    note(&backend, &method, &uri, &headers, body_of(&bytes));
    StatusCode::NO_CONTENT.into_response()
}

/// A creation the pages do not read the answer of.
async fn created(
    State(backend): State<FakeBackend>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    note(&backend, &method, &uri, &headers, body);
    (StatusCode::CREATED, Json(json!({}))).into_response()
}

fn user(id: &str, email: &str, name: &str, role: &str, active: bool, must_change: bool) -> Value {
    json!({
        "id": id,
        "email": email,
        "display_name": name,
        "role": role,
        "is_active": active,
        "is_default_admin": id == ADMIN_ID,
        "must_change_password": must_change,
        "created_at": CREATED_AT,
    })
}

fn all_users() -> Value {
    json!([
        user(ADMIN_ID, ADMIN_EMAIL, "Ada <Admin>", "admin", true, false),
        user(
            GRACE_ID,
            "grace@example.com",
            HOSTILE_USER,
            "user",
            true,
            true
        ),
        user(
            LINUS_ID,
            "linus@example.com",
            "Linus Leaver",
            "user",
            false,
            false
        ),
    ])
}

async fn users(headers: HeaderMap) -> Response {
    match not_admin(&headers) {
        None => Json(all_users()).into_response(),
        Some(refusal) => refusal,
    }
}

async fn create_user(
    State(backend): State<FakeBackend>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    note(&backend, &method, &uri, &headers, body.clone());
    let email = body["email"].as_str().unwrap_or_default();
    if email == TAKEN_EMAIL {
        return refuse(
            StatusCode::CONFLICT,
            "An account with this email already exists",
        );
    }
    if body["password"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .count()
        < 12
    {
        return invalid("password", "must be at least 12 characters long");
    }
    let name = body["display_name"].as_str().unwrap_or_default();
    let created = user(GRACE_ID, email, name, "user", true, true);
    (StatusCode::CREATED, Json(created)).into_response()
}

/// Refuses to demote or deactivate the default administrator, as the API does.
async fn update_user(
    State(backend): State<FakeBackend>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    note(&backend, &method, &uri, &headers, body.clone());
    let demotes = body["role"] == "user" || body["is_active"] == false;
    if uri.path().ends_with(ADMIN_ID) && demotes {
        let detail = "The default administrator cannot be demoted or deactivated";
        return refuse(StatusCode::CONFLICT, detail);
    }
    Json(user(
        GRACE_ID,
        "grace@example.com",
        "Grace",
        "user",
        true,
        false,
    ))
    .into_response()
}

fn litigation() -> Value {
    json!({
        "id": GROUP_ID,
        "name": "Litigation <team>",
        "description": "Disputes and arbitration",
        "member_ids": [GRACE_ID],
        "created_at": CREATED_AT,
    })
}

async fn groups(headers: HeaderMap) -> Response {
    match not_admin(&headers) {
        None => Json(json!([litigation()])).into_response(),
        Some(refusal) => refusal,
    }
}

async fn group(headers: HeaderMap, uri: Uri) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    match uri.path().ends_with(GROUP_ID) {
        true => Json(litigation()).into_response(),
        false => refuse(StatusCode::NOT_FOUND, "Not found"),
    }
}

async fn create_group(
    State(backend): State<FakeBackend>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    note(&backend, &method, &uri, &headers, body.clone());
    let group = json!({
        "id": NEW_GROUP_ID,
        "name": body["name"],
        "description": body["description"],
        "member_ids": [],
        "created_at": CREATED_AT,
    });
    (StatusCode::CREATED, Json(group)).into_response()
}

async fn grants(headers: HeaderMap) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    Json(json!([
        {
            "id": "6a000000-0000-4000-8000-000000000001",
            "project_id": PROJECT_ID,
            "user_id": GRACE_ID,
            "group_id": null,
            "level": "editor",
            "created_at": CREATED_AT,
        },
        {
            "id": GRANT_ID,
            "project_id": PROJECT_ID,
            "user_id": null,
            "group_id": GROUP_ID,
            "level": "viewer",
            "created_at": CREATED_AT,
        },
    ]))
    .into_response()
}

/// Refuses a level the API does not know, with the API's words.
async fn create_grant(
    State(backend): State<FakeBackend>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    note(&backend, &method, &uri, &headers, body.clone());
    let level = body["level"].as_str().unwrap_or_default();
    if !["viewer", "editor", "admin"].contains(&level) {
        return invalid("level", "must be viewer, editor or admin");
    }
    (StatusCode::CREATED, Json(json!({}))).into_response()
}

async fn walls(headers: HeaderMap) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    Json(json!([{
        "id": WALL_ID,
        "project_id": OTHER_PROJECT_ID,
        "user_id": GRACE_ID,
        "group_id": null,
        "reason": "Acts for the landlord <conflict>",
        "created_at": CREATED_AT,
    }]))
    .into_response()
}

fn current_settings() -> Value {
    json!({
        "allowed_file_types": ["pdf", "docx"],
        "max_upload_size_mb": 50,
        "max_upload_size_ceiling_mb": 100,
        "supported_file_types": ["pdf", "docx", "png", "txt"],
    })
}

async fn settings(headers: HeaderMap) -> Response {
    match not_admin(&headers) {
        None => Json(current_settings()).into_response(),
        Some(refusal) => refusal,
    }
}

/// Refuses a limit above the ceiling of 100 MB, as the API does.
async fn update_settings(
    State(backend): State<FakeBackend>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    note(&backend, &method, &uri, &headers, body.clone());
    if body["max_upload_size_mb"].as_u64().unwrap_or(0) > 100 {
        let message = "must be from 1 to 100 (the MAX_UPLOAD_SIZE_MB ceiling)";
        return invalid("max_upload_size_mb", message);
    }
    Json(current_settings()).into_response()
}

async fn playbook(headers: HeaderMap) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    Json(json!({ "entries": [
        {
            "id": SEED_ENTRY,
            "kind": "position",
            "title": "Governing law <England>",
            "category": "governing_law",
            "doc_types": ["nda", "lease"],
            "severity": "high",
            "text": "English law governs our contracts.",
            "alternatives": ["Scots law", "Irish law"],
            "rule": { "check": "law_in", "jurisdictions": ["England and Wales", "Scotland"] },
            "medium_from": null,
            "high_from": null,
            "enabled": true,
            "seeded": true,
            "created_at": CREATED_AT,
            "updated_by": null,
            "updated_at": CREATED_AT,
        },
        {
            "id": "entry:0f0e",
            "kind": "risk_threshold",
            "title": "Portfolio thresholds",
            "category": null,
            "doc_types": [],
            "severity": "medium",
            "text": "Scores from 40 are medium, from 70 high.",
            "alternatives": [],
            "rule": null,
            "medium_from": 40,
            "high_from": 70,
            "enabled": false,
            "seeded": false,
            "created_at": CREATED_AT,
            "updated_by": null,
            "updated_at": CREATED_AT,
        },
    ]}))
    .into_response()
}

fn capability(id: &str, provider: &str) -> Value {
    let instead_of = match provider {
        "builtin" => Value::Null,
        other => json!(other),
    };
    json!({
        "capability": id,
        "provider": provider,
        "model": "lucidity-analysis-0.1.0",
        "available": provider == "builtin",
        "effective": {
            "provider": "builtin",
            "model": "lucidity-analysis-0.1.0",
            "instead_of": instead_of,
        },
        "updated_by": null,
        "updated_at": CREATED_AT,
    })
}

async fn capabilities(headers: HeaderMap) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    Json(json!([
        capability("extraction_classification", "builtin"),
        capability("document_understanding", "builtin"),
        capability("reasoning", "anthropic"),
        capability("generation", "builtin"),
        capability("embeddings", "builtin"),
    ]))
    .into_response()
}

/// Only the built-in engine is accepted, with the API's reason for the others.
async fn update_capability(
    State(backend): State<FakeBackend>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = not_admin(&headers) {
        return refusal;
    }
    note(&backend, &method, &uri, &headers, body.clone());
    let provider = body["provider"].as_str().unwrap_or_default();
    if provider != "builtin" {
        let message = format!(
            "{provider} is not available in this build; only builtin can serve capabilities"
        );
        return invalid("provider", &message);
    }
    Json(capability("reasoning", "builtin")).into_response()
}
