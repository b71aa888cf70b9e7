//! Documents: upload, listing, status, download, deletion and reprocessing.
//!
//! An upload is streamed field by field to staging files (never held in memory), with the
//! size limit enforced while streaming and the SHA-256 computed on the way. Each file is then
//! validated; only a valid file is moved into storage, recorded and queued. A refused file
//! leaves nothing behind: its staging file is removed when the request ends.

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use lucidity_db::audit;
use lucidity_db::documents::{self, Document, NewDocument, StageTiming};
use lucidity_db::ids::{DocumentId, ProjectId, UserId};
use lucidity_ingest::{FileKind, Limits, Rejection};
use lucidity_queue::{DocumentEvent, Job};
use lucidity_storage::StorageKey;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError, ValidationBody};
use crate::extract::{Id, RequestId};
use crate::principal::{CurrentUser, Principal};
use crate::state::AppState;

/// Files accepted in one upload request; also bounds the request's total size.
pub const MAX_FILES_PER_UPLOAD: u64 = 20;

/// Documents returned by one listing.
const LIST_LIMIT: i64 = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: DocumentId,
    pub project_id: ProjectId,
    pub filename: String,
    pub file_kind: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the original.
    pub sha256: String,
    /// queued, extracting, classifying, playbook, analyzing, embedding, storing, complete or
    /// failed.
    pub status: String,
    pub error_message: Option<String>,
    /// Failed attempts of the current run.
    pub attempts: i32,
    pub page_count: Option<i32>,
    pub has_tracked_changes: Option<bool>,
    pub has_comments: Option<bool>,
    pub uploaded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Stage timings of the current run (only on a single document).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub stages: Option<Vec<StageTiming>>,
}

impl From<Document> for DocumentOut {
    fn from(d: Document) -> Self {
        Self {
            sha256: hex::encode(&d.sha256),
            id: d.id,
            project_id: d.project_id,
            filename: d.filename,
            file_kind: d.file_kind,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            status: d.status,
            error_message: d.error_message,
            attempts: d.attempts,
            page_count: d.page_count,
            has_tracked_changes: d.has_tracked_changes,
            has_comments: d.has_comments,
            uploaded_by: d.uploaded_by,
            created_at: d.created_at,
            updated_at: d.updated_at,
            completed_at: d.completed_at,
            stages: None,
        }
    }
}

/// One file's outcome in an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadEntry {
    pub filename: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<DocumentId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// True when the same file was already in the project: `id` is the existing document.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
    /// Why the file was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip)]
    refused_status: Option<StatusCode>,
}

impl UploadEntry {
    fn accepted(filename: String, document: &Document, duplicate: bool) -> Self {
        Self {
            filename,
            id: Some(document.id),
            status: Some(document.status.clone()),
            duplicate,
            detail: None,
            refused_status: None,
        }
    }

