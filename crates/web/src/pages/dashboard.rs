//! The start page (`GET /app`): the documents by status and by risk, open findings, upcoming
//! deadlines and recent activity across every project the user may see.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::Deserialize;

use super::view::{self, BarChart};
use super::{Nav, Signed, backend_failure, render};
use crate::state::AppState;

/// How many activity entries and timed obligations the page lists.
const ACTIVITY_SHOWN: usize = 10;
const OBLIGATIONS_SHOWN: usize = 8;

#[derive(Deserialize)]
struct Summary {
    total: i64,
    by_status: BTreeMap<String, i64>,
    by_risk: BTreeMap<String, i64>,
    open_findings: BTreeMap<String, i64>,
    upcoming: Vec<Deadline>,
    #[serde(default)]
    obligations: Vec<TimedObligation>,
}

#[derive(Deserialize)]
struct TimedObligation {
    document_id: String,
    filename: String,
    party: String,
    action: String,
    due: Option<String>,
    recurrence: Option<String>,
}

#[derive(Deserialize)]
struct Deadline {
    document_id: String,
    filename: String,
    kind: String,
    date: String,
    label: String,
}

#[derive(Deserialize)]
struct Activity {
    occurred_at: DateTime<Utc>,
    action: String,
    document_id: Option<String>,
    #[serde(default)]
    detail: serde_json::Value,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Nav,
    greeting: String,
    total: i64,
    in_progress: i64,
    failed: i64,
    high_risk: i64,
    open_findings: i64,
    status_chart: BarChart,
    risk_chart: BarChart,
    findings_chart: BarChart,
    deadlines: Vec<DeadlineRow>,
    obligations: Vec<ObligationRow>,
    activity: Vec<ActivityRow>,
}

struct ObligationRow {
    document_id: String,
    filename: String,
    who_what: String,
    when: String,
}

struct DeadlineRow {
    document_id: String,
    filename: String,
    kind: String,
    date: String,
    label: String,
}

struct ActivityRow {
    when: String,
    what: String,
    filename: String,
    document_id: Option<String>,
}

pub async fn show_dashboard(State(state): State<AppState>, signed: Signed) -> Response {
    let api = signed.session.api(&state);
    let (summary, activity) = tokio::join!(
        api.get::<Summary>("/api/v1/dashboard"),
        api.get::<Vec<Activity>>("/api/v1/activity"),
    );
    let summary = match summary {
        Ok(summary) => summary,
        Err(error) => return backend_failure(error),
    };
    let activity = match activity {
        Ok(activity) => activity,
        Err(error) => return backend_failure(error),
    };

    let page = DashboardPage {
        nav: signed.nav("dashboard"),
        greeting: greeting(&signed),
        total: summary.total,
        in_progress: in_progress(&summary.by_status),
        failed: count(&summary.by_status, "failed"),
        high_risk: count(&summary.by_risk, "high"),
        open_findings: summary.open_findings.values().sum(),
        status_chart: status_chart(&summary.by_status),
        risk_chart: risk_chart(&summary.by_risk),
        findings_chart: findings_chart(&summary.open_findings),
        deadlines: summary.upcoming.into_iter().map(deadline_row).collect(),
        obligations: summary
            .obligations
            .into_iter()
            .take(OBLIGATIONS_SHOWN)
            .map(obligation_row)
            .collect(),
        activity: activity
            .into_iter()
            .take(ACTIVITY_SHOWN)
            .map(activity_row)
            .collect(),
    };
    render(StatusCode::OK, &page)
}

fn greeting(signed: &Signed) -> String {
    match signed.user.display_name.as_deref() {
        Some(name) if !name.is_empty() => format!("Welcome back, {name}"),
        _ => "Welcome back".to_owned(),
    }
}

fn count(counts: &BTreeMap<String, i64>, key: &str) -> i64 {
    counts.get(key).copied().unwrap_or(0)
}

fn in_progress(by_status: &BTreeMap<String, i64>) -> i64 {
    by_status
        .iter()
        .filter(|(status, _)| !matches!(status.as_str(), "complete" | "failed"))
        .map(|(_, count)| count)
        .sum()
}

fn status_chart(by_status: &BTreeMap<String, i64>) -> BarChart {
    let queued = count(by_status, "queued");
    let rows = vec![
        ("Queued".to_owned(), queued, "bar-waiting"),
        (
            "In progress".to_owned(),
            in_progress(by_status) - queued,
            "bar-working",
        ),
        (
            "Complete".to_owned(),
            count(by_status, "complete"),
            "bar-done",
        ),
        (
            "Failed".to_owned(),
            count(by_status, "failed"),
            "bar-failed",
        ),
    ];
    BarChart::new("Documents by status", rows)
}

fn risk_chart(by_risk: &BTreeMap<String, i64>) -> BarChart {
    let rows = ["high", "medium", "low", "none"]
        .into_iter()
        .map(|level| {
            let known = Some(level).filter(|level| *level != "none");
            (
                view::risk_label(known).to_owned(),
                count(by_risk, level),
                view::risk_class(known),
            )
        })
        .collect();
    BarChart::new("Documents by risk", rows)
}

fn findings_chart(open: &BTreeMap<String, i64>) -> BarChart {
    let rows = ["high", "medium", "low"]
        .into_iter()
        .map(|severity| {
            (
                view::risk_label(Some(severity)).to_owned(),
                count(open, severity),
                view::risk_class(Some(severity)),
            )
        })
        .collect();
    BarChart::new("Open findings by severity", rows)
}

fn deadline_row(deadline: Deadline) -> DeadlineRow {
    DeadlineRow {
        document_id: deadline.document_id,
        filename: deadline.filename,
        kind: view::humanise(&deadline.kind),
        date: view::date(&deadline.date),
        label: deadline.label,
    }
}

fn obligation_row(obligation: TimedObligation) -> ObligationRow {
    let when = view::when(obligation.due, obligation.recurrence);
    ObligationRow {
        document_id: obligation.document_id,
        filename: obligation.filename,
        who_what: format!("{} must {}", obligation.party, obligation.action),
        when,
    }
}

fn activity_row(entry: Activity) -> ActivityRow {
    let filename = entry
        .detail
        .get("filename")
        .and_then(|name| name.as_str())
        .unwrap_or("A document")
        .to_owned();
    // A deleted document has no page to link to.
    let document_id = entry
        .document_id
        .filter(|_| entry.action != "document.deleted");
    ActivityRow {
        when: view::timestamp(&entry.occurred_at),
        what: action_label(&entry.action),
        filename,
        document_id,
    }
}

/// `document.completed` as something a person would say.
fn action_label(action: &str) -> String {
    match action {
        "document.uploaded" => "uploaded".into(),
        "document.completed" => "analysed".into(),
        "document.failed" => "could not be processed".into(),
        "document.deleted" => "deleted".into(),
        "document.reprocess" | "document.reprocessed" => "sent for reprocessing".into(),
        other => other.rsplit('.').next().unwrap_or(other).replace('_', " "),
    }
}
