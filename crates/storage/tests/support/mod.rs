//! Test support: files with known contents, and real S3-protocol servers on loopback. Each S3
//! test gets its own `moto_server` on a free port (about half a second to start), signatures
//! checked, with a user, key and bucket made by its first unsigned requests; it is killed when
//! the [`S3Server`] drops. `LUCIDITY_TEST_S3_ENDPOINT` selects an external server instead.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lucidity_storage::StorageConfig;
use tempfile::TempDir;

/// Where `scripts/test.sh` installs moto: `pip install 'moto[server]==5.2.5'` in this venv.
const DEFAULT_MOTO_SERVER: &str = "/opt/lucidity/venv-test/bin/moto_server";

/// Requests moto serves before it starts checking signatures: the four setup requests.
const SETUP_REQUESTS: &str = "4";

const BUCKET: &str = "lucidity-test";

/// Creates a user with full S3 rights, its access key, and the bucket; prints the key pair.
/// moto lets the first requests through unsigned, so a placeholder signature is enough.
const SETUP_SCRIPT: &str = r#"
import re, ssl, sys, urllib.parse, urllib.request
endpoint, bucket, cafile = sys.argv[1], sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=cafile) if cafile else None
def call(method, path, service, form=None):
    auth = ("AWS4-HMAC-SHA256 Credential=AKIDSETUP/20240101/us-east-1/%s/aws4_request, "
            "SignedHeaders=host, Signature=0" % service)
    data = urllib.parse.urlencode(form).encode() if form else None
    request = urllib.request.Request(endpoint + path, data=data, method=method,
                                     headers={"Authorization": auth})
    return urllib.request.urlopen(request, context=context).read().decode()
iam = {"Version": "2010-05-08", "UserName": "lucidity"}
call("POST", "/", "iam", dict(iam, Action="CreateUser"))
key = call("POST", "/", "iam", dict(iam, Action="CreateAccessKey"))
policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
call("POST", "/", "iam", dict(iam, Action="PutUserPolicy", PolicyName="s3", PolicyDocument=policy))
call("PUT", "/" + bucket, "s3")
print(re.search("<AccessKeyId>(.*?)</AccessKeyId>", key).group(1))
print(re.search("<SecretAccessKey>(.*?)</SecretAccessKey>", key).group(1))
"#;

/// An S3 server with a bucket and credentials allowed to use it.
pub struct S3Server {
    pub endpoint: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The CA certificate of an HTTPS server.
    pub ca_file: Option<PathBuf>,
    /// The moto process we started, killed on drop; `None` for an external server.
    child: Option<Child>,
    _certificates: Option<TempDir>,
}

impl S3Server {
    /// The server named by `LUCIDITY_TEST_S3_ENDPOINT` (with `LUCIDITY_TEST_S3_BUCKET`, an
    /// existing bucket, and `LUCIDITY_TEST_S3_ACCESS_KEY_ID` / `_SECRET_ACCESS_KEY`), or else
    /// a new moto server over plain HTTP.
    pub fn start() -> Self {
        match std::env::var("LUCIDITY_TEST_S3_ENDPOINT") {
            Ok(endpoint) if !endpoint.is_empty() => Self::external(endpoint),
            _ => Self::moto(None),
        }
    }

    /// A new moto server over HTTPS, with a certificate from a fresh test CA.
    pub fn start_tls() -> Self {
        let dir = tempfile::tempdir().unwrap();
        make_certificates(dir.path());
        let mut server = Self::moto(Some(dir.path()));
        server._certificates = Some(dir);
        server
    }