    fn refused(filename: String, status: StatusCode, detail: String) -> Self {
        Self {
            filename,
            id: None,
            status: None,
            duplicate: false,
            detail: Some(detail),
            refused_status: Some(status),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadResponse {
    pub documents: Vec<UploadEntry>,
    /// When every file was refused: the first refusal's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ProjectQuery {
    /// The project (matter); for uploads it may also come as a form field.
    pub project_id: Option<String>,
}

/// A file streamed to the staging area, not yet validated.
struct Staged {
    filename: String,
    file: tempfile::TempPath,
    size_bytes: u64,
    sha256: Vec<u8>,
}

/// What streaming one upload field produced.
enum Received {
    Staged(Staged),
    TooLarge(String),
    Empty(String),
}

/// Upload one or more files (multipart: `files`, and `project_id` as a field or query
/// parameter). 202 when at least one file was accepted.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", security(("bearer" = [])),
    params(ProjectQuery),
    request_body(content_type = "multipart/form-data",
        description = "`files` (one or more) and `project_id`"),
    responses((status = 202, body = UploadResponse), (status = 404, body = ErrorBody),
              (status = 413, body = UploadResponse), (status = 415, body = UploadResponse),
              (status = 422, body = UploadResponse)))]
pub async fn create_documents(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Query(query): Query<ProjectQuery>,
    request_id: RequestId,
    mut multipart: Multipart,
) -> ApiResult<Response> {
    let settings = super::settings::current(&state).await?;
    let limit_bytes = settings.max_upload_size_mb * 1024 * 1024;
    // With the project in the query string, refuse before reading any file.
    let mut authorized = None;
    if let Some(raw) = &query.project_id {
        let project = parse_project(Some(raw.clone()))?;
        access::authorize(&state, &principal, Target::Project(project), Need::Edit).await?;
        authorized = Some(project);
    }
    let mut project_field = query.project_id;
    let mut received = Vec::new();

    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(multipart_error(error, settings.max_upload_size_mb)),
        };
        match field.name() {
            Some("project_id") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(e, settings.max_upload_size_mb))?;
                project_field = Some(text);
            }
            Some("files") | Some("file") | Some("files[]") => {
                if received.len() as u64 >= MAX_FILES_PER_UPLOAD {
                    let msg = format!("at most {MAX_FILES_PER_UPLOAD} files per upload");
                    return Err(ApiError::Validation(vec![FieldError::body("files", msg)]));
                }
                received.push(stage_field(field, limit_bytes, settings.max_upload_size_mb).await?);
            }
            _ => {}
        }
    }

    let project = parse_project(project_field)?;
    if authorized != Some(project) {
        access::authorize(&state, &principal, Target::Project(project), Need::Edit).await?;
    }
    if received.is_empty() {
        let error = FieldError::new(&["body", "files"], "Field required", "missing");
        return Err(ApiError::Validation(vec![error]));
    }

    let allowed: Vec<FileKind> = settings
        .allowed_file_types
        .iter()
        .filter_map(|t| FileKind::from_extension(t))
        .collect();
    let mut entries = Vec::with_capacity(received.len());
    for item in received {
        let entry = match item {
            Received::TooLarge(filename) => UploadEntry::refused(
                filename,
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The file exceeds the upload limit of {} MB",
                    settings.max_upload_size_mb
                ),
            ),
            Received::Empty(filename) => UploadEntry::refused(
                filename,
                StatusCode::UNPROCESSABLE_ENTITY,
                Rejection::EmptyFile.to_string(),
            ),
            Received::Staged(staged) => {
                accept(&state, &principal, &request_id, project, staged, &allowed).await?
            }
        };
        entries.push(entry);
    }
    Ok(upload_response(entries))
}

fn parse_project(raw: Option<String>) -> ApiResult<ProjectId> {
    let Some(raw) = raw else {
        let error = FieldError::new(&["body", "project_id"], "Field required", "missing");
        return Err(ApiError::Validation(vec![error]));
    };
    raw.trim().parse().map_err(|_| {
        let msg = format!("Input should be a valid UUID, got {raw:?}");
        ApiError::Validation(vec![FieldError::new(
            &["body", "project_id"],
            msg,
            "uuid_parsing",
        )])
    })
}

fn multipart_error(error: axum::extract::multipart::MultipartError, limit_mb: u64) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let total = limit_mb * MAX_FILES_PER_UPLOAD;
        return ApiError::PayloadTooLarge(format!(
            "The upload exceeds the request limit of {total} MB ({MAX_FILES_PER_UPLOAD} files \
             of at most {limit_mb} MB)"
        ));
    }
    ApiError::BadRequest(format!("Malformed multipart body: {}", error.body_text()))
}

/// Streams one file field to a staging file, hashing it and enforcing the size limit.
async fn stage_field(
    mut field: axum::extract::multipart::Field<'_>,
    limit_bytes: u64,
    limit_mb: u64,
) -> ApiResult<Received> {
    let filename = lucidity_ingest::sanitize_filename(field.file_name().unwrap_or(""));
    let staging = tempfile::Builder::new()
        .prefix("lucidity-upload-")
        .tempfile()
        .map_err(|e| anyhow::Error::new(e).context("cannot create a staging file"))?;
    let (file, path) = staging.into_parts();
    let mut file = tokio::fs::File::from_std(file);
    let mut hasher = Sha256::new();
    let mut size_bytes = 0u64;

    loop {
        let chunk = field
            .chunk()
            .await
            .map_err(|e| multipart_error(e, limit_mb))?;
        let Some(chunk) = chunk else { break };
        size_bytes += chunk.len() as u64;
        if size_bytes > limit_bytes {
            // Read the rest of this field without keeping it, so the next files still arrive.
            while let Some(_rest) = field
                .chunk()
                .await
                .map_err(|e| multipart_error(e, limit_mb))?
            {}
            return Ok(Received::TooLarge(filename));
        }
        hasher.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|e| anyhow::Error::new(e).context("staging write failed"))?;
    }
    file.flush()
        .await
        .map_err(|e| anyhow::Error::new(e).context("staging write failed"))?;
    if size_bytes == 0 {
        return Ok(Received::Empty(filename));
    }
    Ok(Received::Staged(Staged {
        filename,
        file: path,
        size_bytes,
        sha256: hasher.finalize().to_vec(),
    }))
}

