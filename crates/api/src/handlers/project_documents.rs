//! A project's documents as a table: one page, filtered and sorted, each row with the summary
//! of its analysis, beside the facets a table offers as filters (the document types present,
//! the documents in each status).
//!
//! Every query parameter is optional and an empty one counts as absent, since an HTML form
//! sends its empty fields. Every value that cannot be read is named in one 422. The page, its
//! total and the facets come from one snapshot of the database, so they agree.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use lucidity_analysis::DocType;
use lucidity_db::document_table::{self, Filter, Risk, Slice, SortKey, TableRow};
use lucidity_db::documents::{self, STATUSES};
use lucidity_db::ids::{DocumentId, ProjectId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError, ValidationBody};
use crate::extract::{Id, QueryParams};
use crate::principal::CurrentUser;
use crate::state::AppState;

const DEFAULT_PAGE_SIZE: i64 = 50;
const MAX_PAGE_SIZE: i64 = 200;

/// The deepest page accepted, which keeps the offset a query skips reasonable.
const MAX_PAGE: i64 = 100_000;

/// Longest text accepted in `party` and `q`, in characters.
const MAX_FILTER_CHARS: usize = 200;

/// The statuses a finished document has; `processing` means any other.
const TERMINAL_STATUSES: [&str; 2] = ["complete", "failed"];

#[derive(Debug, Deserialize, IntoParams)]
pub struct TableQuery {
    /// A status (queued, extracting, classifying, playbook, analyzing, embedding, storing,
    /// complete, failed), or `processing` for any but complete and failed.
    status: Option<String>,
    /// A document type id as the analysis stores it: nda, master_services, ..., other.
    doc_type: Option<String>,
    /// low, medium, high, or none for documents without a risk score.
    risk: Option<String>,
    /// Part of a party's name, in any case.
    party: Option<String>,
    /// Part of the file name or the title, in any case.
    q: Option<String>,
    /// uploaded (default), filename, status (pipeline order), doc_type, risk (by score) or
    /// updated.
    sort: Option<String>,
    /// asc or desc; desc by default for uploaded, updated and risk, asc otherwise.
    order: Option<String>,
    /// 1-based (default 1).
    page: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    page_size: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentPage {
    /// Rows matching the filters, on every page.
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub items: Vec<DocumentRowOut>,
    pub facets: FacetsOut,
}

/// One document and the summary of its analysis.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentRowOut {
    pub id: DocumentId,
    pub filename: String,
    pub file_kind: String,
    pub status: String,
    pub error_message: Option<String>,
    pub page_count: Option<i32>,
    pub size_bytes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// A document type id; null until analysed.
    pub doc_type: Option<String>,
    /// The type as people read it ("Non-disclosure agreement").
    pub doc_type_label: Option<String>,
    pub title: Option<String>,
    /// low, medium or high; null while not scored.
    pub risk_level: Option<String>,
    /// 0..100; null while not scored.
    pub risk_score: Option<i16>,
    /// The parties' names as the analysis found them.
    pub parties: Vec<String>,
}

impl From<TableRow> for DocumentRowOut {
    fn from(r: TableRow) -> Self {
        Self {
            id: r.id,
            filename: r.filename,
            file_kind: r.file_kind,
            status: r.status,
            error_message: r.error_message,
            page_count: r.page_count,
            size_bytes: r.size_bytes,
            created_at: r.created_at,
            updated_at: r.updated_at,
            completed_at: r.completed_at,
            doc_type_label: r.doc_type.as_deref().map(doc_type_label),
            doc_type: r.doc_type,
            title: r.title,
            risk_level: r.risk_level,
            risk_score: r.risk_score,
            parties: r.parties,
        }
    }
}

/// The whole project's facets, whatever the filters.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsOut {
    /// The document types of the project's analysed documents, sorted.
    pub doc_types: Vec<String>,
    /// Each of those types as people read it.
    pub doc_type_labels: BTreeMap<String, String>,
    /// Documents per status, every status named (0 when none).
    pub statuses: BTreeMap<String, i64>,
}

