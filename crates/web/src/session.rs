//! The session cookies: `cl_access` holds the access token, `cl_refresh` the refresh token.
//!
//! Both are `HttpOnly` (page scripts cannot read them), `SameSite=Strict` (other sites cannot
//! make the browser send them: the first CSRF defence) and `Secure` in production. The web
//! process never decodes the tokens; the backend alone decides whether they are valid.

use http::HeaderMap;
use http::HeaderValue;
use http::header::COOKIE;

use crate::backend::Tokens;

const ACCESS_COOKIE: &str = "cl_access";
const REFRESH_COOKIE: &str = "cl_refresh";

/// Seven days, the backend's default refresh-token lifetime; the backend rejects an older token
/// anyway, so a longer cookie would only carry a dead token around.
const REFRESH_MAX_AGE_SECONDS: u64 = 7 * 24 * 60 * 60;

/// The access token from the request's cookies.
pub fn access_token(headers: &HeaderMap) -> Option<&str> {
    read(headers, ACCESS_COOKIE)
}

/// The refresh token from the request's cookies.
pub fn refresh_token(headers: &HeaderMap) -> Option<&str> {
    read(headers, REFRESH_COOKIE)
}

/// `Set-Cookie` values that start a session, or `None` when a token holds characters a cookie
/// cannot carry (the backend would be broken; the caller treats it as such).
pub fn start(tokens: &Tokens, secure: bool) -> Option<[HeaderValue; 2]> {
    Some([
        cookie(
            ACCESS_COOKIE,
            &tokens.access_token,
            tokens.expires_in,
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

fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
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

fn cookie(name: &str, value: &str, max_age_seconds: u64, secure: bool) -> Option<HeaderValue> {
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