/// Validates, deduplicates, stores, records and queues one staged file.
async fn accept(
    state: &AppState,
    principal: &Principal,
    request_id: &RequestId,
    project: ProjectId,
    staged: Staged,
    allowed: &[FileKind],
) -> ApiResult<UploadEntry> {
    let path = staged.file.to_path_buf();
    let name = staged.filename.clone();
    let allowed = allowed.to_vec();
    let checked = tokio::task::spawn_blocking(move || {
        lucidity_ingest::validate(&path, &name, &allowed, &Limits::default())
    })
    .await
    .map_err(|e| anyhow::anyhow!("validation crashed: {e}"))?;
    let validated = match checked {
        Ok(validated) => validated,
        Err(Rejection::Unreadable(error)) => {
            return Err(anyhow::Error::new(error)
                .context("cannot read the staging file")
                .into());
        }
        Err(rejection) => {
            let status = StatusCode::from_u16(rejection.status())
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            return Ok(UploadEntry::refused(
                staged.filename,
                status,
                rejection.to_string(),
            ));
        }
    };

    if let Some(existing) = documents::find_by_hash(&state.db, project, &staged.sha256).await? {
        return Ok(UploadEntry::accepted(staged.filename, &existing, true));
    }
    let id = DocumentId::new();
    let key = StorageKey::for_document(project.0, id.0);
    state
        .storage
        .put_file(&key, &staged.file)
        .await
        .map_err(|e| anyhow::Error::new(e).context("cannot store the original"))?;

    let kind = validated.kind;
    let new = NewDocument {
        id,
        project_id: project,
        filename: &staged.filename,
        file_kind: kind.as_extension(),
        content_type: kind.mime_type(),
        size_bytes: staged.size_bytes as i64,
        sha256: &staged.sha256,
        storage_key: key.as_str(),
        uploaded_by: principal.user_id,
    };
    let document = match documents::insert_document(&state.db, &new).await {
        Ok(document) => document,
        Err(error) if lucidity_db::is_unique_violation(&error, documents::HASH_KEY) => {
            // The same file arrived concurrently: keep the other upload, drop this copy.
            remove_stored(state, &key).await;
            let existing = documents::find_by_hash(&state.db, project, &staged.sha256).await?;
            let existing =
                existing.ok_or(ApiError::Conflict("The file is being uploaded".into()))?;
            return Ok(UploadEntry::accepted(staged.filename, &existing, true));
        }
        Err(error) => {
            remove_stored(state, &key).await;
            return Err(error.into());
        }
    };

    let job = Job {
        document_id: document.id,
        generation: document.generation,
    };
    if let Err(error) = state.queue.enqueue(job).await {
        // The row is the record: the reconciler sends it once the queue is back.
        tracing::warn!(error = format!("{error:#}"), document.id = %document.id, "enqueue failed");
    }
    record(state, principal, request_id, &document, "document.uploaded").await?;
    publish(state, &document).await;
    Ok(UploadEntry::accepted(staged.filename, &document, false))
}

async fn remove_stored(state: &AppState, key: &StorageKey) {
    if let Err(error) = state.storage.delete(key).await {
        tracing::warn!(%error, "could not remove a stored original");
    }
}

fn upload_response(entries: Vec<UploadEntry>) -> Response {
    let accepted = entries.iter().any(|e| e.refused_status.is_none());
    let (status, detail) = match accepted {
        true => (StatusCode::ACCEPTED, None),
        false => {
            let first = entries
                .iter()
                .find_map(|e| e.refused_status.zip(e.detail.clone()));
            first.map_or((StatusCode::UNPROCESSABLE_ENTITY, None), |(s, d)| {
                (s, Some(d))
            })
        }
    };
    (
        status,
        Json(UploadResponse {
            documents: entries,
            detail,
        }),
    )
        .into_response()
}

