//! Cross-site request forgery defences for every form post and every page-side upload.
//!
//! Three layers, none of which needs a secret or state shared between `web` instances, so any
//! instance behind the load balancer accepts a form another one rendered:
//!
//! 1. `SameSite=Strict` session cookies: another site's form never carries a session.
//! 2. The `Origin` check: a post whose `Origin` is not our own is refused.
//! 3. A double-submitted token: a random value in the `cl_csrf` cookie (`__Host-cl_csrf` when
//!    the site is served over HTTPS, so a sibling subdomain cannot plant one) that every form
//!    repeats in its `csrf_token` field, and scripts in an `X-CSRF-Token` header. Another site
//!    can make a browser send the cookie but cannot read it, so it cannot repeat it.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{CONTENT_TYPE, HOST, ORIGIN, SET_COOKIE};
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use rand::RngCore;
use reqwest::Url;

use crate::pages;
use crate::session;
use crate::state::AppState;

/// The form field that repeats the token.
pub const FORM_FIELD: &str = "csrf_token";
/// The header that repeats the token for requests made by the page's script.
pub const HEADER: HeaderName = HeaderName::from_static("x-csrf-token");

/// 32 random bytes, as 64 hexadecimal digits.
const TOKEN_BYTES: usize = 32;
/// A form post is a few fields; anything larger is not one of our forms.
const FORM_LIMIT_BYTES: usize = 1024 * 1024;
/// As long as a refresh token: a page left open for a week still posts.
const COOKIE_MAX_AGE_SECONDS: u64 = 7 * 24 * 60 * 60;

const EXPIRED_MESSAGE: &str =
    "This form has expired. Reload the page and try again; nothing was changed.";
const FOREIGN_MESSAGE: &str =
    "This form was sent from another site. Open Contract Lucidity and try again.";

/// The request's token, for templates to repeat in their forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub Arc<str>);

impl CsrfToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The token [`protect`] gave this request; empty outside its layer, where no form is served.
impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let token = parts.extensions.get::<Self>().cloned();
        Ok(token.unwrap_or_else(|| Self("".into())))
    }
}

#[derive(Clone)]
pub struct OriginPolicy {
    /// The origin of `NEXT_PUBLIC_FRONTEND_URL` (`https://host[:port]`) when it is set. Without
    /// it, a post must come from the host it was sent to, whatever the scheme: TLS ends at the
    /// load balancer, so this process cannot tell `https` from `http` by itself.
    public_origin: Option<Arc<str>>,
}

impl OriginPolicy {
    pub fn new(public_url: Option<&Url>) -> Self {
        let public_origin = public_url.map(|url| url.origin().ascii_serialization().into());
        Self { public_origin }
    }

    /// Whether a post with this `Origin`, sent to this `Host`, comes from our own pages.
    pub fn allows(&self, origin: &HeaderValue, host: Option<&str>) -> bool {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        if let Some(expected) = &self.public_origin {
            return origin.eq_ignore_ascii_case(expected);
        }

        // `Origin: null` (sandboxed frames, some redirects) does not parse and is refused.
        let (Ok(origin), Some(host)) = (Url::parse(origin), host) else {
            return false;
        };
        let Some(origin_host) = origin.host_str() else {
            return false;
        };
        let origin_port = origin.port_or_known_default();
        let (host_name, host_port) = split_port(host);

        host_name.eq_ignore_ascii_case(origin_host) && host_port.or(origin_port) == origin_port
    }
}

/// Gives every page request a token (setting the cookie when the browser has none) and refuses
/// an unsafe request whose origin or token does not match with 403.
pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let cookie_name = cookie_name(state.secure_cookies);
    let existing = session::read_cookie(request.headers(), cookie_name)
        .filter(|token| is_well_formed(token))
        .map(str::to_owned);
    let is_new = existing.is_none();
    let token = existing.unwrap_or_else(generate);

    let mut request = request;
    if !request.method().is_safe() {
        if !origin_allowed(&state.origins, &request) {
            tracing::warn!("refused a post from another origin");
            return pages::error_page(StatusCode::FORBIDDEN, FOREIGN_MESSAGE);
        }
        let (checked, presented) = presented_token(request).await;
        let matches = presented.is_some_and(|presented| same(&presented, &token));
        if is_new || !matches {
            tracing::warn!("refused a post without a valid form token");
            return pages::error_page(StatusCode::FORBIDDEN, EXPIRED_MESSAGE);
        }
        request = checked;
    }

    request
        .extensions_mut()
        .insert(CsrfToken(Arc::from(token.as_str())));
    let mut response = next.run(request).await;
    if is_new && let Some(cookie) = set_cookie(cookie_name, &token, state.secure_cookies) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// `__Host-` makes the browser refuse the cookie unless it is `Secure`, host-only and for `/`,
