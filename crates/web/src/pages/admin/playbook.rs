//! The playbook editor (`/admin/playbook`): the entries in order with a confirmed delete, a page
//! that adds one (`/admin/playbook/new`) and a page per entry (`/admin/playbook/{id}`).
//!
//! The API validates an entry as a whole (kind, category, document types, rule, score bands);
//! this page turns the form into the API's shape, building the rule from a check and its number
//! or list, and shows the API's reasons when it refuses. Entry ids are strings (`seed:...`,
//! `entry:...`) and are percent-encoded into every path.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::Response;
use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, Choice, DoneQuery, Feedback, Outcome, Posted, done, lines, outcome};
use crate::backend::segment;
use crate::pages::{Nav, Signed, backend_failure, error_page, not_found, render, view};
use crate::state::AppState;

/// The playbook as every signed-in user reads it; the administrative calls are below it.
const PLAYBOOK_PATH: &str = "/api/v1/playbook";
const ENTRIES_PATH: &str = "/api/v1/admin/playbook/entries";

/// The kinds of entry, with what each one holds.
const KINDS: [(&str, &str); 5] = [
    (
        "terminology",
        "Terminology: a defined term and how to use it",
    ),
    ("position", "Position: where the firm stands on a clause"),
    (
        "preferred_language",
        "Preferred language: the wording the firm prefers",
    ),
    (
        "risk_threshold",
        "Risk threshold: the scores that make a document medium or high risk",
    ),
    (
        "regulatory",
        "Regulatory requirement: what the law requires of a clause",
    ),
];

const SEVERITIES: [(&str, &str); 3] = [("low", "Low"), ("medium", "Medium"), ("high", "High")];

/// The checks the engine can run for a position or a regulatory requirement; the empty one
/// means the entry carries no rule.
const CHECKS: [(&str, &str); 9] = [
    ("", "No automatic check"),
    ("required", "The clause must be present"),
    ("prohibited", "The clause must not be present"),
    (
        "cap_at_most_months",
        "The liability cap is at most a number of months of fees",
    ),
    (
        "renewal_notice_at_least_days",
        "Renewal needs at least a number of days' notice",
    ),
    (
        "duration_at_most_months",
        "The restriction lasts at most a number of months",
    ),
    (
        "law_in",
        "The governing law is one of the listed jurisdictions",
    ),
    ("mutual", "The clause binds both parties alike"),
    (
        "required_when_mentioned",
        "Required when the text mentions any listed word",
    ),
];

/// The document types of the classifier's taxonomy, whose ids are stable once released. An
/// entry naming a type missing here keeps it: the editor lists every type the entry has.
const DOC_TYPES: [(&str, &str); 16] = [
    ("nda", "Non-disclosure agreement"),
    ("master_services", "Master services agreement"),
    ("statement_of_work", "Statement of work"),
    ("software_license", "Software / SaaS licence"),
    ("employment", "Employment agreement"),
    ("severance", "Severance agreement"),
    ("credit", "Credit / loan agreement"),
    ("lease", "Lease"),
    ("construction", "Construction contract"),
    ("purchase_supply", "Purchase / supply agreement"),
    ("distribution", "Distribution / reseller agreement"),
    ("strategic_alliance", "Strategic alliance / joint venture"),
    ("consulting", "Consulting agreement"),
    ("benefit_plan", "Benefit or retirement plan"),
    ("amendment", "Amendment"),
    ("other", "Other agreement"),
];