async fn record(
    state: &AppState,
    principal: &Principal,
    request_id: &RequestId,
    document: &Document,
    action: &str,
) -> ApiResult<()> {
    let entry = audit::Entry {
        actor: Some(principal.user_id),
        action,
        target_type: Some("document"),
        target_id: Some(document.id.to_string()),
        project_id: Some(document.project_id),
        request_id: request_id.0.clone(),
        detail: json!({ "filename": document.filename }),
        ..Default::default()
    };
    audit::insert_entry(&state.db, &entry).await?;
    Ok(())
}

async fn publish(state: &AppState, document: &Document) {
    let event = DocumentEvent {
        document_id: document.id,
        project_id: document.project_id,
        status: document.status.clone(),
        error_message: document.error_message.clone(),
    };
    state.events.publish(&event).await;
}

/// Loads a document and checks the caller's access to its project (404 when hidden).
async fn authorized_document(
    state: &AppState,
    principal: &Principal,
    id: DocumentId,
    need: Need,
) -> ApiResult<Document> {
    let document = documents::find_document(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let target = Target::Project(document.project_id);
    match access::authorize(state, principal, target, need).await {
        // A viewer asking to change a document learns only that it exists, which they may.
        Err(ApiError::NotFound) => Err(ApiError::NotFound),
        other => other.map(|_| document),
    }
}

/// The documents the caller may see, optionally in one project, newest first.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", security(("bearer" = [])),
    params(ProjectQuery),
    responses((status = 200, body = Vec<DocumentOut>), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn list_documents(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Query(query): Query<ProjectQuery>,
) -> ApiResult<Json<Vec<DocumentOut>>> {
    let projects = match query.project_id {
        Some(raw) => {
            let project = parse_query_project(&raw)?;
            access::authorize(&state, &principal, Target::Project(project), Need::View).await?;
            vec![project]
        }
        None => visible_projects(&state, &principal).await?,
    };
    let list = documents::list_documents(&state.db, &projects, LIST_LIMIT).await?;
    Ok(Json(list.into_iter().map(DocumentOut::from).collect()))
}

pub(crate) fn parse_query_project(raw: &str) -> ApiResult<ProjectId> {
    raw.parse().map_err(|_| {
        let msg = format!("Input should be a valid UUID, got {raw:?}");
        ApiError::Validation(vec![FieldError::new(
            &["query", "project_id"],
            msg,
            "uuid_parsing",
        )])
    })
}

/// The ids of every project the caller may view.
pub(crate) async fn visible_projects(
    state: &AppState,
    principal: &Principal,
) -> ApiResult<Vec<ProjectId>> {
    let visible = access::visible_projects(state, principal).await?;
    Ok(visible.into_iter().map(|(project, _)| project).collect())
}

/// One document with its status, stage timings and error message.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = DocumentId, Path)),
    responses((status = 200, body = DocumentOut), (status = 404, body = ErrorBody)))]
pub async fn get_document(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
) -> ApiResult<Json<DocumentOut>> {
    let document = authorized_document(&state, &principal, id, Need::View).await?;
    let stages = documents::list_stage_timings(&state.db, id).await?;
    let mut out = DocumentOut::from(document);
    out.stages = Some(stages);
    Ok(Json(out))
}

/// The original file as uploaded.
#[utoipa::path(get, path = "/api/v1/documents/{id}/download", tag = "documents",
    security(("bearer" = [])), params(("id" = DocumentId, Path)),
    responses((status = 200, content_type = "application/octet-stream"),
              (status = 404, body = ErrorBody)))]
pub async fn get_document_file(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
) -> ApiResult<Response> {
    let document = authorized_document(&state, &principal, id, Need::View).await?;
    let key = StorageKey::new(&document.storage_key).map_err(anyhow::Error::new)?;
    let (length, stream) = state
        .storage
        .get_stream(&key)
        .await
        .map_err(|e| anyhow::Error::new(e).context("cannot read the original"))?;

    let mut headers = HeaderMap::new();
    let content_type = HeaderValue::from_str(&document.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CONTENT_DISPOSITION, attachment(&document.filename));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok((headers, Body::from_stream(stream)).into_response())
}

/// `attachment` with the name percent-encoded (RFC 6266 / 5987), so no name can inject
/// header syntax.
fn attachment(filename: &str) -> HeaderValue {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let value = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("attachment"))
}

