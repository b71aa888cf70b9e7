//! The signed-in start page (`GET /app`): who you are and your projects.
//!
//! A placeholder for the full interface: it proves the session works end to end and gives a
//! way to sign out.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode};

use super::{LOGIN_PATH, PASSWORD_PATH, backend_failure, redirect, render};
use crate::backend::{CurrentUser, Project};
use crate::forwarding::Forwarding;
use crate::session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    user: &'a CurrentUser,
    projects: &'a [Project],
}

pub async fn show_dashboard(
    State(state): State<AppState>,
    Forwarding(forwarding): Forwarding,
    headers: HeaderMap,
) -> Response {
    let Some(access_token) = session::access_token(&headers) else {
        return redirect(LOGIN_PATH);
    };
    let user = match state
        .backend
        .current_user(access_token, forwarding.clone())
        .await
    {
        Ok(user) => user,
        Err(error) => return backend_failure(error),
    };
    if user.must_change_password {
        return redirect(PASSWORD_PATH);
    }

    let projects = match state.backend.projects(access_token, forwarding).await {
        Ok(projects) => projects,
        Err(error) => return backend_failure(error),
    };
    render(
        StatusCode::OK,
        &DashboardPage {
            user: &user,
            projects: &projects,
        },
    )
}
