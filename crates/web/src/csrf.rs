//! The cross-site request forgery check on form posts.
//!
//! `SameSite=Strict` cookies already keep other sites' forms from carrying a session. This
//! check also refuses any post whose `Origin` is not our own, which covers the login form
//! (there is no session yet) and browsers that ignore `SameSite`. A post without `Origin`
//! (old browsers, scripts) passes: browsers send it on every cross-origin post.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{HOST, ORIGIN};
use http::{HeaderValue, StatusCode};
use reqwest::Url;

use crate::pages;
use crate::state::AppState;

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

/// Refuses a form post from another origin with 403.
pub async fn check_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
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
    let allowed = match request.headers().get(ORIGIN) {
        _ if request.method().is_safe() => true,
        None => true,
        Some(origin) => state.origins.allows(origin, host),
    };

    if allowed {
        return next.run(request).await;
    }
    tracing::warn!("refused a form post from another origin");
    let message = "This form was sent from another site. Open Contract Lucidity and try again.";
    pages::error_page(StatusCode::FORBIDDEN, message)
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
}