/// Delete a document: its original, its rows and everything derived from it (editor).
#[utoipa::path(delete, path = "/api/v1/documents/{id}", tag = "documents",
    security(("bearer" = [])), params(("id" = DocumentId, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_document(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
    request_id: RequestId,
) -> ApiResult<StatusCode> {
    let document = authorized_document(&state, &principal, id, Need::Edit).await?;
    let Some(key) = documents::delete_document(&state.db, id).await? else {
        return Err(ApiError::NotFound);
    };
    if let Ok(key) = StorageKey::new(&key) {
        state
            .storage
            .delete(&key)
            .await
            .map_err(|e| anyhow::Error::new(e).context("cannot delete the original"))?;
    }
    record(
        &state,
        &principal,
        &request_id,
        &document,
        "document.deleted",
    )
    .await?;
    let mut gone = document;
    gone.status = "deleted".into();
    publish(&state, &gone).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Run the pipeline again from the first stage (editor).
#[utoipa::path(post, path = "/api/v1/documents/{id}/reprocess", tag = "documents",
    security(("bearer" = [])), params(("id" = DocumentId, Path)),
    responses((status = 202, body = DocumentOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn create_reprocess(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
    request_id: RequestId,
) -> ApiResult<(StatusCode, Json<DocumentOut>)> {
    authorized_document(&state, &principal, id, Need::Edit).await?;
    let generation = documents::restart_document(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Err(error) = state
        .queue
        .enqueue(Job {
            document_id: id,
            generation,
        })
        .await
    {
        tracing::warn!(error = format!("{error:#}"), document.id = %id, "enqueue failed");
    }
    let document = documents::find_document(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    record(
        &state,
        &principal,
        &request_id,
        &document,
        "document.reprocessed",
    )
    .await?;
    publish(&state, &document).await;
    Ok((StatusCode::ACCEPTED, Json(document.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageOut {
    pub page_number: i32,
    /// Character offsets (Unicode scalar values) into `text`, end exclusive.
    pub start: i32,
    pub end: i32,
    /// text_layer, ocr or native.
    pub method: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TextOut {
    pub document_id: DocumentId,
    pub text: String,
    pub pages: Vec<PageOut>,
    pub warnings: serde_json::Value,
}

/// The extracted text with the page of every character (after the `extracting` stage).
#[utoipa::path(get, path = "/api/v1/documents/{id}/text", tag = "documents",
    security(("bearer" = [])), params(("id" = DocumentId, Path)),
    responses((status = 200, body = TextOut), (status = 404, body = ErrorBody)))]
pub async fn get_document_text(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
) -> ApiResult<Json<TextOut>> {
    authorized_document(&state, &principal, id, Need::View).await?;
    let (text, warnings) = documents::find_text(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let pages = documents::list_pages(&state.db, id)
        .await?
        .into_iter()
        .map(|(page_number, start, end, method)| PageOut {
            page_number,
            start,
            end,
            method,
        })
        .collect();
    Ok(Json(TextOut {
        document_id: id,
        text,
        pages,
        warnings,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// document.uploaded, document.completed, document.failed, document.deleted, ...
    pub action: String,
    /// Who did it; absent for the pipeline's own events.
    pub actor_user_id: Option<UserId>,
    pub project_id: Option<ProjectId>,
    pub document_id: Option<String>,
    pub detail: serde_json::Value,
}

/// Recent document activity in the projects the caller may see (or one of them).
#[utoipa::path(get, path = "/api/v1/activity", tag = "documents", security(("bearer" = [])),
    params(ProjectQuery),
    responses((status = 200, body = Vec<ActivityOut>), (status = 404, body = ErrorBody)))]
pub async fn list_activity(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Query(query): Query<ProjectQuery>,
) -> ApiResult<Json<Vec<ActivityOut>>> {
    let projects = match query.project_id {
        Some(raw) => {
            let project = parse_query_project(&raw)?;
            access::authorize(&state, &principal, Target::Project(project), Need::View).await?;
            vec![project]
        }
        None => visible_projects(&state, &principal).await?,
    };
    let records = audit::list_project_activity(&state.db, &projects, 200).await?;
    let out = records
        .into_iter()
        .map(|r| ActivityOut {
            id: r.id,
            occurred_at: r.occurred_at,
            action: r.action,
            actor_user_id: r.actor_user_id,
            project_id: r.project_id,
            document_id: r.target_id,
            detail: r.detail,
        })
        .collect();
    Ok(Json(out))
}
