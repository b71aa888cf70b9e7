//! The AI capability mapping (administrators only): which provider and model serve each of the
//! five capabilities. A change applies from the next document the pipeline starts.
//!
//! Only providers this build can call are accepted; the remote providers are named but refused
//! with a message saying so. Each row also shows what would serve the capability now, after the
//! router's fallback to the built-in engine.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use lucidity_ai::provider::{self, Availability, BUILTIN, NOT_IN_THIS_BUILD};
use lucidity_ai::{Capability, Router, Used};
use lucidity_analysis::report;
use lucidity_db::capabilities::{self as capabilities_db, CapabilityRow};
use lucidity_db::ids::UserId;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Id, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;

/// Longest model name accepted, in characters.
const MAX_MODEL_CHARS: usize = 200;

/// Who would serve a capability now.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectiveOut {
    pub provider: String,
    pub model: String,
    /// The mapped provider the built-in engine stands in for, if any.
    pub instead_of: Option<String>,
}

impl From<Used> for EffectiveOut {
    fn from(used: Used) -> Self {
        Self {
            provider: used.provider,
            model: used.model,
            instead_of: used.instead_of,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CapabilityOut {
    /// extraction_classification, document_understanding, reasoning, generation or
    /// embeddings.
    pub capability: String,
    pub provider: String,
    pub model: String,
    /// Whether this build can call `provider`.
    pub available: bool,
    pub effective: EffectiveOut,
    /// None while the row is as seeded.
    pub updated_by: Option<UserId>,
    pub updated_at: DateTime<Utc>,
}

fn capability_out(router: &Router, row: CapabilityRow) -> Option<CapabilityOut> {
    let capability = Capability::from_id(&row.capability)?;
    Some(CapabilityOut {
        capability: row.capability,
        available: provider::availability(&row.provider) == Availability::Available,
        effective: router.route(capability).used.into(),
        provider: row.provider,
        model: row.model,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
    })
}

async fn list(state: &AppState) -> ApiResult<Vec<CapabilityOut>> {
    let rows = capabilities_db::list_capabilities(&state.db).await?;
    let router = Router::new().with_mappings(rows.iter().filter_map(CapabilityRow::mapping));
    Ok(rows
        .into_iter()
        .filter_map(|row| capability_out(&router, row))
        .collect())
}

/// The provider and model of each capability, and what serves it now.
#[utoipa::path(get, path = "/api/v1/admin/ai/capabilities", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CapabilityOut>), (status = 403, body = ErrorBody)))]
pub async fn list_capabilities(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> ApiResult<Json<Vec<CapabilityOut>>> {
    access::authorize(&state, &principal, Target::Administration, Need::View).await?;
    list(&state).await.map(Json)
}

#[derive(Debug, ToSchema)]
pub struct CapabilityChange {
    /// builtin (anthropic, openai and azure_openai are not available in this build).
    pub provider: String,
    /// The model; for builtin it may be left out, and must otherwise be the engine's own.
    pub model: Option<String>,
}

pub struct ChangeCapability {
    provider: String,
    model: String,
}

impl FromFields for ChangeCapability {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let provider = f.text("provider", 100);
        let model = f.optional_text("model", MAX_MODEL_CHARS)?;
        let provider = provider?;
        match provider::availability(&provider) {
            Availability::Available => {}
            Availability::NotInThisBuild => {
                let message = format!(
                    "{provider} is not available in this build; only {BUILTIN} can serve \
                     capabilities for now"
                );
                f.invalid("provider", message);
                return None;
            }
            Availability::Unknown => {
                let known: Vec<&str> = std::iter::once(BUILTIN).chain(NOT_IN_THIS_BUILD).collect();
                let message = format!("unknown provider; known: {}", known.join(", "));
                f.invalid("provider", message);
                return None;
            }
        }

        // The built-in engine runs its own model whatever the mapping says.
        let model = match model {
            None => report::MODEL.to_string(),
            Some(model) if model == report::MODEL => model,
            Some(_) => {
                let message = format!(
                    "{BUILTIN} runs {}; leave model out or give that",
                    report::MODEL
                );
                f.invalid("model", message);
                return None;
            }
        };
        Some(Self { provider, model })
    }
}

/// Map a capability to a provider and model.
#[utoipa::path(put, path = "/api/v1/admin/ai/capabilities/{capability}", tag = "admin",
    security(("bearer" = [])), params(("capability" = String, Path)),
    request_body = CapabilityChange,
    responses((status = 200, body = CapabilityOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ValidationBody)))]
pub async fn update_capability(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(capability): Id<String>,
    request_id: RequestId,
    Body(change): Body<ChangeCapability>,
) -> ApiResult<Json<CapabilityOut>> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    let capability = Capability::from_id(&capability).ok_or(ApiError::NotFound)?;
    capabilities_db::update_capability(
        &state.db,
        capability,
        &change.provider,
        &change.model,
        principal.user_id,
    )
    .await?;

    let detail = json!({ "provider": change.provider, "model": change.model });
    let target = ("ai_capability", capability.id().to_string());
    super::record_change(
        &state,
        &principal,
        &request_id,
        "capability.updated",
        target,
        detail,
    )
    .await?;
    let updated = list(&state).await?;
    updated
        .into_iter()
        .find(|c| c.capability == capability.id())
        .map(Json)
        .ok_or(ApiError::NotFound)
}