/// What a check needs besides its name, and the rule field that carries it.
enum Parameter {
    Nothing,
    Number(&'static str),
    List(&'static str),
}

/// The parameter of a known check; `None` for a check the engine does not know.
fn parameter(check: &str) -> Option<Parameter> {
    let parameter = match check {
        "required" | "prohibited" | "mutual" => Parameter::Nothing,
        "cap_at_most_months" | "duration_at_most_months" => Parameter::Number("months"),
        "renewal_notice_at_least_days" => Parameter::Number("days"),
        "law_in" => Parameter::List("jurisdictions"),
        "required_when_mentioned" => Parameter::List("mentions"),
        _ => return None,
    };
    Some(parameter)
}

#[derive(Deserialize)]
struct Playbook {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    id: String,
    kind: String,
    title: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    doc_types: Vec<String>,
    severity: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    alternatives: Vec<String>,
    #[serde(default)]
    rule: Option<Value>,
    medium_from: Option<u8>,
    high_from: Option<u8>,
    enabled: bool,
    /// Part of the default playbook rather than added by an administrator.
    #[serde(default)]
    seeded: bool,
}

#[derive(Template)]
#[template(path = "admin/playbook.html")]
struct PlaybookPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    entries: Vec<EntryRow>,
}

struct EntryRow {
    /// The entry's page and its delete action; `None` for an id no path can carry.
    href: Option<String>,
    delete_action: Option<String>,
    title: String,
    kind: String,
    category: String,
    severity: String,
    severity_class: &'static str,
    enabled: bool,
    seeded: bool,
}

fn entry_row(entry: &Entry) -> EntryRow {
    let encoded = segment(&entry.id);
    EntryRow {
        href: encoded.as_ref().map(|id| format!("/admin/playbook/{id}")),
        delete_action: encoded.map(|id| format!("/admin/playbook/{id}/delete")),
        title: entry.title.clone(),
        kind: view::humanise(&entry.kind),
        category: entry
            .category
            .as_deref()
            .map(view::humanise)
            .unwrap_or_default(),
        severity: view::risk_label(Some(&entry.severity)).to_owned(),
        severity_class: view::risk_class(Some(&entry.severity)),
        enabled: entry.enabled,
        seeded: entry.seeded,
    }
}

pub async fn list_entries(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Query(query): Query<DoneQuery>,
) -> Response {
    show_list(&state, &signed, Feedback::shown(&query.done)).await
}

/// Deletes an entry; the page asks first. A deleted default entry is not seeded again.
pub async fn delete_entry(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = segment(&id) else {
        return not_found().await;
    };
    let path = format!("{ENTRIES_PATH}/{id}");
    let api = signed.session.api(&state);
    let deleted = api.call::<()>(Method::DELETE, &path, None).await;

    match outcome(deleted, "The entry could not be deleted.") {
        Outcome::Done(()) => done("/admin/playbook", "entry_deleted"),
        Outcome::Refused(feedback) => show_list(&state, &signed, feedback).await,
        Outcome::Failed(response) => response,
    }
}

async fn show_list(state: &AppState, signed: &Signed, feedback: Feedback) -> Response {
    let api = signed.session.api(state);
    let playbook = match api.get::<Playbook>(PLAYBOOK_PATH).await {
        Ok(playbook) => playbook,
        Err(error) => return backend_failure(error),
    };

    let page = PlaybookPage {
        nav: signed.nav("admin"),
        section: "playbook",
        flash: feedback.flash,
        messages: feedback.messages,
        entries: playbook.entries.iter().map(entry_row).collect(),
    };
    render(feedback.status, &page)
}

#[derive(Template)]
#[template(path = "admin/playbook_entry.html")]
struct EntryPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    /// The stored title of the entry being edited; `None` on the page that adds one.
    editing: Option<String>,
    seeded: bool,
    action: String,
    delete_action: Option<String>,
    form: EntryForm,
    kinds: Vec<Choice>,
    severities: Vec<Choice>,
    checks: Vec<Choice>,
    doc_types: Vec<Choice>,
    /// The categories other entries use, offered as suggestions.
    categories: Vec<String>,
}

