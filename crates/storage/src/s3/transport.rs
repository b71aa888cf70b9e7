//! The HTTP(S) transport under object_store: hyper-util's pooled client with rustls on `ring`,
//! trusting the system's certificates plus `AWS_CA_BUNDLE`. object_store's bundled transport
//! would turn on reqwest's TLS workspace-wide (aws-lc-rs, or a process-wide crypto provider
//! that every reqwest client then depends on); this one keeps its TLS settings to itself.

use std::error::Error as StdError;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::Response;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as PlainConnector;
use hyper_util::rt::TokioExecutor;
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpRequestBody,
    HttpResponse, HttpResponseBody, HttpService,
};
use object_store::{ClientConfigKey, ClientOptions};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use tokio::time::{Instant, Sleep};

use crate::error::StorageError;

/// A server that does not accept a connection within this is treated as down (and retried).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Time from sending a request to the response's headers, for a request without a body.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// The slowest upload accepted (about 4 Mbit/s): a request with a body gets one more second
/// per this many bytes, so large parts are not cut off on slow links.
const MIN_UPLOAD_BYTES_PER_SEC: u64 = 512 * 1024;

/// A download that delivers no data for this long is abandoned rather than hanging a worker.
const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Idle pooled connections are closed after this, before servers drop them on their side,
/// so a request rarely starts on a connection that is already dead.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// Builds HTTP clients for object_store with one TLS configuration.
#[derive(Debug)]
pub(crate) struct RustlsConnector {
    tls: Arc<ClientConfig>,
}

impl RustlsConnector {
    /// Loads the trusted certificates. `needs_tls` is false only when every server is reached
    /// over plain HTTP, where a machine without certificates is acceptable.
    pub(crate) fn new(ca_bundle: Option<&Path>, needs_tls: bool) -> Result<Self, StorageError> {
        let roots = root_certificates(ca_bundle)?;
        if roots.is_empty() && needs_tls {
            return Err(setup_error(
                "no trusted certificates found: install the system's CA certificates or set \
                 AWS_CA_BUNDLE",
                None,
            ));
        }

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| setup_error("TLS versions", Some(Box::new(e))))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self { tls: Arc::new(tls) })
    }
}

impl HttpConnector for RustlsConnector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let allow_http = options.get_config_value(&ClientConfigKey::AllowHttp);
        let allow_http = allow_http.as_deref() == Some("true");

        let mut plain = PlainConnector::new();
        plain.enforce_http(false);
        plain.set_connect_timeout(Some(CONNECT_TIMEOUT));
        plain.set_nodelay(true);

        let builder =
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config((*self.tls).clone());
        let builder = match allow_http {
            true => builder.https_or_http(),
            false => builder.https_only(),
        };
        let connector = builder.enable_http1().wrap_connector(plain);

        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .build(connector);
        Ok(HttpClient::new(HyperService { client }))
    }
}

type HyperClient = Client<hyper_rustls::HttpsConnector<PlainConnector>, HttpRequestBody>;

#[derive(Debug)]
struct HyperService {
    client: HyperClient,
}

#[async_trait]
impl HttpService for HyperService {
    async fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let body_bytes = request.body().content_length() as u64;
        let upload_secs = body_bytes / MIN_UPLOAD_BYTES_PER_SEC;
        let limit = RESPONSE_TIMEOUT + Duration::from_secs(upload_secs);

        let pending = self.client.request(request);
        let response = match tokio::time::timeout(limit, pending).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => return Err(request_error(e)),
            Err(_) => return Err(timed_out("no response in time")),
        };

        let (parts, body) = response.into_parts();
        let body = HttpResponseBody::new(IdleTimeoutBody::new(body));
        Ok(Response::from_parts(parts, body))
    }
}

/// Connection failures are retried by object_store; so is any other failure to complete a
/// request (a reset or closed connection), which its retry policy limits to safe cases.
fn request_error(error: hyper_util::client::legacy::Error) -> HttpError {
    let kind = match error.is_connect() {
        true => HttpErrorKind::Connect,
        false => HttpErrorKind::Request,
    };
    HttpError::new(kind, error)
}

#[derive(Debug, thiserror::Error)]
#[error("timed out: {0}")]
struct TimedOut(&'static str);

fn timed_out(what: &'static str) -> HttpError {
    HttpError::new(HttpErrorKind::Timeout, TimedOut(what))
}

/// A response body that fails when no data arrives for [`BODY_IDLE_TIMEOUT`].
struct IdleTimeoutBody {
    inner: Incoming,
    idle: Pin<Box<Sleep>>,
}

impl IdleTimeoutBody {
    fn new(inner: Incoming) -> Self {
        let idle = Box::pin(tokio::time::sleep(BODY_IDLE_TIMEOUT));
        Self { inner, idle }
    }
}

impl Body for IdleTimeoutBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            this.idle.as_mut().reset(Instant::now() + BODY_IDLE_TIMEOUT);
            let frame = frame.map(|f| f.map_err(|e| HttpError::new(HttpErrorKind::Interrupted, e)));
            return Poll::Ready(frame);
        }

        match this.idle.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(timed_out("the download stalled for 30 s")))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The system's certificates (unreadable ones skipped) plus those of `ca_bundle`.
fn root_certificates(ca_bundle: Option<&Path>) -> Result<RootCertStore, StorageError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);

    let Some(path) = ca_bundle else {
        return Ok(roots);
    };
    let certificates = read_pem_certificates(path)?;
    if certificates.is_empty() {
        let reason = format!("AWS_CA_BUNDLE: no certificate in {}", path.display());
        return Err(setup_error(&reason, None));
    }
    for certificate in certificates {
        roots.add(certificate).map_err(|e| {
            let reason = format!("AWS_CA_BUNDLE: unusable certificate in {}", path.display());
            setup_error(&reason, Some(Box::new(e)))
        })?;
    }
    Ok(roots)
}

fn read_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, StorageError> {
    let unreadable = |e: rustls::pki_types::pem::Error| {
        let reason = format!("AWS_CA_BUNDLE: cannot read {}", path.display());
        setup_error(&reason, Some(Box::new(e)))
    };
    CertificateDer::pem_file_iter(path)
        .map_err(unreadable)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(unreadable)
}

fn setup_error(reason: &str, source: Option<Box<dyn StdError + Send + Sync>>) -> StorageError {
    StorageError::S3Setup {
        reason: reason.to_string(),
        source,
    }
}
