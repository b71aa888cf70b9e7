//! The signed-in start page (`GET /app`): who you are and your projects.
//!
//! A placeholder for the full interface: it proves the session works end to end and gives a
//! way to sign out.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode};

use super::{
    HOME_PATH, LOGIN_PATH, PASSWORD_PATH, backend_failure, redirect, render, with_cookies,
};
use crate::backend::{BackendError, CurrentUser, Project};
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
        return renew(&state, &headers, forwarding).await;
    };
    let user = match state
        .backend
        .current_user(access_token, forwarding.clone())
        .await
    {
        Ok(user) => user,
        Err(BackendError::Refused(refusal)) if refusal.status == StatusCode::UNAUTHORIZED => {
            return renew(&state, &headers, forwarding).await;
        }
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

/// The access token is gone or expired: exchange the refresh cookie for new tokens and come
/// back, or send the browser to sign in (forgetting both cookies) when that fails too.
async fn renew(state: &AppState, headers: &HeaderMap, forwarding: HeaderMap) -> Response {
    let Some(refresh_token) = session::refresh_token(headers) else {
        return redirect(LOGIN_PATH);
    };
    let renewed = state.backend.refresh(refresh_token, forwarding).await;
    let cookies = renewed
        .ok()
        .and_then(|tokens| session::start(&tokens, state.secure_cookies));
    match cookies {
        Some(cookies) => with_cookies(redirect(HOME_PATH), cookies),
        None => with_cookies(redirect(LOGIN_PATH), session::end(state.secure_cookies)),
    }
}