/// The editor's fields as typed, so a refused form shows again exactly as it was sent.
#[derive(Default)]
struct EntryForm {
    kind: String,
    title: String,
    text: String,
    category: String,
    doc_types: Vec<String>,
    severity: String,
    /// One alternative per line.
    alternatives: String,
    check: String,
    rule_number: String,
    /// One jurisdiction or word per line.
    rule_list: String,
    medium_from: String,
    high_from: String,
    enabled: bool,
}

impl EntryForm {
    /// A new entry: an enabled position of medium severity until the administrator says
    /// otherwise.
    fn blank() -> Self {
        Self {
            kind: "position".to_owned(),
            severity: "medium".to_owned(),
            enabled: true,
            ..Self::default()
        }
    }

    fn from_entry(entry: &Entry) -> Self {
        let rule = entry.rule.as_ref();
        let field = |name: &str| rule.and_then(|rule| rule.get(name));
        let number = field("months").or_else(|| field("days"));
        let list = field("jurisdictions").or_else(|| field("mentions"));
        Self {
            kind: entry.kind.clone(),
            title: entry.title.clone(),
            text: entry.text.clone(),
            category: entry.category.clone().unwrap_or_default(),
            doc_types: entry.doc_types.clone(),
            severity: entry.severity.clone(),
            alternatives: entry.alternatives.join("\n"),
            check: field("check")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            rule_number: number.map(Value::to_string).unwrap_or_default(),
            rule_list: list.map(text_lines).unwrap_or_default(),
            medium_from: entry.medium_from.map(|n| n.to_string()).unwrap_or_default(),
            high_from: entry.high_from.map(|n| n.to_string()).unwrap_or_default(),
            enabled: entry.enabled,
        }
    }

    fn from_posted(posted: &Posted) -> Self {
        let text = |name: &str| posted.value(name).to_owned();
        Self {
            kind: text("kind"),
            title: text("title"),
            text: text("text"),
            category: text("category"),
            doc_types: posted.values("doc_types"),
            severity: text("severity"),
            alternatives: text("alternatives"),
            check: text("check"),
            rule_number: text("rule_number"),
            rule_list: text("rule_list"),
            medium_from: text("medium_from"),
            high_from: text("high_from"),
            enabled: posted.has("enabled"),
        }
    }

    /// The entry as the API reads it, or the reason the form cannot become one.
    fn body(&self) -> Result<Value, &'static str> {
        let category = match self.category.as_str() {
            "" => Value::Null,
            category => Value::String(category.to_owned()),
        };
        Ok(json!({
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "category": category,
            "doc_types": self.doc_types,
            "severity": self.severity,
            "alternatives": lines(&self.alternatives),
            "rule": self.rule()?,
            "medium_from": band(&self.medium_from)?,
            "high_from": band(&self.high_from)?,
            "enabled": self.enabled,
        }))
    }

    /// The rule from the check and its parameter; only the parameter the check uses is read.
    fn rule(&self) -> Result<Value, &'static str> {
        let check = self.check.as_str();
        if check.is_empty() {
            return Ok(Value::Null);
        }
        match parameter(check).ok_or("Choose an automatic check from the list.")? {
            Parameter::Nothing => Ok(json!({ "check": check })),
            Parameter::Number(name) => {
                let number: u32 = self
                    .rule_number
                    .parse()
                    .map_err(|_| "This check needs a whole number of months or days.")?;
                Ok(json!({ "check": check, name: number }))
            }
            Parameter::List(name) => {
                let items = lines(&self.rule_list);
                if items.is_empty() {
                    return Err("This check needs its jurisdictions or words, one per line.");
                }
                Ok(json!({ "check": check, name: items }))
            }
        }
    }
}

/// A score band as typed: empty for none, otherwise a whole number the API range-checks.
fn band(text: &str) -> Result<Value, &'static str> {
    if text.is_empty() {
        return Ok(Value::Null);
    }
    let score: i64 = text
        .parse()
        .map_err(|_| "Score bands must be whole numbers from 0 to 100.")?;
    Ok(json!(score))
}

