//! Every route of the web process, in one place, with the layers around them.
//!
//! Pages get the security headers and their form posts the origin check; `/api/` responses
//! are the backend's own and pass untouched. Every request, page or proxied, is logged.

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state, map_response};
use axum::routing::{any, get, post};
use lucidity_common::Config;
use tokio_util::sync::CancellationToken;

use crate::pages::{self, account, assets, dashboard, login, logout};
use crate::state::AppState;
use crate::{csrf, proxy, request_log};

/// The whole application; `shutdown` ends proxied event streams when it fires.
pub fn app(config: &Config, shutdown: CancellationToken) -> anyhow::Result<Router> {
    let state = AppState::new(config, shutdown)?;

    let forms = Router::new()
        .route("/login", post(login::submit_login))
        .route("/logout", post(logout::logout))
        .route(
            "/account/password",
            get(account::show_password_form).post(account::change_password),
        )
        .route_layer(from_fn_with_state(state.clone(), csrf::check_origin));

    let pages = Router::new()
        .route("/", get(login::show_login))
        .route("/app", get(dashboard::show_dashboard))
        .route("/static/app.css", get(assets::serve_stylesheet))
        .merge(forms)
        .fallback(pages::not_found)
        .layer(map_response(pages::security_headers));

    let api = Router::new()
        .route("/api/", any(proxy::forward_to_backend))
        .route("/api/{*path}", any(proxy::forward_to_backend));

    let app = pages
        .merge(api)
        .layer(from_fn(request_log::trace_request))
        .with_state(state);
    Ok(app)
}