/// which plain-HTTP development cannot satisfy.
fn cookie_name(secure: bool) -> &'static str {
    match secure {
        true => "__Host-cl_csrf",
        false => "cl_csrf",
    }
}

fn generate() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn is_well_formed(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2 && token.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// Compares without stopping at the first difference, so timing tells nothing of the token.
fn same(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len()
        && presented
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// The token's cookie: like the session's, `HttpOnly` and `SameSite=Strict`.
fn set_cookie(name: &str, token: &str, secure: bool) -> Option<HeaderValue> {
    session::cookie(name, token, COOKIE_MAX_AGE_SECONDS, secure)
}

fn origin_allowed(policy: &OriginPolicy, request: &Request) -> bool {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| {
            request
                .uri()
                .authority()
                .map(|authority| authority.as_str())
        });
    // Browsers send `Origin` on every cross-origin post; a request without it is not one a
    // browser was tricked into, and the token below still has to match.
    match request.headers().get(ORIGIN) {
        None => true,
        Some(origin) => policy.allows(origin, host),
    }
}

/// The token the request repeats: the header, the form field of a URL-encoded body (read and
/// put back), or the query's `csrf_token` for a multipart form, whose body is left streaming.
async fn presented_token(request: Request) -> (Request, Option<String>) {
    if let Some(value) = header_token(request.headers()) {
        return (request, Some(value));
    }
    if let Some(value) = query_token(request.uri().query()) {
        return (request, Some(value));
    }
    if !is_url_encoded_form(request.headers()) {
        return (request, None);
    }

    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT_BYTES).await else {
        return (Request::from_parts(parts, Body::empty()), None);
    };
    let value = form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == FORM_FIELD)
        .map(|(_, value)| value.into_owned());
    (Request::from_parts(parts, Body::from(bytes)), value)
}

fn header_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(HEADER)?.to_str().ok()?;
    Some(value.to_owned())
}

fn query_token(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == FORM_FIELD)
        .map(|(_, value)| value.into_owned())
}

fn is_url_encoded_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

/// Splits `host[:port]`, leaving an IPv6 literal such as `[::1]` whole.
fn split_port(host: &str) -> (&str, Option<u16>) {
    match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && !port.contains(']') => match port.parse() {
            Ok(port) => (name, Some(port)),
            Err(_) => (host, None),
        },
        _ => (host, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(policy: &OriginPolicy, origin: &'static str, host: &str) -> bool {
        policy.allows(&HeaderValue::from_static(origin), Some(host))
    }

    #[test]
    fn without_a_public_url_the_origin_must_match_the_host() {
        let policy = OriginPolicy::new(None);

        assert!(allows(&policy, "http://localhost:3000", "localhost:3000"));
        assert!(allows(
            &policy,
            "https://contracts.example.com",
            "contracts.example.com"
        ));
        assert!(allows(
            &policy,
            "https://contracts.example.com",
            "contracts.example.com:443"
        ));
        assert!(allows(&policy, "http://[::1]:3000", "[::1]:3000"));
        assert!(!allows(&policy, "http://localhost:3001", "localhost:3000"));
        assert!(!allows(
            &policy,
            "https://evil.example",
            "contracts.example.com"
        ));
        assert!(!allows(&policy, "null", "contracts.example.com"));
    }

    #[test]
    fn with_a_public_url_only_its_origin_is_accepted() {
        let url = Url::parse("https://contracts.example.com/app").expect("a valid URL");
        let policy = OriginPolicy::new(Some(&url));

        assert!(allows(
            &policy,
            "https://contracts.example.com",
            "web.internal:3000"
        ));
        assert!(!allows(
            &policy,
            "http://contracts.example.com",
            "contracts.example.com"
        ));
    }

    #[test]
    fn tokens_are_random_hex_of_the_expected_length() {
        let (first, second) = (generate(), generate());

        assert!(is_well_formed(&first));
        assert_ne!(first, second);
        assert!(!is_well_formed("abc"));
        assert!(!is_well_formed(&"z".repeat(TOKEN_BYTES * 2)));
    }

    #[test]
    fn only_the_identical_token_compares_equal() {
        let token = generate();
        let mut other = token.clone().into_bytes();
        other[10] = if other[10] == b'a' { b'b' } else { b'a' };
        let other = String::from_utf8(other).expect("ASCII");

        assert!(same(&token, &token.clone()));
        assert!(!same(&token, &other));
        assert!(!same(&token, &token[..10]));
    }

    #[test]
    fn production_uses_the_host_prefixed_secure_cookie() {
        let cookie = set_cookie(cookie_name(true), "ab", true).expect("a valid cookie");
        let text = cookie.to_str().expect("ASCII");

        assert!(text.starts_with("__Host-cl_csrf=ab;"));
        assert!(text.ends_with("SameSite=Strict; Secure"));
        assert!(text.contains("Path=/;"));
    }
}
