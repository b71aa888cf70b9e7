//! Request extractors that answer in the API's error shape.
//!
//! [`Body`] reads a JSON object (or a form, where an endpoint allows it) and hands it to the
//! request type's [`FromFields`], which reports every missing or invalid field at once instead
//! of stopping at the first, as serde would. [`Id`] parses path identifiers into 422s,
//! [`QueryParams`] reads a query string into 422s too, and [`ClientAddr`] finds the caller's
//! address behind trusted proxies.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use ipnet::IpNet;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// Largest JSON or form body read by [`Body`]; uploads use their own streaming path.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request type built from the fields of a JSON object.
pub trait FromFields: Sized {
    /// Reads every field through `fields`; returns `None` when any was missing or invalid
    /// (the reader holds the errors).
    fn from_fields(fields: &mut Fields) -> Option<Self>;
}

/// The fields of a request body, collecting one error per offending field.
pub struct Fields {
    object: Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Fields {
    pub fn new(object: Map<String, Value>) -> Self {
        Self {
            object,
            errors: Vec::new(),
        }
    }

    /// A field that must be present and of type `T`.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        match self.object.get(name) {
            None | Some(Value::Null) => {
                self.errors.push(FieldError::new(
                    &["body", name],
                    "Field required",
                    "missing",
                ));
                None
            }
            Some(value) => self.convert(name, value.clone()),
        }
    }

    /// A field that may be absent or null.
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> Option<Option<T>> {
        match self.object.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(value) => self.convert(name, value.clone()).map(Some),
        }
    }

    /// A required string that must not be blank; returned trimmed.
    pub fn text(&mut self, name: &str, max_chars: usize) -> Option<String> {
        let value: String = self.required(name)?;
        self.check_text(name, value, max_chars)
    }

    /// An optional string that, when given, must not be blank; returned trimmed.
    pub fn optional_text(&mut self, name: &str, max_chars: usize) -> Option<Option<String>> {
        match self.optional::<String>(name)? {
            None => Some(None),
            Some(value) => self.check_text(name, value, max_chars).map(Some),
        }
    }

    /// Records an error for `name` found by the caller's own check.
    pub fn invalid(&mut self, name: &str, msg: impl Into<String>) {
        self.errors.push(FieldError::body(name, msg));
    }

    fn check_text(&mut self, name: &str, value: String, max_chars: usize) -> Option<String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.invalid(name, "must not be empty");
            return None;
        }
        if trimmed.chars().count() > max_chars {
            self.invalid(name, format!("must be at most {max_chars} characters"));
            return None;
        }
        Some(trimmed.to_string())
    }

    fn convert<T: DeserializeOwned>(&mut self, name: &str, value: Value) -> Option<T> {
        let kind = json_kind(&value);
        match serde_json::from_value(value) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                let expected = expected_kind::<T>();
                let msg = match expected {
                    Some(expected) => format!("Input should be {expected}, not {kind}"),
                    None => format!("Invalid value: {error}"),
                };
                let type_name = expected.map_or("value_error", type_error_name);
                self.errors
                    .push(FieldError::new(&["body", name], msg, type_name));
                None
            }
        }
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match (value, self.errors.is_empty()) {
            (Some(value), true) => Ok(value),
            (_, false) => Err(ApiError::Validation(self.errors)),
            (None, true) => Err(ApiError::Validation(vec![FieldError::new(
                &["body"],
                "Invalid request body",
                "value_error",
            )])),
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A readable name for the JSON shape `T` expects, for the common field types.
fn expected_kind<T>() -> Option<&'static str> {
    let name = std::any::type_name::<T>();
    if name.ends_with("String") {
        Some("a string")
    } else if name.ends_with("bool") {
        Some("a boolean")
    } else if ["u8", "u16", "u32", "u64", "i32", "i64", "usize"]
        .iter()
        .any(|t| name.ends_with(t))
    {
        Some("a whole number")
    } else if name.contains("Vec<") {
        Some("an array")
    } else if name.contains("Uuid") || name.contains("Id") {
        Some("a UUID string")
    } else {
        None
    }
}

fn type_error_name(expected: &'static str) -> &'static str {
    match expected {
        "a string" => "string_type",
        "a boolean" => "bool_type",
        "a whole number" => "int_type",
        "an array" => "list_type",
        "a UUID string" => "uuid_type",
        _ => "value_error",
    }
}

/// A JSON request body read through [`FromFields`]. Forms are accepted too when `FORM` is
/// true (OAuth-style token endpoints), their values arriving as strings.
pub struct Body<T, const FORM: bool = false>(pub T);

impl<T, S, const FORM: bool> FromRequest<S> for Body<T, FORM>
where
    T: FromFields,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let is_form = content_type.starts_with("application/x-www-form-urlencoded");
        let is_json = content_type.starts_with("application/json") || content_type.is_empty();
        if !(is_json || (FORM && is_form)) {
            let accepted = if FORM {
                "application/json or a form"
            } else {
                "application/json"
            };
            return Err(ApiError::UnsupportedMediaType(format!(
                "Expected {accepted}, got {content_type}"
            )));
        }

        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::PayloadTooLarge("The request body is too large".into()))?;
        if bytes.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge(
                "The request body is too large".into(),
            ));
        }
        let object = match is_form {
            true => form_object(&bytes),
            false => json_object(&bytes)?,
        };

        let mut fields = Fields::new(object);
        let value = T::from_fields(&mut fields);
        fields.finish(value).map(Body)
    }
}

fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let error = FieldError::new(&["body"], "Field required", "missing");
        return Err(ApiError::Validation(vec![error]));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => {
            let msg = format!("Input should be a JSON object, not {}", json_kind(&other));
            Err(ApiError::Validation(vec![FieldError::new(
                &["body"],
                msg,
                "model_type",
            )]))
        }
        Err(error) => {
            let msg = format!("JSON decode error: {error}");
            Err(ApiError::Validation(vec![FieldError::new(
                &["body"],
                msg,
                "json_invalid",
            )]))
        }
    }
}

fn form_object(bytes: &[u8]) -> Map<String, Value> {
    url_decoded_pairs(bytes)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

/// Decodes `application/x-www-form-urlencoded` pairs.
fn url_decoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path parameter parsed as `T`; a malformed value is a 422 naming the parameter.
pub struct Id<T>(pub T);

impl<T, S> FromRequestParts<S> for Id<T>
where
    T: std::str::FromStr + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let Some((name, raw)) = params.last() else {
            return Err(ApiError::NotFound);
        };
        raw.parse().map(Id).map_err(|_| {
            let msg = format!("Input should be a valid UUID, got {raw:?}");
            ApiError::Validation(vec![FieldError::new(&["path", name], msg, "uuid_parsing")])
        })
    }
}

/// Two path parameters, such as `/projects/{id}/grants/{grant_id}`.
pub struct Ids<A, B>(pub A, pub B);

impl<A, B, S> FromRequestParts<S> for Ids<A, B>
where
    A: std::str::FromStr + Send,
    B: std::str::FromStr + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let [(name_a, raw_a), (name_b, raw_b)] = params.as_slice() else {
            return Err(ApiError::NotFound);
        };
        let mut errors = Vec::new();
        let a = parse_path_part::<A>(name_a, raw_a, &mut errors);
        let b = parse_path_part::<B>(name_b, raw_b, &mut errors);
        match (a, b) {
            (Some(a), Some(b)) => Ok(Ids(a, b)),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

fn parse_path_part<T: std::str::FromStr>(
    name: &str,
    raw: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let parsed = raw.parse().ok();
    if parsed.is_none() {
        let msg = format!("Input should be a valid UUID, got {raw:?}");
        errors.push(FieldError::new(&["path", name], msg, "uuid_parsing"));
    }
    parsed
}

/// The query string read into `T` (whose fields are optional strings, checked by the
/// handler). A query string that cannot be read at all, such as one naming a parameter twice,
/// is a 422 on `query` rather than axum's plain-text 400.
pub struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(value)) => Ok(QueryParams(value)),
            Err(rejection) => {
                let error = FieldError::new(&["query"], rejection.body_text(), "value_error");
                Err(ApiError::Validation(vec![error]))
            }
        }
    }
}

/// The caller's address: the connection's peer, or, when the peer is a trusted proxy, the
/// nearest untrusted address in `X-Forwarded-For`.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddr
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddr(client_address(
            peer,
            &forwarded,
            &state.config.http.trusted_proxies,
        )))
    }
}

/// Walks `X-Forwarded-For` from the right, past trusted proxies, to the first untrusted hop.
pub fn client_address(peer: IpAddr, forwarded: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }

    let hops: Vec<IpAddr> = forwarded
        .iter()
        .flat_map(|header| header.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        client = *hop;
        if !is_trusted(hop) {
            break;
        }
    }
    client
}

/// The request id set by the request-id layer (or passed in by the web tier).
#[derive(Debug, Clone)]
pub struct RequestId(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(64).collect());
        Ok(RequestId(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        let client = client_address(peer, &["1.2.3.4"], &nets(&["10.0.0.0/8"]));
        assert_eq!(client, peer);
    }

    #[test]
    fn trusted_hops_are_skipped_from_the_right() {
        let peer: IpAddr = "10.0.10.5".parse().unwrap();
        let forwarded = ["198.51.100.7, 203.0.113.1, 10.0.1.20"];
        let client = client_address(peer, &forwarded, &nets(&["10.0.0.0/8"]));
        assert_eq!(client, "203.0.113.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_trusted_peer_without_forwarding_is_the_client() {
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(client_address(peer, &[], &nets(&["127.0.0.0/8"])), peer);
    }

    #[test]
    fn form_values_are_percent_decoded() {
        let pairs = url_decoded_pairs(b"grant_type=client_credentials&client_secret=a%2Bb+c%3D");
        assert_eq!(pairs[0], ("grant_type".into(), "client_credentials".into()));
        assert_eq!(pairs[1], ("client_secret".into(), "a+b c=".into()));
    }
}