/// One page of the project's documents for a table, filtered and sorted (view access).
#[utoipa::path(get, path = "/api/v1/projects/{id}/documents", tag = "documents",
    security(("bearer" = [])), params(("id" = ProjectId, Path), TableQuery),
    responses((status = 200, body = DocumentPage), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn list_project_documents(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Id(id): Id<ProjectId>,
    QueryParams(query): QueryParams<TableQuery>,
) -> ApiResult<Json<DocumentPage>> {
    let request = validate(query)?;
    access::authorize(&state, &principal, Target::Project(id), Need::View).await?;

    let filter = request.filter();
    let slice = request.slice();
    let mut tx = lucidity_db::begin_snapshot(&state.db).await?;
    let rows = document_table::list_rows(&mut *tx, id, &filter, &slice).await?;
    // A short page that is not past the end holds the last rows: it tells the total.
    let shown = rows.len() as i64;
    let total = if shown < slice.limit && (shown > 0 || slice.offset == 0) {
        slice.offset + shown
    } else {
        document_table::count_rows(&mut *tx, id, &filter).await?
    };
    let doc_types = document_table::list_doc_types(&mut *tx, id).await?;
    let statuses = documents::count_statuses(&mut *tx, &[id]).await?;
    tx.commit().await?;

    Ok(Json(DocumentPage {
        total,
        page: request.page,
        page_size: request.page_size,
        items: rows.into_iter().map(DocumentRowOut::from).collect(),
        facets: FacetsOut {
            doc_type_labels: doc_types
                .iter()
                .map(|id| (id.clone(), doc_type_label(id)))
                .collect(),
            doc_types,
            statuses: super::every_status(statuses),
        },
    }))
}

/// The query, read and checked.
struct Request {
    statuses: Option<Vec<&'static str>>,
    doc_type: Option<&'static str>,
    risk: Option<Risk>,
    party: Option<String>,
    text: Option<String>,
    sort: SortKey,
    descending: bool,
    page: i64,
    page_size: i64,
}

impl Request {
    fn filter(&self) -> Filter<'_> {
        Filter {
            statuses: self.statuses.as_deref(),
            doc_type: self.doc_type,
            risk: self.risk,
            party: self.party.as_deref(),
            text: self.text.as_deref(),
        }
    }

    fn slice(&self) -> Slice {
        Slice {
            sort: self.sort,
            descending: self.descending,
            limit: self.page_size,
            offset: (self.page - 1) * self.page_size,
        }
    }
}

/// Every problem with the query string, named at once.
fn validate(query: TableQuery) -> ApiResult<Request> {
    let mut problems = Vec::new();
    let statuses = given(query.status).and_then(|raw| statuses(&raw, &mut problems));
    let doc_type = given(query.doc_type).and_then(|raw| doc_type(&raw, &mut problems));
    let risk = given(query.risk).and_then(|raw| risk(&raw, &mut problems));
    let party = given(query.party).and_then(|raw| filter_text("party", raw, &mut problems));
    let text = given(query.q).and_then(|raw| filter_text("q", raw, &mut problems));
    let sort = match given(query.sort) {
        None => SortKey::Uploaded,
        Some(raw) => sort(&raw, &mut problems).unwrap_or(SortKey::Uploaded),
    };
    let descending = match given(query.order).as_deref() {
        None => matches!(sort, SortKey::Uploaded | SortKey::Updated | SortKey::Risk),
        Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            let msg = format!("Input should be 'asc' or 'desc', got {other:?}");
            problems.push(problem("order", &msg, "enum"));
            false
        }
    };
    let page = number("page", query.page, (1, MAX_PAGE), 1, &mut problems);
    let page_size = number(
        "page_size",
        query.page_size,
        (1, MAX_PAGE_SIZE),
        DEFAULT_PAGE_SIZE,
        &mut problems,
    );

    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    Ok(Request {
        statuses,
        doc_type,
        risk,
        party,
        text,
        sort,
        descending,
        page,
        page_size,
    })
}

/// The value, trimmed, unless it is absent or blank.
fn given(raw: Option<String>) -> Option<String> {
    raw.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn problem(field: &str, msg: &str, kind: &str) -> FieldError {
    FieldError::new(&["query", field], msg.to_string(), kind)
}

fn statuses(raw: &str, problems: &mut Vec<FieldError>) -> Option<Vec<&'static str>> {
    if raw == "processing" {
        let unfinished = STATUSES
            .into_iter()
            .filter(|s| !TERMINAL_STATUSES.contains(s))
            .collect();
        return Some(unfinished);
    }
    match STATUSES.into_iter().find(|s| *s == raw) {
        Some(status) => Some(vec![status]),
        None => {
            let msg = format!(
                "Input should be one of {} or processing, got {raw:?}",
                STATUSES.join(", ")
            );
            problems.push(problem("status", &msg, "enum"));
            None
        }
    }
}

fn doc_type(raw: &str, problems: &mut Vec<FieldError>) -> Option<&'static str> {
    if let Some(found) = DocType::from_id(raw) {
        return Some(found.id());
    }
    let ids: Vec<&str> = DocType::ALL.iter().map(|t| t.id()).collect();
    let msg = format!("Input should be one of {}, got {raw:?}", ids.join(", "));
    problems.push(problem("doc_type", &msg, "enum"));
    None
}

