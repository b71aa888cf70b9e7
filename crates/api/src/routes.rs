//! Every route of the API, in one place.
//!
//! Paths and methods come from each handler's `#[utoipa::path]`, so this list, the router and
//! the OpenAPI document cannot disagree.

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::handlers::{
    audit_log, auth, credentials, grants, groups, health, projects, settings, users, walls,
};
use crate::state::AppState;

pub fn api_routes() -> OpenApiRouter<AppState> {
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
}
