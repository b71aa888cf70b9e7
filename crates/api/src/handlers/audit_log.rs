//! Reading the audit log (administrators only). Writing happens where each change is made.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use lucidity_db::audit;
use lucidity_db::ids::UserId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::principal::CurrentUser;
use crate::state::AppState;

const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only this action, such as `wall.override`.
    pub action: Option<String>,
    /// At most this many entries, newest first (default 100, at most 1000).
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<UserId>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
    pub detail: Value,
}

/// Recent audit entries.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntryOut>), (status = 403, body = ErrorBody)))]
pub async fn list_audit_entries(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntryOut>>> {
    access::authorize(&state, &principal, Target::Administration, Need::View).await?;
    let limit = match query.limit.as_deref() {
        None => 100,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                let msg = format!("must be a whole number from 1 to {MAX_LIMIT}");
                ApiError::Validation(vec![FieldError::new(
                    &["query", "limit"],
                    msg,
                    "int_parsing",
                )])
            })?,
    };

    let records = audit::list_entries(&state.db, query.action.as_deref(), limit).await?;
    let entries = records
        .into_iter()
        .map(|r| AuditEntryOut {
            id: r.id,
            occurred_at: r.occurred_at,
            actor_user_id: r.actor_user_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            client_addr: r.client_addr,
            request_id: r.request_id,
            detail: r.detail,
        })
        .collect();
    Ok(Json(entries))
}