fn risk(raw: &str, problems: &mut Vec<FieldError>) -> Option<Risk> {
    match raw {
        "low" => Some(Risk::Level("low")),
        "medium" => Some(Risk::Level("medium")),
        "high" => Some(Risk::Level("high")),
        "none" => Some(Risk::Unscored),
        other => {
            let msg = format!("Input should be 'low', 'medium', 'high' or 'none', got {other:?}");
            problems.push(problem("risk", &msg, "enum"));
            None
        }
    }
}

fn filter_text(field: &str, raw: String, problems: &mut Vec<FieldError>) -> Option<String> {
    if raw.chars().count() > MAX_FILTER_CHARS {
        let msg = format!("The text may be at most {MAX_FILTER_CHARS} characters");
        problems.push(problem(field, &msg, "string_too_long"));
        return None;
    }
    Some(raw)
}

fn sort(raw: &str, problems: &mut Vec<FieldError>) -> Option<SortKey> {
    Some(match raw {
        "uploaded" => SortKey::Uploaded,
        "filename" => SortKey::Filename,
        "status" => SortKey::Status,
        "doc_type" => SortKey::DocType,
        "risk" => SortKey::Risk,
        "updated" => SortKey::Updated,
        other => {
            let msg = format!(
                "Input should be 'uploaded', 'filename', 'status', 'doc_type', 'risk' or \
                 'updated', got {other:?}"
            );
            problems.push(problem("sort", &msg, "enum"));
            return None;
        }
    })
}

/// A whole number within `min..=max`, or `default` when absent.
fn number(
    field: &str,
    raw: Option<String>,
    (min, max): (i64, i64),
    default: i64,
    problems: &mut Vec<FieldError>,
) -> i64 {
    let Some(raw) = given(raw) else {
        return default;
    };
    match raw.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        Ok(_) => {
            let msg = format!("Input should be a whole number from {min} to {max}");
            problems.push(problem(field, &msg, "int_range"));
            default
        }
        Err(_) => {
            let msg = format!("Input should be a whole number, got {raw:?}");
            problems.push(problem(field, &msg, "int_parsing"));
            default
        }
    }
}

/// The taxonomy's label of a type id; an id this build does not know is shown as stored.
fn doc_type_label(id: &str) -> String {
    DocType::from_id(id)
        .map_or(id, |doc_type| doc_type.label())
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> TableQuery {
        let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let uri: axum::http::Uri = format!("/?{}", text.join("&")).parse().unwrap();
        axum::extract::Query::try_from_uri(&uri).unwrap().0
    }

    fn locations(error: ApiError) -> Vec<String> {
        match error {
            ApiError::Validation(fields) => fields.iter().map(|f| f.loc.join(".")).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn nothing_given_means_the_newest_fifty_of_everything() {
        let request = validate(query(&[])).unwrap();
        let slice = request.slice();
        assert_eq!((slice.limit, slice.offset), (50, 0));
        assert_eq!((slice.sort, slice.descending), (SortKey::Uploaded, true));
        assert!(request.statuses.is_none() && request.risk.is_none());
    }

    #[test]
    fn empty_values_from_a_form_count_as_absent() {
        let pairs = [("status", ""), ("risk", "+"), ("page", ""), ("q", "")];
        let request = validate(query(&pairs)).unwrap();
        assert!(request.statuses.is_none() && request.risk.is_none() && request.text.is_none());
        assert_eq!(request.page, 1);
    }

    #[test]
    fn processing_means_every_status_but_complete_and_failed() {
        let request = validate(query(&[("status", "processing")])).unwrap();
        let statuses = request.statuses.unwrap();
        assert_eq!(statuses.len(), 7);
        assert!(!statuses.contains(&"complete") && !statuses.contains(&"failed"));
    }

    #[test]
    fn sorting_by_name_defaults_to_ascending_and_a_later_page_skips_earlier_rows() {
        let pairs = [("sort", "filename"), ("page", "3"), ("page_size", "20")];
        let slice = validate(query(&pairs)).unwrap().slice();
        assert_eq!((slice.sort, slice.descending), (SortKey::Filename, false));
        assert_eq!((slice.limit, slice.offset), (20, 40));
    }

    #[test]
    fn every_bad_value_is_named_at_once() {
        let pairs = [
            ("status", "done"),
            ("doc_type", "treaty"),
            ("risk", "extreme"),
            ("sort", "size"),
            ("order", "up"),
            ("page", "0"),
            ("page_size", "many"),
        ];
        let error = validate(query(&pairs)).err().unwrap();
        assert_eq!(
            locations(error),
            [
                "query.status",
                "query.doc_type",
                "query.risk",
                "query.sort",
                "query.order",
                "query.page",
                "query.page_size"
            ]
        );
    }
}
