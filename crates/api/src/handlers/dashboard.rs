//! The dashboard: totals over the documents of the projects the caller may see (or of one of
//! them), and the contract deadlines of the coming year.
//!
//! Deadlines are worked out from the stored key terms by [`crate::deadlines`], as reviewers
//! left them, counting from today's date in UTC.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::{Days, NaiveDate, Utc};
use lucidity_db::dashboard::{self as dashboard_db, EndTerms as StoredTerms};
use lucidity_db::documents;
use lucidity_db::ids::{DocumentId, ProjectId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::documents::{parse_query_project, visible_projects};
use crate::access::{self, Need, Target};
use crate::deadlines::{EndTerms, Kind};
use crate::error::{ApiResult, ErrorBody, ValidationBody};
use crate::extract::QueryParams;
use crate::principal::CurrentUser;
use crate::state::AppState;

/// How far ahead deadlines are looked for, in days.
const UPCOMING_DAYS: u64 = 365;

/// Deadlines listed at most, soonest first.
const MAX_UPCOMING: usize = 20;

#[derive(Debug, Deserialize, IntoParams)]
pub struct DashboardQuery {
    /// Only this project (404 when the caller may not see it); all visible ones by default.
    project_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardOut {
    /// Documents in the projects counted.
    pub total: i64,
    /// Documents per status, every status named (0 when none).
    pub by_status: BTreeMap<String, i64>,
    pub by_risk: RiskCounts,
    /// Findings no reviewer rejected, by severity (a reviewer's corrected severity counts).
    pub open_findings: SeverityCounts,
    /// Deadlines of the next 365 days, soonest first, at most 20.
    pub upcoming: Vec<UpcomingOut>,
    /// Obligations that say when (a deadline as written, or how often), newest analyses
    /// first, at most 20.
    pub obligations: Vec<ObligationOut>,
}

/// Documents per risk level.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct RiskCounts {
    pub low: i64,
    pub medium: i64,
    pub high: i64,
    /// Not scored: not analysed yet, failed, or not a contract.
    pub none: i64,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SeverityCounts {
    pub low: i64,
    pub medium: i64,
    pub high: i64,
}

/// One deadline of one contract.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpcomingOut {
    pub document_id: DocumentId,
    pub project_id: ProjectId,
    pub filename: String,
    pub kind: Kind,
    /// The day it falls due (YYYY-MM-DD).
    pub date: NaiveDate,
    /// A short sentence: "Notice to avoid auto-renewal is due".
    pub label: String,
}

/// How many timed obligations the dashboard lists.
const MAX_OBLIGATIONS: i64 = 20;

/// An obligation with its deadline as written or its recurrence.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObligationOut {
    pub document_id: DocumentId,
    pub project_id: ProjectId,
    pub filename: String,
    pub party: String,
    pub action: String,
    pub due: Option<String>,
    pub recurrence: Option<String>,
    pub page: Option<i32>,
}

impl From<dashboard_db::TimedObligation> for ObligationOut {
    fn from(o: dashboard_db::TimedObligation) -> Self {
        Self {
            document_id: o.document_id,
            project_id: o.project_id,
            filename: o.filename,
            party: o.party,
            action: o.action,
            due: o.due,
            recurrence: o.recurrence,
            page: o.page,
        }
    }
}

/// Document totals, open findings and upcoming contract deadlines over the projects the
/// caller may see, or one of them.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "documents", security(("bearer" = [])),
    params(DashboardQuery),
    responses((status = 200, body = DashboardOut), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationBody)))]
pub async fn get_dashboard(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    QueryParams(query): QueryParams<DashboardQuery>,
) -> ApiResult<Json<DashboardOut>> {
    let chosen = query.project_id.filter(|raw| !raw.trim().is_empty());
    let projects = match chosen {
        Some(raw) => {
            let project = parse_query_project(raw.trim())?;
            access::authorize(&state, &principal, Target::Project(project), Need::View).await?;
            vec![project]
        }
        None => visible_projects(&state, &principal).await?,
    };

    let mut tx = lucidity_db::begin_snapshot(&state.db).await?;
    let statuses = documents::count_statuses(&mut *tx, &projects).await?;
    let risks = dashboard_db::count_risk_levels(&mut *tx, &projects).await?;
    let findings = dashboard_db::count_open_findings(&mut *tx, &projects).await?;
    let terms = dashboard_db::list_end_terms(&mut *tx, &projects).await?;
    let timed = dashboard_db::list_timed_obligations(&mut *tx, &projects, MAX_OBLIGATIONS).await?;
    tx.commit().await?;

    let by_status = super::every_status(statuses);
    Ok(Json(DashboardOut {
        total: by_status.values().sum(),
        by_status,
        by_risk: risk_counts(risks),
        open_findings: severity_counts(findings),
        upcoming: upcoming(terms, Utc::now().date_naive()),
        obligations: timed.into_iter().map(ObligationOut::from).collect(),
    }))
}

fn risk_counts(rows: Vec<(Option<String>, i64)>) -> RiskCounts {
    let mut counts = RiskCounts::default();
    for (level, n) in rows {
        match level.as_deref() {
            Some("low") => counts.low += n,
            Some("medium") => counts.medium += n,
            Some("high") => counts.high += n,
            _ => counts.none += n,
        }
    }
    counts
}

fn severity_counts(rows: Vec<(String, i64)>) -> SeverityCounts {
    let mut counts = SeverityCounts::default();
    for (severity, n) in rows {
        match severity.as_str() {
            "low" => counts.low += n,
            "medium" => counts.medium += n,
            "high" => counts.high += n,
            _ => {}
        }
    }
    counts
}

/// The deadlines from `today` to [`UPCOMING_DAYS`] ahead, soonest first.
fn upcoming(stored: Vec<StoredTerms>, today: NaiveDate) -> Vec<UpcomingOut> {
    let until = today
        .checked_add_days(Days::new(UPCOMING_DAYS))
        .unwrap_or(NaiveDate::MAX);
    let mut found: Vec<UpcomingOut> = stored
        .into_iter()
        .flat_map(|row| {
            let terms = EndTerms::from_values(
                row.expiration.as_ref(),
                row.renewal.as_ref(),
                row.notice.as_ref(),
            );
            terms
                .deadlines(today, until)
                .into_iter()
                .map(move |deadline| UpcomingOut {
                    document_id: row.document_id,
                    project_id: row.project_id,
                    filename: row.filename.clone(),
                    kind: deadline.kind,
                    date: deadline.date,
                    label: deadline.label.to_string(),
                })
        })
        .collect();
    found.sort_by(|a, b| {
        (a.date, a.kind, &a.filename, a.document_id).cmp(&(
            b.date,
            b.kind,
            &b.filename,
            b.document_id,
        ))
    });
    found.truncate(MAX_UPCOMING);
    found
}
