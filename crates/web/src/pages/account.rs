//! Changing one's password (`GET` and `POST /account/password`).
//!
//! The confirmation is checked here, before the backend sees anything; the backend checks the
//! current password and the strength rules. On success the backend revokes every other session
//! and keeps this one, so the cookies stay as they are.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use http::{Method, StatusCode};
use serde::Deserialize;

use super::{HOME_PATH, Nav, backend_failure, redirect, render};
use crate::backend::{BackendError, PasswordChange};
use crate::session::Session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    nav: Nav,
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

pub async fn show_password_form(session: Session) -> Response {
    let page = PasswordPage {
        nav: password_nav(&session),
        messages: &[],
    };
    render(StatusCode::OK, &page)
}

pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> Response {
    if form.new_password != form.confirm_password {
        let messages = ["The new password and its confirmation do not match.".to_string()];
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                nav: password_nav(&session),
                messages: &messages,
            },
        );
    }

    let change = PasswordChange {
        current_password: &form.current_password,
        new_password: &form.new_password,
    };
    let api = session.api(&state);
    match api
        .call(Method::POST, "/api/v1/auth/change-password", Some(&change))
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
                    nav: password_nav(&session),
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

/// The password page shows no menu: an account that must change its password can do nothing
/// else until it has.
fn password_nav(session: &Session) -> Nav {
    Nav {
        csrf: session.csrf.as_str().to_owned(),
        ..Nav::anonymous()
    }
}
