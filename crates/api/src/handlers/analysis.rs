//! A document's analysis: the report, and its clauses, findings and obligations on their own.
//!
//! Every span is a character range of the document's text (as `/text` serves it) with the
//! page it starts on. Reviewers' decisions appear beside the finding or field they are about.
//! Until the document is complete these endpoints answer 409 naming its status.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use lucidity_analysis::DocType;
use lucidity_db::analysis::{self as analysis_db, AnalysisRow, ClauseRow, FieldRow};
use lucidity_db::analysis::{FindingRow, ObligationRow};
use lucidity_db::documents::{self, Document};
use lucidity_db::ids::{DocumentId, UserId};
use lucidity_db::reviews::{self as reviews_db, ReviewRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError, ValidationBody};
use crate::extract::Id;
use crate::principal::{CurrentUser, Principal};
use crate::state::AppState;

/// Loads a document the caller may access as `need` (404 when hidden, 403 when only
/// visible), and insists that it is analysed (409 naming its status otherwise).
pub(crate) async fn analysed_document(
    state: &AppState,
    principal: &Principal,
    id: DocumentId,
    need: Need,
) -> ApiResult<(Document, AnalysisRow)> {
    let document = documents::find_document(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    access::authorize(state, principal, Target::Project(document.project_id), need).await?;

    match document.status.as_str() {
        "complete" => {}
        "failed" => {
            let reason = document
                .error_message
                .as_deref()
                .unwrap_or("no reason recorded");
            let detail = format!("The document failed and has no analysis: {reason}");
            return Err(ApiError::Conflict(detail));
        }
        status => {
            let detail = format!("The document is not analysed yet: it is {status}");
            return Err(ApiError::Conflict(detail));
        }
    }
    let analysis = analysis_db::find_analysis(&state.db, id).await?;
    let analysis = analysis.ok_or_else(|| {
        let detail = "The document was completed before analysis existed; reprocess it";
        ApiError::Conflict(detail.into())
    })?;
    Ok((document, analysis))
}

/// A character range of the document's text, end exclusive.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct SpanOut {
    pub start: i32,
    pub end: i32,
}

fn span(start: i32, end: i32) -> SpanOut {
    SpanOut { start, end }
}

/// A reviewer's decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewOut {
    /// accepted, rejected or corrected.
    pub decision: String,
    /// What the reviewer says is right instead, when corrected.
    #[schema(value_type = Option<Object>)]
    pub correction: Option<Value>,
    pub note: Option<String>,
    pub decided_by: Option<UserId>,
    pub decided_at: DateTime<Utc>,
}

impl From<&ReviewRow> for ReviewOut {
    fn from(r: &ReviewRow) -> Self {
        Self {
            decision: r.decision.clone(),
            correction: r.correction.clone(),
            note: r.note.clone(),
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        }
    }
}

/// The document's reviews by target kind and key.
pub(crate) struct Reviews(HashMap<(String, String), ReviewRow>);

impl Reviews {
    pub(crate) async fn load(state: &AppState, id: DocumentId) -> ApiResult<Self> {
        let rows = reviews_db::list_reviews(&state.db, id).await?;
        let by_target = rows
            .into_iter()
            .map(|r| ((r.target_kind.clone(), r.target_key.clone()), r))
            .collect();
        Ok(Self(by_target))
    }

