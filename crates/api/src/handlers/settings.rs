//! System settings that administrators change at run time.
//!
//! The upload limit set here is capped by `MAX_UPLOAD_SIZE_MB`: the environment is the
//! ceiling an operator controls, and an administrator may only lower it.

use axum::Json;
use axum::extract::State;
use lucidity_db::settings as settings_db;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::access::{self, Need, Target};
use crate::error::{ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;

/// Every file type the ingestion pipeline can read; the setting picks among these.
pub const SUPPORTED_FILE_TYPES: &[&str] = &[
    "pdf", "docx", "png", "jpg", "jpeg", "tiff", "tif", "rtf", "gif", "txt",
];

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsOut {
    pub allowed_file_types: Vec<String>,
    /// The limit in force: the setting, never above the ceiling.
    pub max_upload_size_mb: u64,
    /// `MAX_UPLOAD_SIZE_MB` from the environment.
    pub max_upload_size_ceiling_mb: u64,
    pub supported_file_types: Vec<&'static str>,
}

/// The settings in force, read from the database.
pub async fn current(state: &AppState) -> ApiResult<SettingsOut> {
    let stored = settings_db::list_settings(&state.db).await?;
    let get = |key: &str| {
        stored
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };

    let ceiling = state.config.max_upload_size_mb;
    let allowed = get(settings_db::ALLOWED_FILE_TYPES)
        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
        .unwrap_or_else(|| {
            lucidity_db::migrate::DEFAULT_ALLOWED_FILE_TYPES
                .iter()
                .map(|s| s.to_string())
                .collect()
        });
    let limit = get(settings_db::MAX_UPLOAD_SIZE_MB)
        .and_then(|v| v.as_u64())
        .unwrap_or(ceiling);
    Ok(SettingsOut {
        allowed_file_types: allowed,
        max_upload_size_mb: limit.min(ceiling),
        max_upload_size_ceiling_mb: ceiling,
        supported_file_types: SUPPORTED_FILE_TYPES.to_vec(),
    })
}

/// The current settings.
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = SettingsOut), (status = 403, body = ErrorBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> ApiResult<Json<SettingsOut>> {
    access::authorize(&state, &principal, Target::Administration, Need::View).await?;
    current(&state).await.map(Json)
}

#[derive(Debug, ToSchema)]
pub struct SettingsChanges {
    pub allowed_file_types: Option<Vec<String>>,
    pub max_upload_size_mb: Option<u64>,
}

/// Reads the changes; the ceiling is checked by the handler, which knows it.
pub struct ChangeSettings {
    allowed_file_types: Option<Vec<String>>,
    max_upload_size_mb: Option<u64>,
}

impl FromFields for ChangeSettings {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let types = f.optional::<Vec<String>>("allowed_file_types");
        let limit = f.optional::<u64>("max_upload_size_mb");
        let types = types?.map(|list| {
            list.iter()
                .map(|t| t.trim().trim_start_matches('.').to_lowercase())
                .collect::<Vec<_>>()
        });
        if let Some(list) = &types {
            let unknown: Vec<&str> = list
                .iter()
                .map(String::as_str)
                .filter(|t| !SUPPORTED_FILE_TYPES.contains(t))
                .collect();
            if list.is_empty() {
                f.invalid("allowed_file_types", "must list at least one type");
            } else if !unknown.is_empty() {
                let supported = SUPPORTED_FILE_TYPES.join(", ");
                let message = format!(
                    "unsupported: {}; supported: {supported}",
                    unknown.join(", ")
                );
                f.invalid("allowed_file_types", message);
            }
        }
        Some(Self {
            allowed_file_types: types,
            max_upload_size_mb: limit?,
        })
    }
}

/// Change settings; the upload limit may not exceed `MAX_UPLOAD_SIZE_MB`.
#[utoipa::path(patch, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])),
    request_body = SettingsChanges,
    responses((status = 200, body = SettingsOut), (status = 403, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn update_settings(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    request_id: RequestId,
    Body(changes): Body<ChangeSettings>,
) -> ApiResult<Json<SettingsOut>> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    let ceiling = state.config.max_upload_size_mb;
    if let Some(limit) = changes.max_upload_size_mb
        && !(1..=ceiling).contains(&limit)
    {
        let message = format!("must be from 1 to {ceiling} (the MAX_UPLOAD_SIZE_MB ceiling)");
        return Err(crate::error::ApiError::field("max_upload_size_mb", message));
    }

    let mut changed = serde_json::Map::new();
    if let Some(types) = changes.allowed_file_types {
        let value = json!(types);
        settings_db::upsert_setting(
            &state.db,
            settings_db::ALLOWED_FILE_TYPES,
            &value,
            principal.user_id,
        )
        .await?;
        changed.insert(settings_db::ALLOWED_FILE_TYPES.into(), value);
    }
    if let Some(limit) = changes.max_upload_size_mb {
        let value = json!(limit);
        settings_db::upsert_setting(
            &state.db,
            settings_db::MAX_UPLOAD_SIZE_MB,
            &value,
            principal.user_id,
        )
        .await?;
        changed.insert(settings_db::MAX_UPLOAD_SIZE_MB.into(), value);
    }

    let target = ("settings", "system".to_string());
    let detail = Value::Object(changed);
    super::record_change(
        &state,
        &principal,
        &request_id,
        "settings.updated",
        target,
        detail,
    )
    .await?;
    current(&state).await.map(Json)
}
