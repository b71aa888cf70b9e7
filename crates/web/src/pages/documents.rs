//! A document's page (`/documents/{id}`): its text with every clause marked by category and
//! risk, and beside it the key terms, findings and obligations, each reviewable; and the
//! actions on it: download, reprocess, delete (after a confirmation page).
//!
//! While the pipeline runs the page shows the document's progress, which the script follows
//! live and reloads into the analysis when it completes.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::text::{self, Block};
use super::view;
use super::{Nav, Signed, backend_failure, error_page, not_found, redirect_to, render};
use crate::backend::{BackendError, segment};
use crate::pages::live;
use crate::state::AppState;

#[derive(Deserialize)]
struct Document {
    id: String,
    project_id: String,
    filename: String,
    status: String,
    error_message: Option<String>,
    page_count: Option<i32>,
    size_bytes: i64,
    created_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Project {
    name: String,
    access_level: String,
}

#[derive(Deserialize)]
struct Report {
    classification: Classification,
    fields: Vec<Field>,
    clauses: Vec<text::Clause>,
    findings: Vec<Finding>,
    risk: Option<Risk>,
    obligations: Vec<Obligation>,
}

#[derive(Deserialize)]
struct Classification {
    label: String,
    title: Option<String>,
    is_contract: bool,
    reason: Option<Value>,
}

#[derive(Deserialize)]
struct Field {
    key: String,
    name: String,
    display: String,
    page: Option<i32>,
    review: Option<Review>,
}

#[derive(Deserialize)]
struct Finding {
    key: String,
    kind: String,
    severity: String,
    title: String,
    explanation: String,
    playbook_entry: Option<String>,
    suggested_language: Option<String>,
    page: Option<i32>,
    clause: Option<i32>,
    review: Option<Review>,
}

#[derive(Deserialize)]
struct Review {
    decision: String,
    correction: Option<Value>,
}

#[derive(Deserialize)]
struct Risk {
    score: i16,
    level: String,
    summary: String,
}

#[derive(Deserialize)]
struct Obligation {
    party: String,
    action: String,
    #[serde(rename = "type")]
    kind: String,
    due: Option<String>,
    recurrence: Option<String>,
    page: Option<i32>,
    clause: Option<i32>,
}

#[derive(Deserialize)]
struct TextOut {
    text: String,
    pages: Vec<text::Page>,
}

#[derive(Deserialize)]
struct Playbook {
    entries: Vec<PlaybookEntry>,
}

#[derive(Deserialize)]
struct PlaybookEntry {
    id: String,
    title: String,
    text: String,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    nav: Nav,
    document: DocumentHead,
    analysis: Option<Analysis>,
}

struct DocumentHead {
    id: String,
    project_id: String,
    project_name: String,
    filename: String,
    status: String,
    status_label: String,
    status_class: &'static str,
    error: String,
    is_finished: bool,
    can_edit: bool,
    facts: Vec<(&'static str, String)>,
}

struct Analysis {
    doc_type: String,
    title: String,
    not_a_contract: String,
    risk: Option<RiskView>,
    fields: Vec<FieldView>,
    findings: Vec<FindingView>,
    obligations: Vec<ObligationView>,
    blocks: Vec<Block>,
}

struct RiskView {
    score: i16,
    label: &'static str,
    class: &'static str,
    summary: String,
}

struct FieldView {
    key: String,
    name: String,
    display: String,
    page: String,
    decision: String,
}

struct FindingView {
    key: String,
    title: String,
    kind: String,
    severity: String,
    severity_class: &'static str,
    explanation: String,
    position: Option<(String, String)>,
    suggested: String,
    page: String,
    clause_anchor: Option<String>,
    decision: String,
}

struct ObligationView {
    party: String,
    action: String,
    kind: String,
    when: String,
    page: String,
    clause_anchor: Option<String>,
}

pub async fn show_document(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<Uuid>,
) -> Response {
    let api = signed.session.api(&state);
    let document = match api
        .get::<Document>(&format!("/api/v1/documents/{id}"))
        .await
    {
        Ok(document) => document,
        Err(error) => return backend_failure(error),
    };
    let project = match api
        .get::<Project>(&format!("/api/v1/projects/{}", document.project_id))
        .await
    {
        Ok(project) => project,
        Err(error) => return backend_failure(error),
    };

    let analysis = match document.status.as_str() {
        "complete" => match load_analysis(&state, &signed, id).await {
            Ok(analysis) => Some(analysis),
            Err(error) => return backend_failure(error),
        },
        _ => None,
    };
    let page = DocumentPage {
        nav: signed.nav("projects"),
        document: head(document, project),
        analysis,
    };
    render(StatusCode::OK, &page)
}

async fn load_analysis(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
) -> Result<Analysis, BackendError> {
    let api = signed.session.api(state);
    let report_path = format!("/api/v1/documents/{id}/report");
    let text_path = format!("/api/v1/documents/{id}/text");
    let (report, text, playbook) = tokio::join!(
        api.get::<Report>(&report_path),
        api.get::<TextOut>(&text_path),
        api.get::<Playbook>("/api/v1/playbook"),
    );
    let (report, text, playbook) = (report?, text?, playbook?);

    let positions: HashMap<String, (String, String)> = playbook
        .entries
        .into_iter()
        .map(|entry| (entry.id, (entry.title, entry.text)))
        .collect();
    let worst = worst_severity_by_clause(&report.findings);
    let blocks = text::blocks(&text.text, &text.pages, &report.clauses, &worst);

    let classification = report.classification;
    let not_a_contract = match (classification.is_contract, classification.reason) {
        (true, _) => String::new(),
        (false, reason) => reason
            .as_ref()
            .and_then(|reason| reason.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("This does not read as a contract.")
            .to_owned(),
    };
    Ok(Analysis {
        doc_type: classification.label,
        title: classification.title.unwrap_or_default(),
        not_a_contract,
        risk: report.risk.map(risk_view),
        fields: report.fields.into_iter().map(field_view).collect(),
        findings: report
            .findings
            .into_iter()
            .map(|finding| finding_view(finding, &positions))
            .collect(),
        obligations: report
            .obligations
            .into_iter()
            .map(obligation_view)
            .collect(),
        blocks,
    })
}

fn head(document: Document, project: Project) -> DocumentHead {
    let mut facts = vec![
        ("Uploaded", view::timestamp(&document.created_at)),
        ("Size", view::size(document.size_bytes)),
    ];
    if let Some(pages) = document.page_count {
        facts.push(("Pages", pages.to_string()));
    }
    DocumentHead {
        is_finished: matches!(document.status.as_str(), "complete" | "failed"),
        can_edit: matches!(project.access_level.as_str(), "editor" | "admin"),
        status_label: view::status_label(&document.status),
        status_class: view::status_class(&document.status),
        error: document.error_message.unwrap_or_default(),
        id: document.id,
        project_id: document.project_id,
        project_name: project.name,
        filename: document.filename,
        status: document.status,
        facts,
    }
}

/// The most severe finding of each clause, for the clause's risk colour.
fn worst_severity_by_clause(findings: &[Finding]) -> HashMap<i32, &'static str> {
    let rank = |severity: &str| match severity {
        "high" => 3,
        "medium" => 2,
        _ => 1,
    };
    let mut worst: HashMap<i32, &'static str> = HashMap::new();
    for finding in findings {
        let rejected = finding
            .review
            .as_ref()
            .is_some_and(|review| review.decision == "rejected");
        let Some(clause) = finding.clause.filter(|_| !rejected) else {
            continue;
        };
        let class = view::risk_class(Some(finding.severity.as_str()));
        let current = worst.entry(clause).or_insert(class);
        if rank(&finding.severity) > rank(current.trim_start_matches("risk-")) {
            *current = class;
        }
    }
    worst
}

fn risk_view(risk: Risk) -> RiskView {
    RiskView {
        score: risk.score,
        label: view::risk_label(Some(risk.level.as_str())),
        class: view::risk_class(Some(risk.level.as_str())),
        summary: risk.summary,
    }
}

fn page_label(page: Option<i32>) -> String {
    page.map(|page| format!("p. {page}")).unwrap_or_default()
}

fn decision_label(review: Option<&Review>) -> String {
    match review.map(|review| review.decision.as_str()) {
        Some("accepted") => "Accepted".into(),
        Some("rejected") => "Rejected".into(),
        Some("corrected") => "Corrected".into(),
        _ => String::new(),
    }
}

fn field_view(field: Field) -> FieldView {
    // A corrected value is shown instead of the extracted one.
    let corrected = field
        .review
        .as_ref()
        .and_then(|review| review.correction.as_ref())
        .and_then(|correction| correction.get("display"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    FieldView {
        decision: decision_label(field.review.as_ref()),
        display: corrected.unwrap_or(field.display),
        page: page_label(field.page),
        key: field.key,
        name: view::humanise(&field.name),
    }
}

fn finding_view(finding: Finding, positions: &HashMap<String, (String, String)>) -> FindingView {
    let severity = finding
        .review
        .as_ref()
        .and_then(|review| review.correction.as_ref())
        .and_then(|correction| correction.get("severity"))
        .and_then(Value::as_str)
        .unwrap_or(&finding.severity)
        .to_owned();
    // The engine's explanation often quotes the position already; it is not shown twice.
    let position = finding
        .playbook_entry
        .as_ref()
        .and_then(|id| positions.get(id))
        .filter(|(_, text)| !finding.explanation.contains(text.as_str()))
        .cloned();
    FindingView {
        decision: decision_label(finding.review.as_ref()),
        severity_class: view::risk_class(Some(severity.as_str())),
        severity: view::risk_label(Some(severity.as_str())).to_owned(),
        kind: view::humanise(&finding.kind),
        key: finding.key,
        title: finding.title,
        explanation: finding.explanation,
        position,
        suggested: finding.suggested_language.unwrap_or_default(),
        page: page_label(finding.page),
        clause_anchor: finding.clause.map(text::anchor),
    }
}

fn obligation_view(obligation: Obligation) -> ObligationView {
    let when = view::when(obligation.due, obligation.recurrence);
    ObligationView {
        party: obligation.party,
        action: obligation.action,
        kind: view::humanise(&obligation.kind),
        when,
        page: page_label(obligation.page),
        clause_anchor: obligation.clause.map(text::anchor),
    }
}

/// The original file, streamed from the backend with its own name and type.
pub async fn download_document(
    State(state): State<AppState>,
    signed: crate::session::Session,
    Path(id): Path<Uuid>,
) -> Response {
    let path = format!("/api/v1/documents/{id}/download");
    live::relay(&state, &signed, Method::GET, &path).await
}

pub async fn reprocess_document(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<Uuid>,
) -> Response {
    let path = format!("/api/v1/documents/{id}/reprocess");
    let api = signed.session.api(&state);
    match api.call::<()>(Method::POST, &path, None).await {
        Ok(()) => redirect_to(&format!("/documents/{id}")),
        Err(error) => backend_failure(error),
    }
}

#[derive(Template)]
#[template(path = "document_delete.html")]
struct DeletePage {
    nav: Nav,
    id: String,
    filename: String,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<Uuid>,
) -> Response {
    let api = signed.session.api(&state);
    let document = match api
        .get::<Document>(&format!("/api/v1/documents/{id}"))
        .await
    {
        Ok(document) => document,
        Err(error) => return backend_failure(error),
    };
    let page = DeletePage {
        nav: signed.nav("projects"),
        id: document.id,
        filename: document.filename,
    };
    render(StatusCode::OK, &page)
}

pub async fn delete_document(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<Uuid>,
) -> Response {
    let api = signed.session.api(&state);
    let path = format!("/api/v1/documents/{id}");
    let document = match api.get::<Document>(&path).await {
        Ok(document) => document,
        Err(error) => return backend_failure(error),
    };
    match api.call::<()>(Method::DELETE, &path, None).await {
        Ok(()) => redirect_to(&format!("/projects/{}", document.project_id)),
        Err(error) => backend_failure(error),
    }
}

/// A reviewer's decision from the page's buttons: accept, reject, or correct with a value.
#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    /// The corrected severity of a finding, or the corrected value of a field.
    #[serde(default)]
    correction: String,
    #[serde(default)]
    note: String,
}

pub async fn review_finding(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, key)): Path<(Uuid, String)>,
    Form(form): Form<ReviewForm>,
) -> Response {
    review(&state, &signed, id, "findings", &key, form, "severity").await
}

pub async fn review_field(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, key)): Path<(Uuid, String)>,
    Form(form): Form<ReviewForm>,
) -> Response {
    review(&state, &signed, id, "fields", &key, form, "display").await
}

async fn review(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
    kind: &str,
    key: &str,
    form: ReviewForm,
    corrects: &str,
) -> Response {
    let Some(key_segment) = segment(key) else {
        return not_found().await;
    };
    let mut body = json!({ "decision": form.decision });
    if form.decision == "corrected" {
        body["correction"] = json!({ corrects: form.correction.trim() });
    }
    if !form.note.trim().is_empty() {
        body["note"] = json!(form.note.trim());
    }

    let path = format!("/api/v1/documents/{id}/{kind}/{key_segment}/review");
    let api = signed.session.api(state);
    let reviewed = api.call(Method::PUT, &path, Some(&body)).await;
    let anchor = match kind {
        "findings" => "findings",
        _ => "key-terms",
    };
    match reviewed {
        Ok(()) => redirect_to(&format!("/documents/{id}#{anchor}")),
        Err(BackendError::Refused(refusal)) if refusal.status.is_client_error() => {
            let message = refusal.messages.join(" ").trim().to_owned();
            let message = match message.is_empty() {
                true => "The decision could not be saved.".to_owned(),
                false => format!("The decision could not be saved: {message}"),
            };
            error_page(refusal.status, &message)
        }
        Err(error) => backend_failure(error),
    }
}
