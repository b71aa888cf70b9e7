//! Search (`GET /search`): one box for keyword, semantic and hybrid search over every document
//! the user may see, with the matching words highlighted in each passage and a link to the
//! clause it comes from.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;

use super::{Nav, Signed, backend_failure, render};
use crate::backend::BackendError;
use crate::state::AppState;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    q: String,
    mode: String,
    project_id: String,
}

#[derive(Deserialize)]
struct SearchOut {
    results: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    document_id: String,
    filename: String,
    page: Option<i32>,
    clause: Option<i32>,
    snippet: String,
    highlights: Vec<Range>,
}

#[derive(Deserialize)]
struct Range {
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct Project {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    q: String,
    modes: Vec<Choice>,
    projects: Vec<Choice>,
    searched: bool,
    results: Vec<ResultView>,
    messages: Vec<String>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct ResultView {
    href: String,
    filename: String,
    page: String,
    /// The passage in runs, each marked when it matches the query.
    runs: Vec<(String, bool)>,
}

pub async fn show_search(
    State(state): State<AppState>,
    signed: Signed,
    Query(form): Query<SearchForm>,
) -> Response {
    let api = signed.session.api(&state);
    let projects = match api.get::<Vec<Project>>("/api/v1/projects").await {
        Ok(projects) => projects,
        Err(error) => return backend_failure(error),
    };

    let query = form.q.trim();
    let mut messages = Vec::new();
    let mut results = Vec::new();
    let mut status = StatusCode::OK;
    if !query.is_empty() {
        let pairs = [
            ("q", query),
            ("mode", form.mode.as_str()),
            ("project_id", form.project_id.as_str()),
        ];
        match api.get_with::<SearchOut>("/api/v1/search", &pairs).await {
            Ok(found) => results = found.results.into_iter().map(result_view).collect(),
            Err(BackendError::Refused(refusal)) if refusal.status.is_client_error() => {
                status = refusal.status;
                messages = refusal.messages;
            }
            Err(BackendError::Refused(refusal))
                if refusal.status == StatusCode::SERVICE_UNAVAILABLE =>
            {
                status = refusal.status;
                messages = vec![
                    "Meaning-based search is not available right now; try keyword search."
                        .to_owned(),
                ];
            }
            Err(error) => return backend_failure(error),
        }
    }

    let page = SearchPage {
        nav: signed.nav("search"),
        q: form.q.clone(),
        modes: mode_choices(&form.mode),
        projects: projects
            .into_iter()
            .map(|project| Choice {
                selected: project.id == form.project_id,
                value: project.id,
                label: project.name,
            })
            .collect(),
        searched: !query.is_empty(),
        results,
        messages,
    };
    render(status, &page)
}

fn mode_choices(current: &str) -> Vec<Choice> {
    let current = if current.is_empty() {
        "hybrid"
    } else {
        current
    };
    [
        ("hybrid", "Words and meaning"),
        ("keyword", "Exact words"),
        ("semantic", "Meaning"),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: value == current,
    })
    .collect()
}

fn result_view(hit: Hit) -> ResultView {
    let anchor = hit
        .clause
        .map(|clause| format!("#clause-{clause}"))
        .unwrap_or_default();
    ResultView {
        href: format!("/documents/{}{anchor}", hit.document_id),
        filename: hit.filename,
        page: hit
            .page
            .map(|page| format!("Page {page}"))
            .unwrap_or_default(),
        runs: runs(&hit.snippet, &hit.highlights),
    }
}

/// Cuts the snippet into plain and highlighted runs; the ranges count characters.
fn runs(snippet: &str, highlights: &[Range]) -> Vec<(String, bool)> {
    let chars: Vec<char> = snippet.chars().collect();
    let mut runs = Vec::new();
    let mut cursor = 0;
    for range in highlights {
        let (start, end) = (range.start.max(cursor), range.end.min(chars.len()));
        if start >= end {
            continue;
        }
        if start > cursor {
            runs.push((chars[cursor..start].iter().collect(), false));
        }
        runs.push((chars[start..end].iter().collect(), true));
        cursor = end;
    }
    if cursor < chars.len() {
        runs.push((chars[cursor..].iter().collect(), false));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_cut_the_snippet_into_marked_runs() {
        let highlights = [Range { start: 4, end: 9 }, Range { start: 14, end: 40 }];

        let runs = runs("The Québec law applies", &highlights);

        assert_eq!(
            runs,
            vec![
                ("The ".to_owned(), false),
                ("Québe".to_owned(), true),
                ("c law".to_owned(), false),
                (" applies".to_owned(), true),
            ]
        );
    }
}