    fn external(endpoint: String) -> Self {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set with the endpoint"))
        };
        Self {
            endpoint,
            bucket: var("LUCIDITY_TEST_S3_BUCKET"),
            access_key_id: var("LUCIDITY_TEST_S3_ACCESS_KEY_ID"),
            secret_access_key: var("LUCIDITY_TEST_S3_SECRET_ACCESS_KEY"),
            ca_file: None,
            child: None,
            _certificates: None,
        }
    }

    fn moto(certificates: Option<&Path>) -> Self {
        let moto = moto_server();
        for _ in 0..3 {
            let port = free_port();
            let mut child = spawn_moto(&moto, port, certificates);
            if wait_for_port(&mut child, port) {
                return Self::set_up(child, port, certificates);
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("moto_server did not start; see its output above");
    }

    fn set_up(child: Child, port: u16, certificates: Option<&Path>) -> Self {
        let scheme = if certificates.is_some() {
            "https"
        } else {
            "http"
        };
        let host = if certificates.is_some() {
            "localhost"
        } else {
            "127.0.0.1"
        };
        let endpoint = format!("{scheme}://{host}:{port}");
        let ca_file = certificates.map(|dir| dir.join("ca.pem"));

        let mut server = Self {
            endpoint,
            bucket: BUCKET.to_string(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            ca_file,
            child: Some(child),
            _certificates: None,
        };
        let (key_id, secret) = server.create_user_and_bucket();
        server.access_key_id = key_id;
        server.secret_access_key = secret;
        server
    }

    fn create_user_and_bucket(&self) -> (String, String) {
        let ca = self
            .ca_file
            .as_deref()
            .map(Path::to_string_lossy)
            .unwrap_or_default();
        let output = Command::new(python_beside(&moto_server()))
            .args(["-c", SETUP_SCRIPT, &self.endpoint, &self.bucket, &ca])
            .output()
            .expect("cannot run the moto setup script");
        assert!(
            output.status.success(),
            "moto setup failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );

        let stdout = String::from_utf8(output.stdout).unwrap();
        let mut lines = stdout.lines().map(str::to_string);
        (lines.next().unwrap(), lines.next().unwrap())
    }

    /// The variables that select this server, with `extra` added or overriding.
    pub fn vars(&self, extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut vars = BTreeMap::from([
            ("STORAGE_BACKEND".to_string(), "s3".to_string()),
            ("S3_BUCKET".to_string(), self.bucket.clone()),
            ("S3_ENDPOINT_URL".to_string(), self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID".to_string(), self.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY".to_string(),
                self.secret_access_key.clone(),
            ),
        ]);
        if let Some(ca) = &self.ca_file {
            vars.insert(
                "AWS_CA_BUNDLE".to_string(),
                ca.to_string_lossy().into_owned(),
            );
        }
        for (name, value) in extra {
            vars.insert(name.to_string(), value.to_string());
        }
        vars
    }

    /// A configuration for this server, keys under `prefix`, with `extra` variables.
    pub fn config(&self, prefix: &str, extra: &[(&str, &str)]) -> StorageConfig {
        let mut vars = self.vars(extra);
        vars.insert("S3_PREFIX".to_string(), prefix.to_string());
        StorageConfig::from_vars(&vars, Path::new("/unused")).unwrap()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `LUCIDITY_TEST_MOTO_SERVER`, else the test venv's, else `moto_server` on the PATH.
fn moto_server() -> PathBuf {
    if let Ok(path) = std::env::var("LUCIDITY_TEST_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    match Path::new(DEFAULT_MOTO_SERVER).exists() {
        true => PathBuf::from(DEFAULT_MOTO_SERVER),
        false => PathBuf::from("moto_server"),
    }
}

/// The Python of moto's virtual environment, where its scripts live.
fn python_beside(moto: &Path) -> PathBuf {
    match moto.parent().map(|bin| bin.join("python3")) {
        Some(python) if python.exists() => python,
        _ => PathBuf::from("python3"),
    }
}

fn spawn_moto(moto: &Path, port: u16, certificates: Option<&Path>) -> Child {
    let mut command = Command::new(moto);
    command
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("INITIAL_NO_AUTH_ACTION_COUNT", SETUP_REQUESTS)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(dir) = certificates {
        command.arg("-c").arg(dir.join("server.pem"));
        command.arg("-k").arg(dir.join("server.key"));
    }

    command.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot start {} ({e}): install it with `python3 -m venv /opt/lucidity/venv-test && \
             /opt/lucidity/venv-test/bin/pip install 'moto[server]==5.2.5'`, or set \
             LUCIDITY_TEST_MOTO_SERVER or LUCIDITY_TEST_S3_ENDPOINT",
            moto.display()
        )
    })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// True once the port accepts connections; false if the server exits or takes over 30 s.
fn wait_for_port(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A test CA (`ca.pem`) and a server certificate for localhost signed by it.
fn make_certificates(dir: &Path) {
    fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let ca = [
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Test CA",
    ];
    let csr = [
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ];
    let sign = [
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ];

    openssl(dir, &[&["req", "-x509"], &ec, &ca]);
    openssl(dir, &[&["req"], &ec, &csr]);
    openssl(dir, &[&sign]);
}

fn openssl(dir: &Path, args: &[&[&str]]) {
    let args: Vec<&str> = args.concat();
    let status = Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the HTTPS test needs the openssl command");
    assert!(status.success(), "openssl {args:?} failed");
}

/// Writes `len` bytes of a pattern that differs at every offset within 251 bytes, so a
/// misplaced chunk shows.
pub fn pattern_file(dir: &Path, name: &str, len: usize) -> PathBuf {
    let path = dir.join(name);
    let mut file = File::create(&path).unwrap();
    // A whole number of periods, so each block continues the pattern of the previous one.
    let block: Vec<u8> = (0..251 * 4096).map(|i| (i % 251) as u8).collect();

    let mut written = 0;
    while written < len {
        let n = (len - written).min(block.len());
        file.write_all(&block[..n]).unwrap();
        written += n;
    }
    path
}

/// True when the two files hold the same bytes, compared a megabyte at a time.
pub fn same_contents(a: &Path, b: &Path) -> bool {
    let (mut a, mut b) = (File::open(a).unwrap(), File::open(b).unwrap());
    let (mut left, mut right) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = read_full(&mut a, &mut left);
        let m = read_full(&mut b, &mut right);
        if n != m || left[..n] != right[..m] {
            return false;
        }
        if n == 0 {
            return true;
        }
    }
}

fn read_full(file: &mut File, buffer: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]).unwrap() {
            0 => break,
            n => filled += n,
        }
    }
    filled
}
