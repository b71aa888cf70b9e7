//! The server-rendered pages, one module per resource, and what they share: rendering, the
//! error page, redirects, security headers and the answer to a failed backend call.
//!
//! Templates live in `crates/web/templates/` and escape every value by default; no page holds
//! an inline script or style, so the strict content security policy below can stand.

pub mod account;
pub mod admin;
pub mod assets;
pub mod dashboard;
pub mod documents;
pub mod live;
pub mod login;
pub mod logout;
pub mod projects;
pub mod search;
pub mod text;
pub mod view;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION, REFERRER_POLICY, SET_COOKIE,
    X_CONTENT_TYPE_OPTIONS,
};
use http::{HeaderValue, StatusCode};

use axum::extract::FromRequestParts;
use http::request::Parts;

use crate::backend::{BackendError, CurrentUser};
use crate::request_log::error_chain;
use crate::session::{self, Session};
use crate::state::AppState;

/// Where a visitor without a valid session is sent: the login page.
pub const LOGIN_PATH: &str = "/";
/// Where a fresh session starts.
pub const HOME_PATH: &str = "/app";
/// Where an account that must change its password is sent.
pub const PASSWORD_PATH: &str = "/account/password";

const UNAVAILABLE_MESSAGE: &str =
    "Contract Lucidity cannot reach its service right now. Please try again in a moment.";

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: Nav,
    title: &'a str,
    message: &'a str,
}

/// What the layout around every page needs: who is signed in (for the menu), the form token,
/// and which section of the menu is current.
pub struct Nav {
    pub user: Option<NavUser>,
    /// Empty on pages that carry no form (error pages).
    pub csrf: String,
    pub section: &'static str,
}

pub struct NavUser {
    pub name: String,
    pub is_admin: bool,
}

impl Nav {
    /// The layout for a page shown to nobody in particular: no menu, no forms.
    pub fn anonymous() -> Self {
        Self {
            user: None,
            csrf: String::new(),
            section: "",
        }
    }
}

/// A signed-in page request: the session and the account behind it. An account that must
/// change its password is sent to that form before any page shows.
pub struct Signed {
    pub session: Session,
    pub user: CurrentUser,
}

impl Signed {
    pub fn nav(&self, section: &'static str) -> Nav {
        let name = self.user.display_name.clone();
        Nav {
            user: Some(NavUser {
                name: name.unwrap_or_else(|| self.user.email.clone()),
                is_admin: self.user.is_admin(),
            }),
            csrf: self.session.csrf.as_str().to_owned(),
            section,
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state).await?;
        let user: CurrentUser = match session.api(state).get("/api/v1/auth/me").await {
            Ok(user) => user,
            // The token died before its cookie (a restart of the clock, a revoked session):
            // the refresh cookie decides.
            Err(BackendError::Refused(refusal)) if refusal.status == StatusCode::UNAUTHORIZED => {
                return Err(session::renew(state, parts, session.forwarding().clone()).await);
            }
            Err(error) => return Err(backend_failure(error)),
        };
        if user.must_change_password {
            return Err(redirect(PASSWORD_PATH));
        }
        Ok(Self { session, user })
    }
}

/// Renders `page` with `status`; a template that fails to render is logged and answers 500.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "failed to render a page");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A page that explains what went wrong, in words for the person at the browser.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let nav = Nav::anonymous();
    render(
        status,
        &ErrorPage {
            nav,
            title,
            message,
        },
    )
}

/// The answer when a page's call to the backend failed in a way the page does not handle.
///
/// An expired or revoked session goes back to the login page, an account that must change its
/// password goes to that form; anything else is shown as an error page.
pub fn backend_failure(error: BackendError) -> Response {
    let refusal = match error {
        BackendError::Refused(refusal) => refusal,
        BackendError::Unavailable(_) => {
            tracing::error!(error = %error_chain(&error), "the API is unavailable");
            return error_page(StatusCode::BAD_GATEWAY, UNAVAILABLE_MESSAGE);
        }
    };

    if refusal.status == StatusCode::UNAUTHORIZED {
        return redirect(LOGIN_PATH);
    }
    if refusal.requires_password_change() {
        return redirect(PASSWORD_PATH);
    }
    if refusal.status.is_server_error() {
        tracing::error!(status = refusal.status.as_u16(), "the API failed");
        return error_page(StatusCode::BAD_GATEWAY, UNAVAILABLE_MESSAGE);
    }
    let message = refusal
        .messages
        .first()
        .map_or("The request was refused.", String::as_str);
    error_page(refusal.status, message)
}

/// The page to show when the backend cannot be reached at all.
pub fn unavailable() -> Response {
    error_page(StatusCode::BAD_GATEWAY, UNAVAILABLE_MESSAGE)
}

/// `303 See Other`: after a form post the browser follows with a `GET`.
pub fn redirect(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response()
}

/// `303 See Other` to a path built at run time (ids, queries); `to` must be a local path.
pub fn redirect_to(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(location) if to.starts_with('/') && !to.starts_with("//") => {
            (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
        }
        _ => redirect(HOME_PATH),
    }
}

/// Adds `Set-Cookie` headers to a response.
pub fn with_cookies(
    mut response: Response,
    cookies: impl IntoIterator<Item = HeaderValue>,
) -> Response {
    for cookie in cookies {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// Security headers for every page: no framing, no foreign resources, no type sniffing, no
/// referrer outside the site, and no caching of pages that may show signed-in data.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                  font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
                  frame-ancestors 'none'";
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The answer for a path that no route serves.
pub async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "There is no page at this address.")
}
