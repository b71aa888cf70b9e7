//! System settings (`/admin/settings`): which file types may be uploaded, and the upload limit.
//!
//! The API offers the types its pipeline can read and caps the limit at `MAX_UPLOAD_SIZE_MB`,
//! the ceiling the operator set; an administrator may only choose within both.

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::response::Response;
use http::Method;
use serde::{Deserialize, Serialize};

use super::{Admin, Choice, DoneQuery, Feedback, Outcome, Posted, done, outcome};
use crate::pages::{Nav, Signed, backend_failure, render};
use crate::state::AppState;

const SETTINGS_PATH: &str = "/api/v1/admin/settings";

#[derive(Deserialize)]
struct Settings {
    allowed_file_types: Vec<String>,
    max_upload_size_mb: u64,
    max_upload_size_ceiling_mb: u64,
    supported_file_types: Vec<String>,
}

#[derive(Serialize)]
struct SettingsChange<'a> {
    allowed_file_types: &'a [String],
    max_upload_size_mb: u64,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    types: Vec<Choice>,
    limit: String,
    ceiling: u64,
}

/// The form as it was sent, to show again after a refusal.
struct Submitted {
    types: Vec<String>,
    limit: String,
}

pub async fn show_settings(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Query(query): Query<DoneQuery>,
) -> Response {
    show(&state, &signed, Feedback::shown(&query.done), None).await
}

/// Saves both settings at once; the checkboxes arrive as one `allowed_file_types` per type.
pub async fn save_settings(
    State(state): State<AppState>,
    Admin(signed): Admin,
    form: RawForm,
) -> Response {
    let posted = Posted::parse(form);
    let submitted = Submitted {
        types: posted.values("allowed_file_types"),
        limit: posted.value("max_upload_size_mb").to_owned(),
    };
    if submitted.types.is_empty() {
        let feedback = Feedback::invalid("Choose at least one file type.");
        return show(&state, &signed, feedback, Some(submitted)).await;
    }
    let Ok(limit) = submitted.limit.parse::<u64>() else {
        let feedback = Feedback::invalid("The upload limit must be a whole number of megabytes.");
        return show(&state, &signed, feedback, Some(submitted)).await;
    };

    let change = SettingsChange {
        allowed_file_types: &submitted.types,
        max_upload_size_mb: limit,
    };
    let api = signed.session.api(&state);
    let saved = api.call(Method::PATCH, SETTINGS_PATH, Some(&change)).await;

    match outcome(saved, "The settings were not saved.") {
        Outcome::Done(()) => done("/admin/settings", "settings_saved"),
        Outcome::Refused(feedback) => show(&state, &signed, feedback, Some(submitted)).await,
        Outcome::Failed(response) => response,
    }
}

async fn show(
    state: &AppState,
    signed: &Signed,
    feedback: Feedback,
    submitted: Option<Submitted>,
) -> Response {
    let api = signed.session.api(state);
    let settings = match api.get::<Settings>(SETTINGS_PATH).await {
        Ok(settings) => settings,
        Err(error) => return backend_failure(error),
    };

    let submitted = submitted.unwrap_or_else(|| Submitted {
        types: settings.allowed_file_types.clone(),
        limit: settings.max_upload_size_mb.to_string(),
    });
    let types = settings
        .supported_file_types
        .iter()
        .map(|kind| {
            let checked = submitted.types.contains(kind);
            Choice::new(kind.clone(), type_label(kind), checked)
        })
        .collect();
    let page = SettingsPage {
        nav: signed.nav("admin"),
        section: "settings",
        flash: feedback.flash,
        messages: feedback.messages,
        types,
        limit: submitted.limit,
        ceiling: settings.max_upload_size_ceiling_mb,
    };
    render(feedback.status, &page)
}

/// "Word document (.docx)": what the file is, then the extension people see.
fn type_label(extension: &str) -> String {
    let kind = match extension {
        "pdf" => "PDF",
        "docx" => "Word document",
        "rtf" => "Rich text",
        "txt" => "Plain text",
        "png" | "jpg" | "jpeg" | "tiff" | "tif" | "gif" => "Scanned image",
        _ => "File",
    };
    format!("{kind} (.{extension})")
}
