//! Request handlers, one module per resource, named verb-noun. Request and response types sit
//! beside their handler; `crate::routes` lists every route.

pub mod analysis;
pub mod audit_log;
pub mod auth;
pub mod capabilities;
pub mod credentials;
pub mod dashboard;
pub mod documents;
pub mod events;
pub mod grants;
pub mod groups;
pub mod health;
pub mod playbook;
pub mod project_documents;
pub mod projects;
pub mod reviews;
pub mod search;
pub mod settings;
pub mod users;
pub mod walls;

use std::collections::BTreeMap;

use lucidity_db::audit;
use lucidity_db::documents::STATUSES;
use serde_json::Value;

use crate::error::ApiError;
use crate::extract::RequestId;
use crate::principal::Principal;
use crate::state::AppState;

/// Appends an audit entry for a change made by `actor`.
pub(crate) async fn record_change(
    state: &AppState,
    actor: &Principal,
    request_id: &RequestId,
    action: &str,
    target: (&str, String),
    detail: Value,
) -> Result<(), ApiError> {
    let entry = audit::Entry {
        actor: Some(actor.user_id),
        action,
        target_type: Some(target.0),
        target_id: Some(target.1),
        project_id: None,
        client_addr: None,
        request_id: request_id.0.clone(),
        detail,
    };
    audit::insert_entry(&state.db, &entry).await?;
    Ok(())
}

/// Document counts per status with every status named (0 when none), so clients need not know
/// the list.
pub(crate) fn every_status(counts: Vec<(String, i64)>) -> BTreeMap<String, i64> {
    let mut all: BTreeMap<String, i64> = STATUSES.iter().map(|s| (s.to_string(), 0)).collect();
    all.extend(counts);
    all
}
