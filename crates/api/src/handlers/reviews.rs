//! Reviewers' decisions on findings and fields: accepted, rejected or corrected.
//!
//! A decision needs edit access to the document's project. It is keyed by the finding's key
//! or the field's key, so it survives reprocessing, and each one is written to the audit log
//! (the decision and the key; never the correction's text).

use axum::Json;
use axum::extract::State;
use lucidity_db::analysis as analysis_db;
use lucidity_db::audit;
use lucidity_db::documents::Document;
use lucidity_db::ids::DocumentId;
use lucidity_db::reviews::{self as reviews_db, NewReview, TargetKind};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::analysis::{FieldOut, FindingOut, ReviewOut, analysed_document};
use crate::access::Need;
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Ids, RequestId};
use crate::principal::{CurrentUser, Principal};
use crate::state::AppState;

/// Longest note a reviewer may attach, in characters.
const MAX_NOTE_CHARS: usize = 4000;

/// Longest corrected text (an explanation, a display value), in characters.
const MAX_CORRECTION_CHARS: usize = 20_000;

/// The keys a finding's correction may carry.
const FINDING_CORRECTIONS: [&str; 4] = ["severity", "title", "explanation", "suggested_language"];

/// The keys a field's correction may carry.
const FIELD_CORRECTIONS: [&str; 2] = ["value", "display"];

#[derive(Debug, ToSchema)]
pub struct ReviewRequest {
    /// accepted, rejected or corrected.
    pub decision: String,
    /// Required when `decision` is corrected, refused otherwise. For a finding, any of
    /// `severity` (low, medium, high), `title`, `explanation`, `suggested_language`; for a
    /// field, `value` (any JSON) and/or `display` (text).
    #[schema(value_type = Option<Object>)]
    pub correction: Option<Value>,
    pub note: Option<String>,
}

/// A decision read from the body; which corrections are allowed depends on the target.
pub struct Decision<const FIELD: bool> {
    decision: String,
    correction: Option<Value>,
    note: Option<String>,
}

impl<const FIELD: bool> FromFields for Decision<FIELD> {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let decision = f.required::<String>("decision");
        let correction = f.optional::<Value>("correction");
        let note = f.optional_text("note", MAX_NOTE_CHARS);
        let decision = decision?;
        if !["accepted", "rejected", "corrected"].contains(&decision.as_str()) {
            f.invalid("decision", "must be accepted, rejected or corrected");
            return None;
        }

        let correction = correction?;
        match (decision.as_str(), &correction) {
            ("corrected", None) => {
                f.invalid("correction", "required when the decision is corrected")
            }
            ("corrected", Some(value)) => check_correction(f, value, FIELD),
            (_, Some(_)) => f.invalid("correction", "only allowed when the decision is corrected"),
            (_, None) => {}
        }
        Some(Self {
            decision,
            correction,
            note: note?,
        })
    }
}

/// Records an error for each thing wrong with a correction.
fn check_correction(f: &mut Fields, value: &Value, field: bool) {
    let Value::Object(object) = value else {
        f.invalid("correction", "must be an object");
        return;
    };
    let allowed: &[&str] = if field {
        &FIELD_CORRECTIONS
    } else {
        &FINDING_CORRECTIONS
    };
    if object.is_empty() {
        let message = format!("must give at least one of {}", allowed.join(", "));
        f.invalid("correction", message);
    }
    for key in object.keys().filter(|k| !allowed.contains(&k.as_str())) {
        let message = format!("unknown key {key:?}; allowed: {}", allowed.join(", "));
        f.invalid("correction", message);
    }
    let texts: &[&str] = if field {
        &["display"]
    } else {
        &["title", "explanation", "suggested_language"]
    };
    for key in texts {
        check_text(f, object, key);
    }
    if let Some(severity) = object.get("severity")
        && !["low", "medium", "high"].contains(&severity.as_str().unwrap_or(""))
    {
        f.invalid("correction", "severity must be low, medium or high");
    }
}

fn check_text(f: &mut Fields, object: &Map<String, Value>, key: &str) {
    let Some(value) = object.get(key) else {
        return;
    };
    let ok = value
        .as_str()
        .is_some_and(|s| !s.trim().is_empty() && s.chars().count() <= MAX_CORRECTION_CHARS);
    if !ok {
        let message = format!("{key} must be text of 1 to {MAX_CORRECTION_CHARS} characters");
        f.invalid("correction", message);
    }
}

/// Accept, reject or correct a finding (editor). Replaces any earlier decision on it.
#[utoipa::path(put, path = "/api/v1/documents/{id}/findings/{key}/review", tag = "analysis",
    security(("bearer" = [])),
    params(("id" = DocumentId, Path), ("key" = String, Path, description = "The finding's key")),
    request_body = ReviewRequest,
    responses((status = 200, body = FindingOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn update_finding_review(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Ids(id, key): Ids<DocumentId, String>,
    request_id: RequestId,
    Body(decision): Body<Decision<false>>,
) -> ApiResult<Json<FindingOut>> {
    let (document, _) = analysed_document(&state, &principal, id, Need::Edit).await?;
    let finding = analysis_db::find_finding(&state.db, id, &key)
        .await?
        .ok_or(ApiError::NotFound)?;

    let target = (TargetKind::Finding, key.as_str());
    let review = record(&state, &principal, &request_id, &document, target, decision).await?;
    Ok(Json(FindingOut::new(finding, Some(review))))
}

/// Accept, reject or correct a key field (editor). Replaces any earlier decision on it.
#[utoipa::path(put, path = "/api/v1/documents/{id}/fields/{name}/review", tag = "analysis",
    security(("bearer" = [])),
    params(("id" = DocumentId, Path),
           ("name" = String, Path, description = "The field's key: its name, or `fee:2`")),
    request_body = ReviewRequest,
    responses((status = 200, body = FieldOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn update_field_review(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Ids(id, name): Ids<DocumentId, String>,
    request_id: RequestId,
    Body(decision): Body<Decision<true>>,
) -> ApiResult<Json<FieldOut>> {
    let (document, _) = analysed_document(&state, &principal, id, Need::Edit).await?;
    let field = analysis_db::find_field(&state.db, id, &name)
        .await?
        .ok_or(ApiError::NotFound)?;

    let target = (TargetKind::Field, name.as_str());
    let review = record(&state, &principal, &request_id, &document, target, decision).await?;
    Ok(Json(FieldOut::new(field, Some(review))))
}

/// Stores the decision and writes it to the audit log.
async fn record<const FIELD: bool>(
    state: &AppState,
    principal: &Principal,
    request_id: &RequestId,
    document: &Document,
    (target_kind, key): (TargetKind, &str),
    decision: Decision<FIELD>,
) -> ApiResult<ReviewOut> {
    let review = NewReview {
        document_id: document.id,
        target_kind,
        target_key: key,
        decision: &decision.decision,
        correction: decision.correction.as_ref(),
        note: decision.note.as_deref(),
        decided_by: principal.user_id,
    };
    let row = reviews_db::upsert_review(&state.db, &review).await?;

    let entry = audit::Entry {
        actor: Some(principal.user_id),
        action: "document.reviewed",
        target_type: Some("document"),
        target_id: Some(document.id.to_string()),
        project_id: Some(document.project_id),
        request_id: request_id.0.clone(),
        detail: json!({
            "target_kind": target_kind.as_str(),
            "key": key,
            "decision": decision.decision,
        }),
        ..Default::default()
    };
    audit::insert_entry(&state.db, &entry).await?;
    Ok(ReviewOut::from(&row))
}
