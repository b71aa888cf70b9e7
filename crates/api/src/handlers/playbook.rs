//! The firm's playbook: read by every signed-in user, edited by administrators.
//!
//! An entry is validated as a whole before it is stored: its kind and severity, a category of
//! the taxonomy, document types the classifier knows, a rule the engine can run, and score
//! bands only on a risk threshold. The next document processed uses the playbook as it is then;
//! stored analyses are not recomputed until their document is reprocessed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use lucidity_analysis::playbook::{Entry, EntryKind, Rule, Severity};
use lucidity_analysis::{DocType, taxonomy};
use lucidity_db::ids::UserId;
use lucidity_db::playbook::{self as playbook_db, StoredEntry};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, ValidationBody};
use crate::extract::{Body, Fields, FromFields, Id, RequestId};
use crate::principal::CurrentUser;
use crate::state::AppState;

/// Longest title, in characters.
const MAX_TITLE_CHARS: usize = 200;

/// Longest text or alternative, in characters: a clause or a position statement.
const MAX_TEXT_CHARS: usize = 20_000;

/// Most alternatives, document types or rule terms one entry may list.
const MAX_LIST_ITEMS: usize = 50;

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    pub id: String,
    /// terminology, position, preferred_language, risk_threshold or regulatory.
    pub kind: String,
    pub title: String,
    /// A clause category id of the taxonomy.
    pub category: Option<String>,
    /// Document type ids it applies to; empty for all.
    pub doc_types: Vec<String>,
    /// low, medium or high.
    pub severity: String,
    pub text: String,
    pub alternatives: Vec<String>,
    /// A check the engine runs, `{"check": "required"}`, `{"check": "law_in",
    /// "jurisdictions": [...]}`, ...
    #[schema(value_type = Option<Object>)]
    pub rule: Option<Value>,
    pub medium_from: Option<u8>,
    pub high_from: Option<u8>,
    pub enabled: bool,
    /// Part of the default playbook rather than added by an administrator.
    pub seeded: bool,
    pub created_at: DateTime<Utc>,
    pub updated_by: Option<UserId>,
    pub updated_at: DateTime<Utc>,
}

fn name_of<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_value(value).unwrap_or(Value::Null);
    json.as_str().unwrap_or_default().to_string()
}

