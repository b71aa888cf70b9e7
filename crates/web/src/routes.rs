//! Every route of the web process, in one place, with the layers around them.
//!
//! Pages get the security headers and the form-token check (see `csrf`); static files get
//! long-lived caching instead; `/api/` responses are the backend's own and pass untouched.
//! Every request, page or proxied, is logged.

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state, map_response};
use axum::routing::{any, get, post};
use lucidity_common::Config;
use tokio_util::sync::CancellationToken;

use crate::pages::{
    self, account, admin, assets, dashboard, documents, live, login, logout, projects, search,
};
use crate::state::AppState;
use crate::{csrf, proxy, request_log};

/// The whole application; `shutdown` ends proxied event streams when it fires.
pub fn app(config: &Config, shutdown: CancellationToken) -> anyhow::Result<Router> {
    let state = AppState::new(config, shutdown)?;

    let pages = Router::new()
        .route("/", get(login::show_login))
        .route("/login", post(login::submit_login))
        .route("/logout", post(logout::logout))
        .route(
            "/account/password",
            get(account::show_password_form).post(account::change_password),
        )
        .route("/app", get(dashboard::show_dashboard))
        .route(
            "/projects",
            get(projects::list_projects).post(projects::create_project),
        )
        .route("/projects/{id}", get(projects::show_project))
        .route("/projects/{id}/upload", post(live::upload_documents))
        .route("/live/projects/{id}", get(live::project_events))
        .route("/live/documents/{id}", get(live::document_events))
        .route("/documents/{id}", get(documents::show_document))
        .route(
            "/documents/{id}/download",
            get(documents::download_document),
        )
        .route(
            "/documents/{id}/reprocess",
            post(documents::reprocess_document),
        )
        .route(
            "/documents/{id}/delete",
            get(documents::confirm_delete).post(documents::delete_document),
        )
        .route(
            "/documents/{id}/findings/{key}/review",
            post(documents::review_finding),
        )
        .route(
            "/documents/{id}/fields/{key}/review",
            post(documents::review_field),
        )
        .route("/search", get(search::show_search))
        .merge(admin::routes())
        .fallback(pages::not_found)
        .layer(from_fn_with_state(state.clone(), csrf::protect))
        .layer(map_response(pages::security_headers));

    let api = Router::new()
        .route("/api/", any(proxy::forward_to_backend))
        .route("/api/{*path}", any(proxy::forward_to_backend));

    let app = assets::routes(&state)
        .merge(pages)
        .merge(api)
        .layer(from_fn(request_log::trace_request))
        .with_state(state);
    Ok(app)
}
