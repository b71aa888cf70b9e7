//! The session cookies: `cl_access` holds the access token, `cl_refresh` the refresh token.
//!
//! Both are `HttpOnly` (page scripts cannot read them), `SameSite=Strict` (other sites cannot
//! make the browser send them: the first CSRF defence) and `Secure` in production. The web
//! process never decodes the tokens; the backend alone decides whether they are valid.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::header::{COOKIE, LOCATION};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::backend::{Api, Tokens};
use crate::csrf::CsrfToken;
use crate::forwarding::Forwarding;
use crate::pages::{self, LOGIN_PATH};
use crate::state::AppState;

const ACCESS_COOKIE: &str = "cl_access";
const REFRESH_COOKIE: &str = "cl_refresh";

/// Seven days, the backend's default refresh-token lifetime; the backend rejects an older token
/// anyway, so a longer cookie would only carry a dead token around.
const REFRESH_MAX_AGE_SECONDS: u64 = 7 * 24 * 60 * 60;

/// The access cookie leaves the browser this long before its token expires, so a page never
/// presents a token that dies on the way and is renewed instead.
const ACCESS_MARGIN_SECONDS: u64 = 30;

/// A signed-in request: the access token, the forwarding headers for the calls made on its
/// behalf, and its form token. No `Debug`: it holds a token.
pub struct Session {
    access_token: String,
    forwarding: HeaderMap,
    pub csrf: CsrfToken,
}

impl Session {
    /// The forwarding headers of the browser's request, for a renewal.
    pub fn forwarding(&self) -> &HeaderMap {
        &self.forwarding
    }

    /// The backend's API as this session's user.
    pub fn api<'a>(&'a self, state: &'a AppState) -> Api<'a> {
        Api::new(&state.backend, &self.access_token, &self.forwarding)
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(Forwarding(forwarding)) = Forwarding::from_request_parts(parts, state).await;
        let Ok(csrf) = CsrfToken::from_request_parts(parts, state).await;
        match access_token(&parts.headers) {
            Some(token) => Ok(Self {
                access_token: token.to_owned(),
                forwarding,
                csrf,
            }),
            None => Err(renew(state, parts, forwarding).await),
        }
    }
}

/// Exchanges the refresh cookie for new tokens and sends the browser back to where it was
/// going, or to the login page (forgetting both cookies) when that fails.
pub async fn renew(state: &AppState, parts: &Parts, forwarding: HeaderMap) -> Response {
    let Some(refresh_token) = refresh_token(&parts.headers) else {
        return pages::redirect(LOGIN_PATH);
    };
    let renewed = state.backend.refresh(refresh_token, forwarding).await;
    let cookies = renewed
        .ok()
        .and_then(|tokens| start(&tokens, state.secure_cookies));
    let Some(cookies) = cookies else {
        return pages::with_cookies(pages::redirect(LOGIN_PATH), end(state.secure_cookies));
    };

    // Only the path and query: the browser stays on this site whatever the request said.
    let back = parts
        .uri
        .path_and_query()
        .map_or("/app", |path| path.as_str());
    let status = match parts.method.is_safe() {
        true => StatusCode::SEE_OTHER,
        false => StatusCode::TEMPORARY_REDIRECT,
    };
    let response = match HeaderValue::from_str(back) {
        Ok(location) => (status, [(LOCATION, location)]).into_response(),
        Err(_) => pages::redirect(pages::HOME_PATH),
    };
    pages::with_cookies(response, cookies)
}

/// The access token from the request's cookies.
pub fn access_token(headers: &HeaderMap) -> Option<&str> {
    read_cookie(headers, ACCESS_COOKIE)
}

/// The refresh token from the request's cookies.
pub fn refresh_token(headers: &HeaderMap) -> Option<&str> {
    read_cookie(headers, REFRESH_COOKIE)
}

/// `Set-Cookie` values that start a session, or `None` when a token holds characters a cookie
/// cannot carry (the backend would be broken; the caller treats it as such).
pub fn start(tokens: &Tokens, secure: bool) -> Option<[HeaderValue; 2]> {
    Some([
        cookie(
            ACCESS_COOKIE,
            &tokens.access_token,
            tokens
                .expires_in
                .saturating_sub(ACCESS_MARGIN_SECONDS)
                .max(1),
            secure,
        )?,
        cookie(
            REFRESH_COOKIE,
            &tokens.refresh_token,
            REFRESH_MAX_AGE_SECONDS,
            secure,
        )?,
    ])
}

/// `Set-Cookie` values that make the browser forget both tokens.
pub fn end(secure: bool) -> Vec<HeaderValue> {
    [ACCESS_COOKIE, REFRESH_COOKIE]
        .into_iter()
        .filter_map(|name| cookie(name, "", 0, secure))
        .collect()
}

/// The value of the named cookie, if the request carries a non-empty one.
pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value for the whole site, `HttpOnly`, `SameSite=Strict`, `Secure` when asked;
/// `None` when the value holds characters a cookie cannot carry.
pub fn cookie(name: &str, value: &str, max_age_seconds: u64, secure: bool) -> Option<HeaderValue> {
    if !value.bytes().all(is_cookie_octet) {
        return None;
    }
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Max-Age={max_age_seconds}; Path=/; HttpOnly; SameSite=Strict{secure}"
    );
    HeaderValue::from_str(&text).ok()
}

/// RFC 6265's `cookie-octet`: visible ASCII except `"`, `,`, `;` and `\`.
fn is_cookie_octet(byte: u8) -> bool {
    byte.is_ascii_graphic() && !matches!(byte, b'"' | b',' | b';' | b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("theme=dark; cl_access=abc.def"),
        );
        headers.append(COOKIE, HeaderValue::from_static("cl_refresh=xyz"));

        assert_eq!(access_token(&headers), Some("abc.def"));
        assert_eq!(refresh_token(&headers), Some("xyz"));
    }

    #[test]
    fn a_token_that_could_inject_cookie_attributes_is_refused() {
        assert!(cookie(ACCESS_COOKIE, "abc; Domain=evil.example", 60, false).is_none());
    }

    #[test]
    fn production_cookies_are_secure() {
        let value = cookie(ACCESS_COOKIE, "abc", 60, true).expect("a valid cookie");
        let text = value.to_str().expect("ASCII");
        assert_eq!(
            text,
            "cl_access=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
    }
}