/// A rule's list as the text area shows it: one item per line.
fn text_lines(list: &Value) -> String {
    let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
    let items: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    items.join("\n")
}

pub async fn new_entry(State(state): State<AppState>, Admin(signed): Admin) -> Response {
    show_editor(&state, &signed, None, None, Feedback::shown("")).await
}

pub async fn create_entry(
    State(state): State<AppState>,
    Admin(signed): Admin,
    form: RawForm,
) -> Response {
    let form = EntryForm::from_posted(&Posted::parse(form));
    let body = match form.body() {
        Ok(body) => body,
        Err(reason) => {
            let feedback = Feedback::invalid(reason);
            return show_editor(&state, &signed, None, Some(form), feedback).await;
        }
    };
    let api = signed.session.api(&state);
    let created = api.call(Method::POST, ENTRIES_PATH, Some(&body)).await;

    match outcome(created, "The entry could not be added.") {
        Outcome::Done(()) => done("/admin/playbook", "entry_created"),
        Outcome::Refused(feedback) => {
            show_editor(&state, &signed, None, Some(form), feedback).await
        }
        Outcome::Failed(response) => response,
    }
}

pub async fn edit_entry(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let feedback = Feedback::shown(&query.done);
    show_editor(&state, &signed, Some(&id), None, feedback).await
}

/// Replaces the entry's content with the form's: the API reads an entry whole, not a patch.
pub async fn save_entry(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<String>,
    form: RawForm,
) -> Response {
    let Some(encoded) = segment(&id) else {
        return not_found().await;
    };
    let form = EntryForm::from_posted(&Posted::parse(form));
    let body = match form.body() {
        Ok(body) => body,
        Err(reason) => {
            let feedback = Feedback::invalid(reason);
            return show_editor(&state, &signed, Some(&id), Some(form), feedback).await;
        }
    };
    let path = format!("{ENTRIES_PATH}/{encoded}");
    let api = signed.session.api(&state);
    let saved = api.call(Method::PUT, &path, Some(&body)).await;

    match outcome(saved, "The entry was not saved.") {
        Outcome::Done(()) => done("/admin/playbook", "entry_saved"),
        Outcome::Refused(feedback) => {
            show_editor(&state, &signed, Some(&id), Some(form), feedback).await
        }
        Outcome::Failed(response) => response,
    }
}

/// The editor for the entry `id`, or for a new one. The API has no single-entry read, so the
/// playbook is read and searched; it also supplies the category suggestions.
async fn show_editor(
    state: &AppState,
    signed: &Signed,
    id: Option<&str>,
    form: Option<EntryForm>,
    feedback: Feedback,
) -> Response {
    let api = signed.session.api(state);
    let playbook = match api.get::<Playbook>(PLAYBOOK_PATH).await {
        Ok(playbook) => playbook,
        Err(error) => return backend_failure(error),
    };
    let entry = match id {
        Some(id) => match playbook.entries.iter().find(|entry| entry.id == id) {
            Some(entry) => Some(entry),
            None => return error_page(StatusCode::NOT_FOUND, "There is no such playbook entry."),
        },
        None => None,
    };
    let (action, delete_action) = match id.map(segment) {
        Some(Some(encoded)) => (
            format!("/admin/playbook/{encoded}"),
            Some(format!("/admin/playbook/{encoded}/delete")),
        ),
        Some(None) => return not_found().await,
        None => ("/admin/playbook".to_owned(), None),
    };

    let form = form.unwrap_or_else(|| entry.map_or_else(EntryForm::blank, EntryForm::from_entry));
    let page = EntryPage {
        nav: signed.nav("admin"),
        section: "playbook",
        flash: feedback.flash,
        messages: feedback.messages,
        editing: entry.map(|entry| entry.title.clone()),
        seeded: entry.is_some_and(|entry| entry.seeded),
        action,
        delete_action,
        kinds: choices(&KINDS, &form.kind),
        severities: choices(&SEVERITIES, &form.severity),
        checks: choices(&CHECKS, &form.check),
        doc_types: doc_type_choices(&form.doc_types),
        categories: categories(&playbook.entries),
        form,
    };
    render(feedback.status, &page)
}

