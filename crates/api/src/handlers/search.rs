//! Search across every passage the caller may see: keyword (the query's words, stemmed),
//! semantic (nearness in meaning, by the local embedding model) or hybrid (both rankings fused,
//! the default). Each result names its document, page and character span, with a snippet and
//! the ranges of the snippet to highlight.

use axum::Json;
use axum::extract::{Query, State};
use lucidity_db::chunks::{self, Hit, Mode, Scope};
use lucidity_db::ids::{DocumentId, ProjectId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{self, Need, Target};
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError, ValidationBody};
use crate::principal::CurrentUser;
use crate::state::AppState;

/// Longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 1_000;
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

/// Marks the snippet's highlighted words (see [`chunks::Hit::snippet`]).
const HIGHLIGHT_START: char = '\u{e000}';
const HIGHLIGHT_END: char = '\u{e001}';

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// What to look for.
    q: Option<String>,
    /// keyword, semantic or hybrid (default).
    mode: Option<String>,
    /// Only this project.
    project_id: Option<String>,
    /// Only this document.
    document_id: Option<String>,
    /// Results to return, 1 to 100 (default 20).
    limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchOut {
    pub query: String,
    pub mode: &'static str,
    pub results: Vec<ResultOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultOut {
    pub document_id: DocumentId,
    pub project_id: ProjectId,
    pub filename: String,
    pub page: Option<i32>,
    /// Character range of the passage in the document's text.
    pub span: SpanOut,
    /// The clause (by its order in the document) the passage belongs to.
    pub clause: Option<i32>,
    pub score: f64,
    pub snippet: String,
    /// Character ranges of `snippet` that match the query's words.
    pub highlights: Vec<SpanOut>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct SpanOut {
    pub start: usize,
    pub end: usize,
}

/// Keyword, semantic or hybrid search over everything the caller may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = SearchOut), (status = 404, body = ErrorBody),
        (status = 422, body = ValidationBody), (status = 503, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Json<SearchOut>> {
    let request = validate(query)?;
    let projects = match (request.project, request.document) {
        (_, Some(document)) => {
            let found = lucidity_db::documents::find_document(&state.db, document)
                .await?
                .ok_or(ApiError::NotFound)?;
            let target = Target::Project(found.project_id);
            access::authorize(&state, &principal, target, Need::View).await?;
            vec![found.project_id]
        }
        (Some(project), None) => {
            access::authorize(&state, &principal, Target::Project(project), Need::View).await?;
            vec![project]
        }
        (None, None) => access::visible_projects(&state, &principal)
            .await?
            .into_iter()
            .map(|(project, _)| project)
            .collect(),
    };

    let vector = match request.mode {
        Mode::Keyword => None,
        Mode::Semantic | Mode::Hybrid => Some(embed_query(&state, &request.text).await?),
    };
    let scope = Scope {
        projects: &projects,
        document: request.document,
        limit: request.limit,
    };
    let hits = chunks::search(
        &state.db,
        request.mode,
        &request.text,
        vector.as_deref(),
        &scope,
    )
    .await?;
    Ok(Json(SearchOut {
        query: request.text,
        mode: mode_name(request.mode),
        results: hits.into_iter().map(result).collect(),
    }))
}

struct Request {
    text: String,
    mode: Mode,
    project: Option<ProjectId>,
    document: Option<DocumentId>,
    limit: i64,
}

/// Every problem with the query string, named at once.
fn validate(query: SearchQuery) -> ApiResult<Request> {
    let mut problems = Vec::new();
    let text = query.q.unwrap_or_default().trim().to_string();
    if text.is_empty() {
        problems.push(problem(
            "q",
            "Field required: the words to search for",
            "missing",
        ));
    } else if text.chars().count() > MAX_QUERY_CHARS {
        let msg = format!("The query may be at most {MAX_QUERY_CHARS} characters");
        problems.push(problem("q", &msg, "string_too_long"));
    }
    let mode = match query.mode.as_deref().unwrap_or("hybrid") {
        "keyword" => Mode::Keyword,
        "semantic" => Mode::Semantic,
        "hybrid" => Mode::Hybrid,
        other => {
            let msg = format!("Input should be 'keyword', 'semantic' or 'hybrid', got {other:?}");
            problems.push(problem("mode", &msg, "enum"));
            Mode::Hybrid
        }
    };
    let project = parse_uuid(query.project_id, "project_id", &mut problems).map(ProjectId);
    let document = parse_uuid(query.document_id, "document_id", &mut problems).map(DocumentId);
    let limit = match query.limit.as_deref().map(str::parse::<i64>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            let msg = format!("Input should be a whole number from 1 to {MAX_LIMIT}");
            problems.push(problem("limit", &msg, "int_range"));
            DEFAULT_LIMIT
        }
    };
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    Ok(Request {
        text,
        mode,
        project,
        document,
        limit,
    })
}

fn problem(field: &str, msg: &str, kind: &str) -> FieldError {
    FieldError::new(&["query", field], msg.to_string(), kind)
}

fn parse_uuid(
    raw: Option<String>,
    field: &str,
    problems: &mut Vec<FieldError>,
) -> Option<uuid::Uuid> {
    let raw = raw?;
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            let msg = format!("Input should be a valid UUID, got {raw:?}");
            problems.push(problem(field, &msg, "uuid_parsing"));
            None
        }
    }
}

/// The query's vector from the local model; 503 when the model cannot be loaded.
async fn embed_query(state: &AppState, text: &str) -> ApiResult<Vec<f32>> {
    let model = state.query_embedder.get().await.map_err(|error| {
        tracing::error!(
            error = format!("{error:#}"),
            "the embedding model cannot be loaded"
        );
        ApiError::Unavailable(
            "Semantic search is unavailable: the embedding model is not installed",
        )
    })?;
    let text = text.to_string();
    let vectors = tokio::task::spawn_blocking(move || model.embed(&[text.as_str()]))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(e.into()))?;
    vectors
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the model returned no vector")))
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Keyword => "keyword",
        Mode::Semantic => "semantic",
        Mode::Hybrid => "hybrid",
    }
}

fn result(hit: Hit) -> ResultOut {
    let (snippet, highlights) = highlights(&hit.snippet);
    ResultOut {
        document_id: hit.document_id,
        project_id: hit.project_id,
        filename: hit.filename,
        page: hit.page,
        span: SpanOut {
            start: hit.start_offset.max(0) as usize,
            end: hit.end_offset.max(0) as usize,
        },
        clause: hit.clause_ordinal,
        score: hit.score,
        snippet,
        highlights,
    }
}

/// Removes the highlight markers and returns the character ranges they enclosed.
fn highlights(marked: &str) -> (String, Vec<SpanOut>) {
    let mut text = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut open: Option<usize> = None;
    let mut chars = 0;
    for c in marked.chars() {
        match c {
            HIGHLIGHT_START => open = Some(chars),
            HIGHLIGHT_END => {
                if let Some(start) = open.take() {
                    ranges.push(SpanOut { start, end: chars });
                }
            }
            c => {
                text.push(c);
                chars += 1;
            }
        }
    }
    (text, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_markers_become_character_ranges_of_the_clean_snippet() {
        let (text, ranges) = highlights("Le \u{e000}préavis\u{e001} de \u{e000}30\u{e001} jours");
        assert_eq!(text, "Le préavis de 30 jours");
        let words: Vec<String> = ranges
            .iter()
            .map(|r| text.chars().skip(r.start).take(r.end - r.start).collect())
            .collect();
        assert_eq!(words, ["préavis", "30"]);
    }
}