impl From<StoredEntry> for EntryOut {
    fn from(stored: StoredEntry) -> Self {
        let entry = stored.entry;
        Self {
            kind: name_of(&entry.kind),
            severity: name_of(&entry.severity),
            rule: entry
                .rule
                .as_ref()
                .and_then(|r| serde_json::to_value(r).ok()),
            id: entry.id,
            title: entry.title,
            category: entry.category,
            doc_types: entry.doc_types,
            text: entry.text,
            alternatives: entry.alternatives,
            medium_from: entry.medium_from,
            high_from: entry.high_from,
            enabled: entry.enabled,
            seeded: stored.seeded,
            created_at: stored.created_at,
            updated_by: stored.updated_by,
            updated_at: stored.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaybookOut {
    pub entries: Vec<EntryOut>,
}

/// The playbook's entries in order (any signed-in user).
#[utoipa::path(get, path = "/api/v1/playbook", tag = "playbook", security(("bearer" = [])),
    responses((status = 200, body = PlaybookOut), (status = 401, body = ErrorBody)))]
pub async fn list_playbook(
    State(state): State<AppState>,
    CurrentUser(_signed_in): CurrentUser,
) -> ApiResult<Json<PlaybookOut>> {
    let entries = playbook_db::list_entries(&state.db).await?;
    Ok(Json(PlaybookOut {
        entries: entries.into_iter().map(EntryOut::from).collect(),
    }))
}

#[derive(Debug, ToSchema)]
pub struct EntryIn {
    /// terminology, position, preferred_language, risk_threshold or regulatory.
    pub kind: String,
    pub title: String,
    pub text: String,
    pub category: Option<String>,
    pub doc_types: Option<Vec<String>>,
    /// low, medium (the default) or high.
    pub severity: Option<String>,
    pub alternatives: Option<Vec<String>>,
    /// Only for positions and regulatory requirements, and only with a category.
    #[schema(value_type = Option<Object>)]
    pub rule: Option<Value>,
    /// Required on a risk threshold, refused elsewhere; 0..100, medium below high.
    pub medium_from: Option<i64>,
    pub high_from: Option<i64>,
    /// Defaults to true.
    pub enabled: Option<bool>,
}

/// An entry's content as validated; the id comes from the path or is generated.
pub struct EntryRequest(Entry);

impl FromFields for EntryRequest {
    fn from_fields(f: &mut Fields) -> Option<Self> {
        let kind = read_kind(f);
        let title = f.text("title", MAX_TITLE_CHARS);
        let text = f.text("text", MAX_TEXT_CHARS);
        let category = read_category(f);
        let doc_types = read_doc_types(f);
        let severity = read_severity(f);
        let alternatives = read_texts(f, "alternatives");
        let rule = f.optional::<Rule>("rule");
        let bands = read_bands(f);
        let enabled = f.optional::<bool>("enabled");

        let (kind, category, rule, bands) = (kind?, category?, rule?, bands?);
        check_rule(f, kind, category.as_deref(), rule.as_ref());
        check_bands(f, kind, bands);
        if kind == EntryKind::PreferredLanguage && category.is_none() && rule.is_none() {
            f.invalid(
                "category",
                "required on preferred language: the clause it is for",
            );
        }
        Some(Self(Entry {
            id: String::new(),
            kind,
            title: title?,
            category,
            doc_types: doc_types?,
            severity: severity?,
            text: text?,
            alternatives: alternatives?,
            rule,
            medium_from: bands.0,
            high_from: bands.1,
            enabled: enabled?.unwrap_or(true),
        }))
    }
}

fn read_kind(f: &mut Fields) -> Option<EntryKind> {
    let raw = f.required::<String>("kind")?;
    let kind = EntryKind::ALL.into_iter().find(|k| k.as_str() == raw);
    if kind.is_none() {
        let kinds: Vec<&str> = EntryKind::ALL.iter().map(|k| k.as_str()).collect();
        f.invalid("kind", format!("must be one of {}", kinds.join(", ")));
    }
    kind
}

fn read_category(f: &mut Fields) -> Option<Option<String>> {
    let category = f.optional::<String>("category")?;
    if let Some(id) = &category
        && taxonomy::category(id).is_none()
    {
        f.invalid(
            "category",
            format!("{id:?} is not a clause category of the taxonomy"),
        );
        return None;
    }
    Some(category)
}

fn read_doc_types(f: &mut Fields) -> Option<Vec<String>> {
    let types = f.optional::<Vec<String>>("doc_types")?.unwrap_or_default();
    let unknown: Vec<&str> = types
        .iter()
        .map(String::as_str)
        .filter(|t| DocType::from_id(t).is_none())
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = DocType::ALL.iter().map(|t| t.id()).collect();
        let message = format!(
            "unknown document types: {}; known: {}",
            unknown.join(", "),
            known.join(", ")
        );
        f.invalid("doc_types", message);
        return None;
    }
    if types.len() > MAX_LIST_ITEMS {
        f.invalid("doc_types", format!("at most {MAX_LIST_ITEMS} items"));
        return None;
    }
    Some(types)
}

fn read_severity(f: &mut Fields) -> Option<Severity> {
    let severity = match f.optional::<String>("severity")?.as_deref() {
        None | Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        Some("high") => Severity::High,
        Some(_) => {
            f.invalid("severity", "must be low, medium or high");
            return None;
        }
    };
    Some(severity)
}

/// A list of non-blank texts, trimmed.
fn read_texts(f: &mut Fields, name: &str) -> Option<Vec<String>> {
    let items = f.optional::<Vec<String>>(name)?.unwrap_or_default();
    let bad = items.iter().any(|t| {
        let t = t.trim();
        t.is_empty() || t.chars().count() > MAX_TEXT_CHARS
    });
    if bad || items.len() > MAX_LIST_ITEMS {
        let message = format!(
            "at most {MAX_LIST_ITEMS} items, each 1 to {MAX_TEXT_CHARS} characters of text"
        );
        f.invalid(name, message);
        return None;
    }
    Some(items.into_iter().map(|t| t.trim().to_string()).collect())
}

/// `medium_from` and `high_from`, each 0..=100 when given.
fn read_bands(f: &mut Fields) -> Option<(Option<u8>, Option<u8>)> {
    let mut band = |name: &str| -> Option<Option<u8>> {
        let value = f.optional::<i64>(name)?;
        match value.map(u8::try_from) {
            None => Some(None),
            Some(Ok(v)) if v <= 100 => Some(Some(v)),
            Some(_) => {
                f.invalid(name, "must be from 0 to 100");
                None
            }
        }
    };
    let medium = band("medium_from");
    let high = band("high_from");
    Some((medium?, high?))
}