/// A select's options with `current` chosen; a value the list lacks is kept as its own option,
/// so saving never changes it by accident.
fn choices(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = options
        .iter()
        .map(|(value, label)| Choice::new(*value, *label, *value == current))
        .collect();
    if !options.iter().any(|(value, _)| *value == current) {
        choices.push(Choice::new(current, view::humanise(current), true));
    }
    choices
}

/// Every known document type, then any other the entry names, each checked if it applies.
fn doc_type_choices(checked: &[String]) -> Vec<Choice> {
    let known = DOC_TYPES
        .iter()
        .map(|(id, label)| Choice::new(*id, *label, checked.iter().any(|c| c == id)));
    let unknown = checked
        .iter()
        .filter(|id| !DOC_TYPES.iter().any(|(known, _)| known == id))
        .map(|id| Choice::new(id.clone(), view::humanise(id), true));
    known.chain(unknown).collect()
}

/// The categories the playbook's entries use, sorted, each once.
fn categories(entries: &[Entry]) -> Vec<String> {
    let mut categories: Vec<String> = entries
        .iter()
        .filter_map(|entry| entry.category.clone())
        .collect();
    categories.sort();
    categories.dedup();
    categories
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(check: &str, number: &str, list: &str) -> EntryForm {
        EntryForm {
            check: check.to_owned(),
            rule_number: number.to_owned(),
            rule_list: list.to_owned(),
            ..EntryForm::blank()
        }
    }

    #[test]
    fn a_rule_carries_only_the_parameter_its_check_uses() {
        let cap = form("cap_at_most_months", "12", "ignored");
        assert_eq!(
            cap.rule(),
            Ok(json!({ "check": "cap_at_most_months", "months": 12 }))
        );

        let law = form("law_in", "7", "England and Wales\n\nScotland\n");
        let expected =
            json!({ "check": "law_in", "jurisdictions": ["England and Wales", "Scotland"] });
        assert_eq!(law.rule(), Ok(expected));

        assert_eq!(
            form("mutual", "", "").rule(),
            Ok(json!({ "check": "mutual" }))
        );
        assert_eq!(form("", "3", "x").rule(), Ok(Value::Null));
    }

    #[test]
    fn a_check_without_its_parameter_is_refused_before_the_api_is_asked() {
        assert!(
            form("renewal_notice_at_least_days", "soon", "")
                .rule()
                .is_err()
        );
        assert!(form("required_when_mentioned", "", " \n ").rule().is_err());
        assert!(form("no_such_check", "", "").rule().is_err());
    }

    #[test]
    fn a_stored_rule_fills_the_check_fields() {
        let entry = Entry {
            id: "seed:governing_law".to_owned(),
            kind: "position".to_owned(),
            title: "Governing law".to_owned(),
            category: Some("governing_law".to_owned()),
            doc_types: Vec::new(),
            severity: "high".to_owned(),
            text: String::new(),
            alternatives: Vec::new(),
            rule: Some(json!({ "check": "law_in", "jurisdictions": ["England", "Wales"] })),
            medium_from: None,
            high_from: None,
            enabled: true,
            seeded: true,
        };

        let form = EntryForm::from_entry(&entry);

        assert_eq!(form.check, "law_in");
        assert_eq!(form.rule_list, "England\nWales");
        assert_eq!(form.rule_number, "");
    }

    #[test]
    fn empty_score_bands_are_null_and_words_are_refused() {
        assert_eq!(band(""), Ok(Value::Null));
        assert_eq!(band("40"), Ok(json!(40)));
        assert!(band("forty").is_err());
    }
}
