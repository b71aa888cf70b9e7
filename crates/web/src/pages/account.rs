//! Changing one's password (`GET` and `POST /account/password`).
//!
//! The confirmation is checked here, before the backend sees anything; the backend checks the
//! current password and the strength rules. On success the backend revokes every other session
//! and keeps this one, so the cookies stay as they are.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::{HOME_PATH, LOGIN_PATH, backend_failure, redirect, render};
use crate::backend::{BackendError, PasswordChange};
use crate::forwarding::Forwarding;
use crate::session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    messages: &'a [String],
}

/// The password form. No `Debug`: it holds passwords.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn show_password_form(headers: HeaderMap) -> Response {
    if session::access_token(&headers).is_none() {
        return redirect(LOGIN_PATH);
    }
    render(StatusCode::OK, &PasswordPage { messages: &[] })
}

pub async fn change_password(
    State(state): State<AppState>,
    Forwarding(forwarding): Forwarding,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Some(access_token) = session::access_token(&headers) else {
        return redirect(LOGIN_PATH);
    };
    if form.new_password != form.confirm_password {
        let messages = ["The new password and its confirmation do not match.".to_string()];
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                messages: &messages,
            },
        );
    }

    let change = PasswordChange {
        current_password: &form.current_password,
        new_password: &form.new_password,
    };
    match state
        .backend
        .change_password(access_token, &change, forwarding)
        .await
    {
        Ok(()) => redirect(HOME_PATH),
        Err(BackendError::Refused(refusal)) if is_form_problem(refusal.status) => {
            let messages = match refusal.messages.is_empty() {
                true => vec!["The password could not be changed.".to_string()],
                false => refusal.messages,
            };
            render(
                refusal.status,
                &PasswordPage {
                    messages: &messages,
                },
            )
        }
        Err(error) => backend_failure(error),
    }
}

/// The statuses the backend uses for a wrong current password or a weak new one.
fn is_form_problem(status: StatusCode) -> bool {
    status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY
}