/// A rule belongs to a position or a regulatory requirement about a category, and its
/// numbers and lists must mean something.
fn check_rule(f: &mut Fields, kind: EntryKind, category: Option<&str>, rule: Option<&Rule>) {
    let Some(rule) = rule else {
        return;
    };
    if !matches!(kind, EntryKind::Position | EntryKind::Regulatory) {
        f.invalid(
            "rule",
            "only positions and regulatory requirements carry a rule",
        );
    }
    if category.is_none() {
        f.invalid(
            "category",
            "required with a rule: the category the rule checks",
        );
    }
    let problem = match rule {
        Rule::CapAtMostMonths { months } | Rule::DurationAtMostMonths { months }
            if *months == 0 =>
        {
            Some("months must be at least 1")
        }
        Rule::RenewalNoticeAtLeastDays { days } if *days == 0 => Some("days must be at least 1"),
        Rule::LawIn {
            jurisdictions: list,
        }
        | Rule::RequiredWhenMentioned { mentions: list }
            if list.is_empty()
                || list.len() > MAX_LIST_ITEMS
                || list.iter().any(|s| s.trim().is_empty()) =>
        {
            Some("the list must hold 1 to 50 non-blank items")
        }
        _ => None,
    };
    if let Some(problem) = problem {
        f.invalid("rule", problem);
    }
}

/// Score bands are a risk threshold's, and both are required there, medium below high.
fn check_bands(f: &mut Fields, kind: EntryKind, bands: (Option<u8>, Option<u8>)) {
    if kind != EntryKind::RiskThreshold {
        if bands.0.is_some() || bands.1.is_some() {
            f.invalid("medium_from", "only a risk threshold has score bands");
        }
        return;
    }
    match bands {
        (Some(medium), Some(high)) if medium >= high => {
            f.invalid("high_from", "must be above medium_from");
        }
        (medium, high) => {
            if medium.is_none() {
                f.invalid("medium_from", "required on a risk threshold");
            }
            if high.is_none() {
                f.invalid("high_from", "required on a risk threshold");
            }
        }
    }
}

/// Add an entry (administrators). Its id is generated.
#[utoipa::path(post, path = "/api/v1/admin/playbook/entries", tag = "playbook",
    security(("bearer" = [])), request_body = EntryIn,
    responses((status = 201, body = EntryOut), (status = 403, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn create_entry(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    request_id: RequestId,
    Body(EntryRequest(mut entry)): Body<EntryRequest>,
) -> ApiResult<(StatusCode, Json<EntryOut>)> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    entry.id = format!("entry:{}", uuid::Uuid::new_v4().simple());
    let stored = playbook_db::insert_entry(&state.db, &entry, principal.user_id).await?;

    let target = ("playbook_entry", entry.id.clone());
    let detail = json!({ "kind": entry.kind.as_str() });
    super::record_change(
        &state,
        &principal,
        &request_id,
        "playbook.entry_created",
        target,
        detail,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Replace an entry's content (administrators). A seeded entry stays seeded, and the seed
/// never overwrites it again.
#[utoipa::path(put, path = "/api/v1/admin/playbook/entries/{id}", tag = "playbook",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = EntryIn,
    responses((status = 200, body = EntryOut), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ValidationBody)))]
pub async fn update_entry(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<String>,
    request_id: RequestId,
    Body(EntryRequest(mut entry)): Body<EntryRequest>,
) -> ApiResult<Json<EntryOut>> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    entry.id = id;
    let stored = playbook_db::update_entry(&state.db, &entry, principal.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;

    let target = ("playbook_entry", entry.id.clone());
    let detail = json!({ "enabled": entry.enabled });
    super::record_change(
        &state,
        &principal,
        &request_id,
        "playbook.entry_updated",
        target,
        detail,
    )
    .await?;
    Ok(Json(stored.into()))
}

/// Delete an entry (administrators). A deleted default entry is not seeded again.
#[utoipa::path(delete, path = "/api/v1/admin/playbook/entries/{id}", tag = "playbook",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_entry(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<String>,
    request_id: RequestId,
) -> ApiResult<StatusCode> {
    access::authorize(&state, &principal, Target::Administration, Need::Manage).await?;
    if !playbook_db::delete_entry(&state.db, &id, principal.user_id).await? {
        return Err(ApiError::NotFound);
    }
    let target = ("playbook_entry", id);
    super::record_change(
        &state,
        &principal,
        &request_id,
        "playbook.entry_deleted",
        target,
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
