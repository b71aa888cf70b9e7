//! Every route of the API, in one place.
//!
//! Paths and methods come from each handler's `#[utoipa::path]`, so this list, the router and
//! the OpenAPI document cannot disagree.

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::DefaultBodyLimit;

use crate::handlers::{
    analysis, audit_log, auth, capabilities, credentials, dashboard, documents, events, grants,
    groups, health, playbook, project_documents, projects, reviews, search, settings, users, walls,
};
use crate::state::AppState;

/// `upload_limit_bytes` bounds a whole upload request (the per-file limit is enforced while
/// streaming).
pub fn api_routes(upload_limit_bytes: usize) -> OpenApiRouter<AppState> {
    let (schemas, paths, upload) = routes!(documents::create_documents, documents::list_documents);
    let upload = (
        schemas,
        paths,
        upload.layer(DefaultBodyLimit::max(upload_limit_bytes)),
    );

    OpenApiRouter::new()
        // Operations
        .routes(routes!(health::get_health))
        .routes(routes!(health::get_ready))
        // Authentication and the caller's account
        .routes(routes!(auth::create_login))
        .routes(routes!(auth::create_token))
        .routes(routes!(auth::create_refresh))
        .routes(routes!(auth::create_logout))
        .routes(routes!(auth::get_me))
        .routes(routes!(auth::create_password_change))
        // Projects and their grants
        .routes(routes!(projects::list_projects, projects::create_project))
        .routes(routes!(
            projects::get_project,
            projects::update_project,
            projects::delete_project
        ))
        .routes(routes!(grants::list_grants, grants::create_grant))
        .routes(routes!(grants::delete_grant))
        .routes(routes!(events::get_project_events))
        // Documents
        .routes(upload)
        .routes(routes!(project_documents::list_project_documents))
        .routes(routes!(documents::get_document, documents::delete_document))
        .routes(routes!(documents::get_document_file))
        .routes(routes!(documents::get_document_text))
        .routes(routes!(documents::create_reprocess))
        .routes(routes!(events::get_document_events))
        .routes(routes!(documents::list_activity))
        .routes(routes!(dashboard::get_dashboard))
        // Analysis: the report, its parts, and reviewers' decisions
        .routes(routes!(analysis::get_report))
        .routes(routes!(analysis::list_clauses))
        .routes(routes!(analysis::list_findings))
        .routes(routes!(analysis::list_obligations))
        .routes(routes!(search::search))
        .routes(routes!(reviews::update_finding_review))
        .routes(routes!(reviews::update_field_review))
        .routes(routes!(playbook::list_playbook))
        // Administration
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::update_user))
        .routes(routes!(users::create_password_reset))
        .routes(routes!(groups::list_groups, groups::create_group))
        .routes(routes!(groups::get_group, groups::delete_group))
        .routes(routes!(groups::create_member))
        .routes(routes!(groups::delete_member))
        .routes(routes!(walls::list_walls, walls::create_wall))
        .routes(routes!(walls::delete_wall))
        .routes(routes!(
            credentials::list_credentials,
            credentials::create_credential
        ))
        .routes(routes!(credentials::delete_credential))
        .routes(routes!(settings::get_settings, settings::update_settings))
        .routes(routes!(audit_log::list_audit_entries))
        .routes(routes!(capabilities::list_capabilities))
        .routes(routes!(capabilities::update_capability))
        .routes(routes!(playbook::create_entry))
        .routes(routes!(playbook::update_entry, playbook::delete_entry))
}
