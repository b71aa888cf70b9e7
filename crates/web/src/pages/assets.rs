//! The stylesheet, compiled into the binary so that the process serves everything it needs
//! and the pages load nothing from another site.

use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};

const STYLESHEET: &str = include_str!("../../static/app.css");

/// Five minutes: short enough that a deployment's new styles reach browsers quickly.
const STYLESHEET_CACHE_CONTROL: &str = "public, max-age=300";

pub async fn serve_stylesheet() -> Response {
    let headers = [
        (CONTENT_TYPE, "text/css; charset=utf-8"),
        (CACHE_CONTROL, STYLESHEET_CACHE_CONTROL),
    ];
    (headers, STYLESHEET).into_response()
}
