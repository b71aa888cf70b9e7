//! The login page (`GET /`, also the load balancer's health check) and its form (`POST /login`).
//!
//! The page itself never calls the backend, so the health check says whether this process
//! serves, not whether the API is up. A successful login turns the backend's tokens into the
//! session cookies; a refused one shows the page again with the backend's message.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use http::header::RETRY_AFTER;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::{HOME_PATH, Nav, PASSWORD_PATH, redirect, render, unavailable, with_cookies};
use crate::backend::{BackendError, Credentials, Refusal};
use crate::csrf::CsrfToken;
use crate::forwarding::Forwarding;
use crate::request_log::error_chain;
use crate::session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    nav: Nav,
    /// Kept in the field after a refusal, so only the password is typed again.
    email: &'a str,
    messages: &'a [String],
}

/// The login form. No `Debug`: it holds a password.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The sign-in page; someone already signed in goes straight to the application. The load
/// balancer's health check carries no cookie, so it always gets the page and its 200.
pub async fn show_login(csrf: CsrfToken, headers: HeaderMap) -> Response {
    if session::access_token(&headers).is_some() {
        return redirect(HOME_PATH);
    }
    render(
        StatusCode::OK,
        &LoginPage {
            nav: login_nav(&csrf),
            email: "",
            messages: &[],
        },
    )
}

pub async fn submit_login(
    State(state): State<AppState>,
    Forwarding(forwarding): Forwarding,
    csrf: CsrfToken,
    Form(form): Form<LoginForm>,
) -> Response {
    let credentials = Credentials {
        email: &form.email,
        password: &form.password,
    };
    let tokens = match state.backend.login(&credentials, forwarding).await {
        Ok(tokens) => tokens,
        Err(BackendError::Refused(refusal)) => {
            return show_refusal(&form.email, &csrf, refusal);
        }
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "the API is unavailable for login");
            return unavailable();
        }
    };

    let Some(cookies) = session::start(&tokens, state.secure_cookies) else {
        tracing::error!("the API issued a token that a cookie cannot carry");
        return unavailable();
    };
    let next = match tokens.must_change_password {
        true => PASSWORD_PATH,
        false => HOME_PATH,
    };
    with_cookies(redirect(next), cookies)
}

/// The login page again, with the backend's status, message and `Retry-After`.
fn show_refusal(email: &str, csrf: &CsrfToken, refusal: Refusal) -> Response {
    if refusal.status.is_server_error() {
        tracing::error!(status = refusal.status.as_u16(), "the API failed a login");
        return unavailable();
    }

    let messages = match refusal.messages.is_empty() {
        true => vec!["Sign-in failed. Check your email and password.".to_string()],
        false => refusal.messages,
    };
    let mut response = render(
        refusal.status,
        &LoginPage {
            nav: login_nav(csrf),
            email,
            messages: &messages,
        },
    );
    if let Some(retry_after) = refusal.retry_after {
        response.headers_mut().insert(RETRY_AFTER, retry_after);
    }
    response
}

fn login_nav(csrf: &CsrfToken) -> Nav {
    Nav {
        csrf: csrf.as_str().to_owned(),
        ..Nav::anonymous()
    }
}
