//! The headers that tell the backend who the browser is: `X-Forwarded-For`, `-Proto`, `-Host`,
//! and the `X-Request-Id` that ties both processes' logs together.
//!
//! Incoming forwarding headers are believed only from a trusted proxy (`TRUSTED_PROXIES`: the
//! load balancer); from anyone else they are replaced, so a browser cannot pose as another
//! address to the backend's per-address login limits.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use http::header::{FORWARDED, HOST};
use http::request::Parts;
use http::{Extensions, HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

use crate::state::AppState;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");

/// Headers that make claims about the client. The proxy removes them all and sends only the
/// ones [`headers`] computes.
pub const CLIENT_CLAIMS: [HeaderName; 5] = [
    X_FORWARDED_FOR,
    X_FORWARDED_PROTO,
    X_FORWARDED_HOST,
    FORWARDED,
    X_REAL_IP,
];

/// An extractor: the forwarding headers for the backend calls a page makes for this request.
pub struct Forwarding(pub HeaderMap);

impl FromRequestParts<AppState> for Forwarding {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = peer_address(&parts.extensions);
        Ok(Self(headers(&parts.headers, peer, &state.trusted_proxies)))
    }
}

/// The address at the other end of the TCP connection, as the listener recorded it.
pub fn peer_address(extensions: &Extensions) -> Option<IpAddr> {
    let info = extensions.get::<ConnectInfo<SocketAddr>>()?;
    Some(info.0.ip())
}

/// The forwarding headers for a call to the backend made on behalf of this request.
///
/// `peer` is the address of the TCP connection; it is absent only when the router is driven
/// without a listener, in tests.
pub fn headers(incoming: &HeaderMap, peer: Option<IpAddr>, trusted_proxies: &[IpNet]) -> HeaderMap {
    let peer = peer.map(|ip| ip.to_canonical());
    let trusted = peer.is_some_and(|ip| trusted_proxies.iter().any(|net| net.contains(&ip)));
    let believed = |name: &HeaderName| incoming.get(name).filter(|_| trusted).cloned();
    let mut headers = HeaderMap::new();

    if let Some(hops) = forwarded_for(incoming, peer, trusted) {
        headers.insert(X_FORWARDED_FOR, hops);
    }

    // This process speaks plain HTTP; only a trusted proxy in front can vouch for HTTPS.
    let proto = believed(&X_FORWARDED_PROTO).unwrap_or(HeaderValue::from_static("http"));
    headers.insert(X_FORWARDED_PROTO, proto);

    if let Some(host) = believed(&X_FORWARDED_HOST).or_else(|| incoming.get(HOST).cloned()) {
        headers.insert(X_FORWARDED_HOST, host);
    }
    if let Some(id) = incoming.get(X_REQUEST_ID) {
        headers.insert(X_REQUEST_ID, id.clone());
    }
    headers
}

/// The trusted chain of earlier hops, with the peer appended.
fn forwarded_for(incoming: &HeaderMap, peer: Option<IpAddr>, trusted: bool) -> Option<HeaderValue> {
    let mut hops: Vec<String> = Vec::new();
    if trusted {
        let earlier = incoming.get_all(X_FORWARDED_FOR).iter();
        let earlier = earlier
            .filter_map(|value| value.to_str().ok())
            .map(str::trim);
        hops.extend(earlier.filter(|value| !value.is_empty()).map(String::from));
    }
    hops.extend(peer.map(|ip| ip.to_string()));

    if hops.is_empty() {
        return None;
    }
    HeaderValue::from_str(&hops.join(", ")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback() -> Vec<IpNet> {
        vec!["127.0.0.0/8".parse().expect("a valid network")]
    }

    fn incoming(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_trusted_proxy_keeps_its_chain_and_gets_appended() {
        let incoming = incoming(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "contracts.example.com"),
        ]);
        let peer = "127.0.0.1".parse().ok();
        let headers = headers(&incoming, peer, &loopback());

        assert_eq!(headers["x-forwarded-for"], "203.0.113.9, 127.0.0.1");
        assert_eq!(headers["x-forwarded-proto"], "https");
        assert_eq!(headers["x-forwarded-host"], "contracts.example.com");
    }

    #[test]
    fn an_untrusted_peer_cannot_claim_another_address_or_https() {
        let incoming = incoming(&[
            ("x-forwarded-for", "198.51.100.7"),
            ("x-forwarded-proto", "https"),
            ("host", "web.internal:3000"),
        ]);
        let peer = "203.0.113.50".parse().ok();
        let headers = headers(&incoming, peer, &loopback());

        assert_eq!(headers["x-forwarded-for"], "203.0.113.50");
        assert_eq!(headers["x-forwarded-proto"], "http");
        assert_eq!(headers["x-forwarded-host"], "web.internal:3000");
    }

    #[test]
    fn an_ipv4_peer_seen_through_an_ipv6_socket_is_still_trusted() {
        let incoming = incoming(&[("x-forwarded-for", "203.0.113.9")]);
        let peer = "::ffff:127.0.0.1".parse().ok();
        let headers = headers(&incoming, peer, &loopback());

        assert_eq!(headers["x-forwarded-for"], "203.0.113.9, 127.0.0.1");
    }
}
