//! The AI capability mapping (`/admin/ai`): which provider and model serve each of the five
//! capabilities, what serves each one now, and a form per capability to change it.
//!
//! The API decides which providers this build can call and refuses the others with a message
//! saying so; the page offers every provider the API names and shows that message as it is.
//! A change applies from the next document the pipeline starts.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::Method;
use serde::{Deserialize, Serialize};

use super::{Admin, Choice, DoneQuery, Feedback, Outcome, done, outcome};
use crate::backend::segment;
use crate::pages::{Nav, Signed, backend_failure, not_found, render, view};
use crate::state::AppState;

const CAPABILITIES_PATH: &str = "/api/v1/admin/ai/capabilities";

/// The providers the API knows, with their names for people. Only the built-in engine can serve
/// a capability in this build; the API refuses the others with its reason.
const PROVIDERS: [(&str, &str); 4] = [
    ("builtin", "Built-in engine"),
    ("anthropic", "Anthropic"),
    ("openai", "OpenAI"),
    ("azure_openai", "Azure OpenAI"),
];

#[derive(Deserialize)]
struct Capability {
    capability: String,
    provider: String,
    model: String,
    #[serde(default)]
    available: bool,
    effective: Effective,
    updated_at: DateTime<Utc>,
}

/// What serves the capability now, after the fallback to the built-in engine.
#[derive(Deserialize)]
struct Effective {
    provider: String,
    model: String,
    /// The mapped provider the built-in engine stands in for.
    instead_of: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/ai.html")]
struct AiPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    capabilities: Vec<CapabilityRow>,
}

struct CapabilityRow {
    /// The capability's id, for the form's element ids.
    id: String,
    /// The form's action, with the id percent-encoded.
    action: String,
    label: String,
    purpose: &'static str,
    provider: String,
    model: String,
    available: bool,
    serving: String,
    instead_of: Option<String>,
    updated: String,
    providers: Vec<Choice>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CapabilityForm {
    provider: String,
    model: String,
}

#[derive(Serialize)]
struct CapabilityChange<'a> {
    provider: &'a str,
    /// Left out when the field is empty: the API then uses the provider's own model.
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
}

pub async fn list_capabilities(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Query(query): Query<DoneQuery>,
) -> Response {
    show(&state, &signed, Feedback::shown(&query.done)).await
}

pub async fn save_capability(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(capability): Path<String>,
    Form(form): Form<CapabilityForm>,
) -> Response {
    let Some(capability) = segment(&capability) else {
        return not_found().await;
    };
    let model = form.model.trim();
    let change = CapabilityChange {
        provider: form.provider.trim(),
        model: (!model.is_empty()).then_some(model),
    };
    let path = format!("{CAPABILITIES_PATH}/{capability}");
    let api = signed.session.api(&state);
    let saved = api.call(Method::PUT, &path, Some(&change)).await;

    match outcome(saved, "The capability mapping was not changed.") {
        Outcome::Done(()) => done("/admin/ai", "capability_saved"),
        Outcome::Refused(feedback) => show(&state, &signed, feedback).await,
        Outcome::Failed(response) => response,
    }
}

async fn show(state: &AppState, signed: &Signed, feedback: Feedback) -> Response {
    let api = signed.session.api(state);
    let capabilities = match api.get::<Vec<Capability>>(CAPABILITIES_PATH).await {
        Ok(capabilities) => capabilities,
        Err(error) => return backend_failure(error),
    };

    let page = AiPage {
        nav: signed.nav("admin"),
        section: "ai",
        flash: feedback.flash,
        messages: feedback.messages,
        capabilities: capabilities
            .into_iter()
            .filter_map(capability_row)
            .collect(),
    };
    render(feedback.status, &page)
}

/// A capability's row; one whose id cannot be a path segment has no form and is left out.
fn capability_row(capability: Capability) -> Option<CapabilityRow> {
    let action = format!("/admin/ai/{}", segment(&capability.capability)?);
    Some(CapabilityRow {
        action,
        label: view::humanise(&capability.capability),
        purpose: purpose(&capability.capability),
        provider: provider_label(&capability.provider),
        providers: provider_choices(&capability.provider),
        available: capability.available,
        serving: format!(
            "{} · {}",
            provider_label(&capability.effective.provider),
            capability.effective.model
        ),
        instead_of: capability
            .effective
            .instead_of
            .as_deref()
            .map(provider_label),
        updated: view::timestamp(&capability.updated_at),
        model: capability.model,
        id: capability.capability,
    })
}

/// What the capability does in the pipeline, in a sentence.
fn purpose(capability: &str) -> &'static str {
    match capability {
        "extraction_classification" => {
            "The document type, parties, dates and jurisdiction, while documents are classified."
        }
        "document_understanding" => "Clauses, their categories, key fields and obligations.",
        "reasoning" => "Findings against the playbook, and the risk score.",
        "generation" => "Suggested language for findings, alternative clauses and answers.",
        "embeddings" => "The vectors behind semantic search.",
        _ => "",
    }
}

fn provider_label(provider: &str) -> String {
    PROVIDERS
        .iter()
        .find(|(value, _)| *value == provider)
        .map_or_else(|| provider.to_owned(), |(_, label)| (*label).to_owned())
}

/// The known providers, plus the current one should the API report a provider this page does
/// not know, so that saving the model alone never changes the provider by accident.
fn provider_choices(current: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = PROVIDERS
        .iter()
        .map(|(value, label)| Choice::new(*value, *label, *value == current))
        .collect();
    if !PROVIDERS.iter().any(|(value, _)| *value == current) {
        choices.push(Choice::new(current, current, true));
    }
    choices
}