    fn of(&self, kind: &str, key: &str) -> Option<ReviewOut> {
        self.0
            .get(&(kind.to_string(), key.to_string()))
            .map(ReviewOut::from)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationOut {
    /// A document type id: nda, master_services, ..., other.
    pub doc_type: String,
    pub label: String,
    /// 0..1; 0 when the text is not a contract.
    pub confidence: f32,
    /// For an amendment, the type of agreement it amends.
    pub amends: Option<String>,
    pub title: Option<String>,
    pub is_contract: bool,
    /// Why the text is not a contract: `{kind, message}`.
    #[schema(value_type = Option<Object>)]
    pub reason: Option<Value>,
}

impl From<&AnalysisRow> for ClassificationOut {
    fn from(a: &AnalysisRow) -> Self {
        let label = DocType::from_id(&a.doc_type).map_or(a.doc_type.as_str(), |t| t.label());
        Self {
            doc_type: a.doc_type.clone(),
            label: label.to_string(),
            confidence: a.confidence,
            amends: a.amends.clone(),
            title: a.title.clone(),
            is_contract: a.is_contract,
            reason: a.reason.clone(),
        }
    }
}

/// One key term.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldOut {
    /// The name, numbered from its second occurrence (`fee:2`); reviews are keyed on it.
    pub key: String,
    pub name: String,
    /// `{type, value}`: the typed value.
    #[schema(value_type = Object)]
    pub value: Value,
    pub display: String,
    pub span: SpanOut,
    pub page: Option<i32>,
    pub confidence: f32,
    pub review: Option<ReviewOut>,
}

impl FieldOut {
    pub(crate) fn new(f: FieldRow, review: Option<ReviewOut>) -> Self {
        Self {
            span: span(f.start_offset, f.end_offset),
            key: f.key,
            name: f.name,
            value: f.value,
            display: f.display,
            page: f.page,
            confidence: f.confidence,
            review,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClauseOut {
    pub ordinal: i32,
    pub number: Option<String>,
    pub heading: Option<String>,
    pub level: i16,
    pub span: SpanOut,
    pub page_start: Option<i32>,
    pub page_end: Option<i32>,
    /// `[{category, name, confidence}]`, best first.
    #[schema(value_type = Vec<Object>)]
    pub categories: Value,
    /// `[{category, span, confidence}]`: the sentences that carry each category.
    #[schema(value_type = Vec<Object>)]
    pub labels: Value,
}

impl From<ClauseRow> for ClauseOut {
    fn from(c: ClauseRow) -> Self {
        Self {
            ordinal: c.ordinal,
            number: c.number,
            heading: c.heading,
            level: c.level,
            span: span(c.start_offset, c.end_offset),
            page_start: c.page_start,
            page_end: c.page_end,
            categories: c.categories,
            labels: c.labels,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    /// Stable across reprocessing of the same text; reviews are keyed on it.
    pub key: String,
    /// deviation, missing or flagged.
    pub kind: String,
    pub category: String,
    /// low, medium or high.
    pub severity: String,
    pub title: String,
    pub explanation: String,
    /// The id of the playbook entry it relates to.
    pub playbook_entry: Option<String>,
    pub suggested_language: Option<String>,
    /// The text it is about; none for a missing clause.
    pub span: Option<SpanOut>,
    pub page: Option<i32>,
    /// Ordinal of the clause it is about.
    pub clause: Option<i32>,
    pub review: Option<ReviewOut>,
}

impl FindingOut {
    pub(crate) fn new(f: FindingRow, review: Option<ReviewOut>) -> Self {
        let span = f.start_offset.zip(f.end_offset).map(|(s, e)| span(s, e));
        Self {
            key: f.key,
            kind: f.kind,
            category: f.category,
            severity: f.severity,
            title: f.title,
            explanation: f.explanation,
            playbook_entry: f.playbook_entry_id,
            suggested_language: f.suggested_language,
            span,
            page: f.page,
            clause: f.clause_ordinal,
            review,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObligationOut {
    /// The party bound, as the contract names it.
    pub party: String,
    pub action: String,
    /// duty or restriction.
    #[serde(rename = "type")]
    pub kind: String,
    /// The deadline as written.
    pub due: Option<String>,
    /// How often it recurs (monthly, annually, ...).
    pub recurrence: Option<String>,
    pub span: SpanOut,
    pub page: Option<i32>,
    pub clause: Option<i32>,
}

impl From<ObligationRow> for ObligationOut {
    fn from(o: ObligationRow) -> Self {
        Self {
            party: o.party,
            action: o.action,
            kind: o.kind,
            due: o.due,
            recurrence: o.recurrence,
            span: span(o.start_offset, o.end_offset),
            page: o.page,
            clause: o.clause_ordinal,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskOut {
    /// 0..100.
    pub score: i16,
    /// low, medium or high, by the playbook's risk thresholds.
    pub level: String,
    pub summary: String,
    /// `[{finding, severity, points}]`: what moved the score, largest first.
    #[schema(value_type = Vec<Object>)]
    pub explanation: Value,
}

fn risk(a: &AnalysisRow) -> Option<RiskOut> {
    Some(RiskOut {
        score: a.risk_score?,
        level: a.risk_level.clone()?,
        summary: a.risk_summary.clone().unwrap_or_default(),
        explanation: a
            .risk_explanation
            .clone()
            .unwrap_or(Value::Array(Vec::new())),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    pub document_id: DocumentId,
    pub status: String,
    /// The run of the pipeline that produced this analysis.
    pub generation: i32,
    pub analyzed_at: DateTime<Utc>,
    pub classification: ClassificationOut,
    /// `[{name, aliases: [{name, span}], role, source, confidence, span, page}]`.
    #[schema(value_type = Vec<Object>)]
    pub parties: Value,
    /// `{agreement, effective, expiration}`, each `{value, display, ambiguous, confidence,
    /// span, sentence, page}` or null.
    #[schema(value_type = Object)]
    pub dates: Value,
    /// `{jurisdiction, country, span, place, confidence, page}` or null.
    #[schema(value_type = Option<Object>)]
    pub governing_law: Value,
    /// `{place, jurisdiction, exclusive, span, confidence, page}` or null.
    #[schema(value_type = Option<Object>)]
    pub venue: Value,
    #[schema(value_type = Option<Object>)]
    pub arbitration: Value,
    pub fields: Vec<FieldOut>,
    pub clauses: Vec<ClauseOut>,
    pub findings: Vec<FindingOut>,
    /// None when the text is not a contract.
    pub risk: Option<RiskOut>,
    pub obligations: Vec<ObligationOut>,
    /// Who produced each part: `{capability: {provider, model}}`.
    #[schema(value_type = Object)]
    pub provenance: Value,
}

/// The document's report: classification, parties, dates, key terms, clauses, findings with
/// reviews, the risk score, obligations and who produced each part.
#[utoipa::path(get, path = "/api/v1/documents/{id}/report", tag = "analysis",
    security(("bearer" = [])), params(("id" = DocumentId, Path)),
    responses((status = 200, body = ReportOut), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn get_report(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
) -> ApiResult<Json<ReportOut>> {
    let (document, analysis) = analysed_document(&state, &principal, id, Need::View).await?;
    let reviews = Reviews::load(&state, id).await?;
    let fields = analysis_db::list_fields(&state.db, id).await?;
    let clauses = analysis_db::list_clauses(&state.db, id).await?;
    let findings = analysis_db::list_findings(&state.db, id, None).await?;
    let obligations = analysis_db::list_obligations(&state.db, id).await?;

    let extraction = |key: &str| analysis.extraction.get(key).cloned().unwrap_or(Value::Null);
    Ok(Json(ReportOut {
        document_id: id,
        status: document.status,
        generation: analysis.generation,
        analyzed_at: analysis.created_at,
        classification: ClassificationOut::from(&analysis),
        parties: extraction("parties"),
        dates: extraction("dates"),
        governing_law: extraction("governing_law"),
        venue: extraction("venue"),
        arbitration: extraction("arbitration"),
        fields: fields
            .into_iter()
            .map(|f| {
                let review = reviews.of("field", &f.key);
                FieldOut::new(f, review)
            })
            .collect(),
        clauses: clauses.into_iter().map(ClauseOut::from).collect(),
        findings: findings
            .into_iter()
            .map(|f| {
                let review = reviews.of("finding", &f.key);
                FindingOut::new(f, review)
            })
            .collect(),
        risk: risk(&analysis),
        obligations: obligations.into_iter().map(ObligationOut::from).collect(),
        provenance: analysis.provenance,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClausesOut {
    pub document_id: DocumentId,
    pub clauses: Vec<ClauseOut>,
}

/// The document's clauses in order, with their categories and pages.
#[utoipa::path(get, path = "/api/v1/documents/{id}/clauses", tag = "analysis",
    security(("bearer" = [])), params(("id" = DocumentId, Path)),
    responses((status = 200, body = ClausesOut), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn list_clauses(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
) -> ApiResult<Json<ClausesOut>> {
    analysed_document(&state, &principal, id, Need::View).await?;
    let clauses = analysis_db::list_clauses(&state.db, id).await?;
    Ok(Json(ClausesOut {
        document_id: id,
        clauses: clauses.into_iter().map(ClauseOut::from).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FindingsQuery {
    /// Only findings of this severity: low, medium or high.
    pub severity: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingsOut {
    pub document_id: DocumentId,
    pub findings: Vec<FindingOut>,
}

/// The document's findings with their reviews, optionally of one severity.
#[utoipa::path(get, path = "/api/v1/documents/{id}/findings", tag = "analysis",
    security(("bearer" = [])), params(("id" = DocumentId, Path), FindingsQuery),
    responses((status = 200, body = FindingsOut), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ValidationBody)))]
pub async fn list_findings(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
    Query(query): Query<FindingsQuery>,
) -> ApiResult<Json<FindingsOut>> {
    let severity = query.severity.as_deref();
    if let Some(severity) = severity
        && !["low", "medium", "high"].contains(&severity)
    {
        let error = FieldError::new(
            &["query", "severity"],
            "must be low, medium or high",
            "value_error",
        );
        return Err(ApiError::Validation(vec![error]));
    }
    analysed_document(&state, &principal, id, Need::View).await?;

    let reviews = Reviews::load(&state, id).await?;
    let findings = analysis_db::list_findings(&state.db, id, severity).await?;
    let findings = findings
        .into_iter()
        .map(|f| {
            let review = reviews.of("finding", &f.key);
            FindingOut::new(f, review)
        })
        .collect();
    Ok(Json(FindingsOut {
        document_id: id,
        findings,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObligationsOut {
    pub document_id: DocumentId,
    pub obligations: Vec<ObligationOut>,
}

/// Who must do what, by when: the document's obligations in order.
#[utoipa::path(get, path = "/api/v1/documents/{id}/obligations", tag = "analysis",
    security(("bearer" = [])), params(("id" = DocumentId, Path)),
    responses((status = 200, body = ObligationsOut), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn list_obligations(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<DocumentId>,
) -> ApiResult<Json<ObligationsOut>> {
    analysed_document(&state, &principal, id, Need::View).await?;
    let obligations = analysis_db::list_obligations(&state.db, id).await?;
    Ok(Json(ObligationsOut {
        document_id: id,
        obligations: obligations.into_iter().map(ObligationOut::from).collect(),
    }))
}
