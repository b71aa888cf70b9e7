//! Administration (`/admin/...`), for administrators only: users, groups, project access,
//! ethical walls, system settings, the playbook and the AI capability mapping.
//!
//! The backend refuses every administrative call from anyone else; these pages also check the
//! role first, so a non-administrator sees a plain refusal rather than a broken page.

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use http::request::Parts;

use super::{Nav, Signed, error_page, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin", get(show_overview))
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct OverviewPage {
    nav: Nav,
}

/// A signed-in administrator; anyone else is refused with 403 before any call is made.
pub struct Admin(pub Signed);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let signed = Signed::from_request_parts(parts, state).await?;
        match signed.user.is_admin() {
            true => Ok(Self(signed)),
            false => Err(error_page(
                StatusCode::FORBIDDEN,
                "Only administrators can open this page.",
            )),
        }
    }
}

async fn show_overview(Admin(signed): Admin) -> Response {
    render(
        StatusCode::OK,
        &OverviewPage {
            nav: signed.nav("admin"),
        },
    )
}
