//! Static files. Our own stylesheet and script are compiled into the binary; the front-end
//! packages the set-up command installs from npm (the Inter font) are served from
//! `LUCIDITY_WEB_ASSETS_DIR`. Nothing is loaded from another site.

use axum::Router;
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use tower_http::services::ServeDir;

use crate::state::AppState;

const STYLESHEET: &str = include_str!("../../static/app.css");
const SCRIPT: &str = include_str!("../../static/app.js");

/// Five minutes: short enough that a deployment's new styles and script reach browsers quickly.
const OWN_CACHE_CONTROL: &str = "public, max-age=300";
/// A day: the packages change only when the set-up command installs a new version.
const VENDOR_CACHE_CONTROL: &str = "public, max-age=86400";

pub fn routes(state: &AppState) -> Router<AppState> {
    if !state.assets_dir.is_dir() {
        let path = state.assets_dir.display().to_string();
        tracing::warn!(
            %path,
            "the front-end packages are missing (run scripts/install.sh); pages fall back to \
             system fonts"
        );
    }
    let vendor = Router::new()
        .nest_service("/static/vendor", ServeDir::new(state.assets_dir.as_path()))
        .layer(map_response(vendor_headers));

    Router::new()
        .route("/static/app.css", get(serve_stylesheet))
        .route("/static/app.js", get(serve_script))
        .merge(vendor)
}

pub async fn serve_stylesheet() -> Response {
    own(STYLESHEET, "text/css; charset=utf-8")
}

pub async fn serve_script() -> Response {
    own(SCRIPT, "text/javascript; charset=utf-8")
}

fn own(body: &'static str, content_type: &'static str) -> Response {
    let headers = [
        (CONTENT_TYPE, content_type),
        (CACHE_CONTROL, OWN_CACHE_CONTROL),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    (headers, body).into_response()
}

async fn vendor_headers(mut response: Response) -> Response {
    let cacheable = response.status().is_success();
    let headers = response.headers_mut();
    if cacheable {
        headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static(VENDOR_CACHE_CONTROL),
        );
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
