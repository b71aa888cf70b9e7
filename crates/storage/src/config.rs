//! Storage settings, read from the configuration contract's case-insensitive variable map.
//! `STORAGE_BACKEND` picks the backend (POSIX by default, so the seed's `STORAGE_PATH` works
//! as written); S3 variables are all optional and read only for S3. Every problem is reported,
//! each message naming its variable.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::key::key_problem;

/// The region signed into requests when no variable names one; S3-compatible servers
/// usually accept any region.
pub const DEFAULT_S3_REGION: &str = "us-east-1";

/// Multipart part size: files up to one part go up in a single PUT, larger ones in parts.
/// Memory per upload is bounded by a few parts (see the `s3` module).
pub const DEFAULT_S3_PART_SIZE_MB: u64 = 8;

/// S3's minimum for every part but the last.
pub const MIN_S3_PART_SIZE_MB: u64 = 5;

/// A ceiling so a typo cannot make each upload buffer gigabytes.
pub const MAX_S3_PART_SIZE_MB: u64 = 512;

const BYTES_PER_MB: u64 = 1024 * 1024;

/// Every variable [`StorageConfig::from_vars`] reads, for checking the sample env file.
pub const VARIABLE_NAMES: &[&str] = &[
    "STORAGE_BACKEND",
    "STORAGE_PATH",
    "S3_BUCKET",
    "S3_PREFIX",
    "S3_REGION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "S3_ENDPOINT_URL",
    "S3_PART_SIZE_MB",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CA_BUNDLE",
];

/// Where originals are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    /// `STORAGE_BACKEND=posix` (the default): a directory, such as an EFS mount.
    Posix(PosixConfig),
    /// `STORAGE_BACKEND=s3`: a bucket on AWS S3 or an S3-compatible server.
    S3(S3Config),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosixConfig {
    /// `STORAGE_PATH`: the root directory; created at start-up when missing.
    pub root: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// `S3_BUCKET` (required for S3).
    pub bucket: String,
    /// `S3_PREFIX`: keys live under `<prefix>/`, so a bucket can be shared; no slashes at
    /// either end.
    pub prefix: Option<String>,
    /// `S3_REGION`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: String,
    /// `S3_ENDPOINT_URL`: an S3-compatible server (MinIO, Ceph, ...), addressed path-style
    /// (`<endpoint>/<bucket>/<key>`). Unset, AWS S3 is addressed virtual-hosted style.
    pub endpoint: Option<String>,
    /// `S3_PART_SIZE_MB`, in bytes.
    pub part_size_bytes: usize,
    /// Where request-signing credentials come from.
    pub credentials: S3Credentials,
    /// `AWS_CA_BUNDLE`: PEM certificates trusted besides the system's, for a server with a
    /// private certificate authority.
    pub ca_bundle: Option<PathBuf>,
}

/// The credential sources, in the order the AWS SDKs try them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Credentials {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`.
    Static {
        access_key_id: String,
        secret_access_key: SecretString,
        session_token: Option<SecretString>,
    },
    /// The ECS task role: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, which ECS sets itself.
    EcsTaskRole { relative_uri: SecretString },
    /// EKS Pod Identity: `AWS_CONTAINER_CREDENTIALS_FULL_URI` with
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    ContainerEndpoint {
        full_uri: String,
        token_file: PathBuf,
    },
    /// EKS service-account roles: `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`
    /// (and optionally `AWS_ROLE_SESSION_NAME`), exchanged at STS.
    WebIdentity {
        token_file: PathBuf,
        role_arn: String,
        session_name: Option<String>,
    },
    /// None of the above: the EC2 instance profile, from the instance metadata service.
    InstanceProfile,
}

/// A secret string; `Debug` prints a placeholder so it never reaches a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl StorageConfig {
    /// Reads the storage variables from `vars` (names matched case-insensitively).
    /// `default_posix_root` applies when `STORAGE_PATH` is unset. On failure, returns one
    /// `"VARIABLE: problem"` message per problem.
    pub fn from_vars(
        vars: &BTreeMap<String, String>,
        default_posix_root: &Path,
    ) -> Result<Self, Vec<String>> {
        let mut reader = Reader::new(vars);
        let config = reader.storage(default_posix_root);
        match (config, reader.problems.is_empty()) {
            (Some(config), true) => Ok(config),
            _ => Err(reader.problems),
        }
    }

    /// Every variable [`Self::from_vars`] reads.
    pub fn variable_names() -> &'static [&'static str] {
        VARIABLE_NAMES
    }
}

/// Looks variables up and records every problem.
struct Reader {
    vars: BTreeMap<String, String>,
    problems: Vec<String>,
}

impl Reader {
    fn new(vars: &BTreeMap<String, String>) -> Self {
        let vars = vars
            .iter()
            .map(|(name, value)| (name.to_ascii_uppercase(), value.trim().to_string()))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        Self {
            vars,
            problems: Vec::new(),
        }
    }

    /// A set, non-blank value, trimmed.
    fn get(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn problem(&mut self, name: &str, message: impl fmt::Display) {
        self.problems.push(format!("{name}: {message}"));
    }

    fn storage(&mut self, default_posix_root: &Path) -> Option<StorageConfig> {
        let backend = self.get("STORAGE_BACKEND").map(|v| v.to_ascii_lowercase());
        match backend.as_deref() {
            None | Some("posix") => Some(StorageConfig::Posix(PosixConfig {
                root: self
                    .get("STORAGE_PATH")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| default_posix_root.to_path_buf()),
            })),
            Some("s3") => self.s3().map(StorageConfig::S3),
            Some(other) => {
                self.problem(
                    "STORAGE_BACKEND",
                    format!("expected posix or s3, got {other:?}"),
                );
                None
            }
        }
    }

    fn s3(&mut self) -> Option<S3Config> {
        let bucket = self.bucket();
        let prefix = self.prefix();
        let region = self.region();
        let endpoint = self.endpoint();
        let part_size_bytes = self.part_size_bytes();
        let credentials = self.credentials();
        let ca_bundle = self.get("AWS_CA_BUNDLE").map(PathBuf::from);

        Some(S3Config {
            bucket: bucket?,
            prefix,
            region,
            endpoint,
            part_size_bytes,
            credentials: credentials?,
            ca_bundle,
        })
    }

    fn bucket(&mut self) -> Option<String> {
        let Some(bucket) = self.get("S3_BUCKET") else {
            self.problem("S3_BUCKET", "required when STORAGE_BACKEND=s3");
            return None;
        };
        let valid_chars = bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !valid_chars || bucket.len() > 255 {
            self.problem("S3_BUCKET", format!("not a bucket name: {bucket:?}"));
            return None;
        }
        Some(bucket)
    }

    fn prefix(&mut self) -> Option<String> {
        let raw = self.get("S3_PREFIX")?;
        let prefix = raw.trim_matches('/');
        if prefix.is_empty() {
            return None;
        }
        if let Some(reason) = key_problem(prefix) {
            self.problem("S3_PREFIX", format!("{reason}: {raw:?}"));
            return None;
        }
        Some(prefix.to_string())
    }

    fn region(&mut self) -> String {
        let (name, region) = ["S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"]
            .into_iter()
            .find_map(|name| self.get(name).map(|value| (name, value)))
            .unwrap_or(("S3_REGION", DEFAULT_S3_REGION.to_string()));

        let valid = region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        if !valid {
            self.problem(name, format!("not a region name: {region:?}"));
        }
        region
    }

    fn endpoint(&mut self) -> Option<String> {
        let raw = self.get("S3_ENDPOINT_URL")?;
        match endpoint_problem(&raw) {
            Some(problem) => {
                self.problem("S3_ENDPOINT_URL", problem);
                None
            }
            None => Some(raw.trim_end_matches('/').to_string()),
        }
    }

    fn part_size_bytes(&mut self) -> usize {
        let megabytes = match self.get("S3_PART_SIZE_MB") {
            None => DEFAULT_S3_PART_SIZE_MB,
            Some(raw) => match raw.parse::<u64>() {
                Ok(mb) if (MIN_S3_PART_SIZE_MB..=MAX_S3_PART_SIZE_MB).contains(&mb) => mb,
                _ => {
                    let message = format!(
                        "expected a whole number from {MIN_S3_PART_SIZE_MB} to \
                         {MAX_S3_PART_SIZE_MB}, got {raw:?}"
                    );
                    self.problem("S3_PART_SIZE_MB", message);
                    DEFAULT_S3_PART_SIZE_MB
                }
            },
        };
        usize::try_from(megabytes * BYTES_PER_MB).unwrap_or(usize::MAX)
    }

    fn credentials(&mut self) -> Option<S3Credentials> {
        let key_id = self.get("AWS_ACCESS_KEY_ID");
        let secret = self.get("AWS_SECRET_ACCESS_KEY");
        let token = self.get("AWS_SESSION_TOKEN").map(SecretString::new);

        match (key_id, secret) {
            (Some(access_key_id), Some(secret)) => Some(S3Credentials::Static {
                access_key_id,
                secret_access_key: SecretString::new(secret),
                session_token: token,
            }),
            (Some(_), None) => self.missing("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
            (None, Some(_)) => self.missing("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
            (None, None) if token.is_some() => {
                self.missing("AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN")
            }
            (None, None) => self.role_credentials(),
        }
    }

    /// The credential sources of a role: the container, web identity, the instance.
    fn role_credentials(&mut self) -> Option<S3Credentials> {
        if let Some(uri) = self.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return Some(S3Credentials::EcsTaskRole {
                relative_uri: SecretString::new(uri),
            });
        }

        let full_uri = self.get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        let token_file = self.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        match (full_uri, token_file) {
            (Some(full_uri), Some(file)) => {
                let token_file = PathBuf::from(file);
                return Some(S3Credentials::ContainerEndpoint {
                    full_uri,
                    token_file,
                });
            }
            (Some(_), None) => {
                return self.missing(
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                );
            }
            _ => {}
        }

        let token_file = self.get("AWS_WEB_IDENTITY_TOKEN_FILE");
        let role_arn = self.get("AWS_ROLE_ARN");
        match (token_file, role_arn) {
            (Some(file), Some(role_arn)) => Some(S3Credentials::WebIdentity {
                token_file: PathBuf::from(file),
                role_arn,
                session_name: self.get("AWS_ROLE_SESSION_NAME"),
            }),
            (Some(_), None) => self.missing("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"),
            (None, _) => Some(S3Credentials::InstanceProfile),
        }
    }

    fn missing<T>(&mut self, name: &str, because: &str) -> Option<T> {
        self.problem(name, format!("required when {because} is set"));
        None
    }
}

/// Why `raw` is not a usable endpoint URL, or `None`. Credentials in the URL are refused so
/// that describing the storage can never print them.
fn endpoint_problem(raw: &str) -> Option<String> {
    let Ok(uri) = raw.parse::<http::Uri>() else {
        return Some(format!("not a URL: {raw:?}"));
    };
    let Some(authority) = uri.authority() else {
        return Some(format!(
            "expected http://host[:port] or https://host[:port], got {raw:?}"
        ));
    };
    if authority.as_str().contains('@') {
        return Some("must not contain credentials: use AWS_ACCESS_KEY_ID".to_string());
    }

    match uri.scheme_str() {
        Some("http" | "https") if uri.query().is_none() => None,
        Some("http" | "https") => Some("must not have a query string".to_string()),
        _ => Some(format!("expected an http:// or https:// URL, got {raw:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<StorageConfig, Vec<String>> {
        let vars = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StorageConfig::from_vars(&vars, Path::new("/data/storage"))
    }

    fn s3(pairs: &[(&str, &str)]) -> S3Config {
        match parse(pairs) {
            Ok(StorageConfig::S3(config)) => config,
            other => panic!("expected an S3 configuration, got {other:?}"),
        }
    }

    #[test]
    fn no_variables_select_posix_at_the_default_root() {
        let config = parse(&[]).unwrap();
        assert_eq!(
            config,
            StorageConfig::Posix(PosixConfig {
                root: PathBuf::from("/data/storage")
            })
        );
    }

    #[test]
    fn storage_path_sets_the_posix_root_whatever_the_case_of_names() {
        let config = parse(&[("storage_path", "/mnt/efs"), ("Storage_Backend", "POSIX")]);
        let StorageConfig::Posix(posix) = config.unwrap() else {
            panic!("expected POSIX");
        };
        assert_eq!(posix.root, PathBuf::from("/mnt/efs"));
    }

    #[test]
    fn an_unknown_backend_is_reported_by_name() {
        let problems = parse(&[("STORAGE_BACKEND", "ftp")]).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("STORAGE_BACKEND: "), "{problems:?}");
    }

    #[test]
    fn s3_without_a_bucket_is_reported_by_name() {
        let problems = parse(&[("STORAGE_BACKEND", "s3")]).unwrap_err();
        assert!(
            problems.iter().any(|p| p.starts_with("S3_BUCKET: ")),
            "{problems:?}"
        );
    }

    #[test]
    fn s3_defaults_are_aws_in_us_east_1_with_eight_megabyte_parts() {
        let config = s3(&[("STORAGE_BACKEND", "s3"), ("S3_BUCKET", "cl-docs")]);
        assert_eq!(config.region, DEFAULT_S3_REGION);
        assert_eq!(config.endpoint, None);
        assert_eq!(config.prefix, None);
        assert_eq!(config.part_size_bytes, 8 * 1024 * 1024);
        assert_eq!(config.credentials, S3Credentials::InstanceProfile);
    }

    #[test]
    fn static_keys_win_over_the_ecs_task_role() {
        let config = s3(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", "b"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret-value"),
            (
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/x",
            ),
        ]);
        assert!(matches!(config.credentials, S3Credentials::Static { .. }));
        assert!(!format!("{config:?}").contains("very-secret-value"));
    }

    #[test]
    fn the_ecs_task_role_is_used_without_static_keys() {
        let config = s3(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", "b"),
            (
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/guid",
            ),
        ]);
        assert!(matches!(
            config.credentials,
            S3Credentials::EcsTaskRole { .. }
        ));
        assert!(!format!("{config:?}").contains("guid"));
    }

    #[test]
    fn half_of_a_key_pair_is_reported_by_name() {
        let problems = parse(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", "b"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ])
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("AWS_SECRET_ACCESS_KEY: "),
            "{problems:?}"
        );
    }

    #[test]
    fn the_region_falls_back_to_the_aws_variables() {
        let config = s3(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", "b"),
            ("AWS_DEFAULT_REGION", "eu-west-2"),
        ]);
        assert_eq!(config.region, "eu-west-2");
    }

    #[test]
    fn the_prefix_loses_its_slashes_and_is_validated() {
        let config = s3(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", "b"),
            ("S3_PREFIX", "/tenants/acme/"),
        ]);
        assert_eq!(config.prefix.as_deref(), Some("tenants/acme"));

        let problems = parse(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", "b"),
            ("S3_PREFIX", "a/../b"),
        ])
        .unwrap_err();
        assert!(problems[0].starts_with("S3_PREFIX: "), "{problems:?}");
    }

    #[test]
    fn endpoints_must_be_plain_http_urls_without_credentials() {
        for bad in [
            "ftp://x",
            "minio:9000",
            "http://user:pw@minio:9000",
            "http://m/?a=b",
        ] {
            let problems = parse(&[
                ("STORAGE_BACKEND", "s3"),
                ("S3_BUCKET", "b"),
                ("S3_ENDPOINT_URL", bad),
            ])
            .unwrap_err();
            assert!(
                problems[0].starts_with("S3_ENDPOINT_URL: "),
                "{bad}: {problems:?}"
            );
            assert!(!problems[0].contains("pw@"), "{problems:?}");
        }

        let config = s3(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", "b"),
            ("S3_ENDPOINT_URL", "http://127.0.0.1:9000/"),
        ]);
        assert_eq!(config.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    }

    #[test]
    fn part_sizes_below_the_s3_minimum_are_refused() {
        let problems = parse(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", "b"),
            ("S3_PART_SIZE_MB", "4"),
        ])
        .unwrap_err();
        assert!(problems[0].starts_with("S3_PART_SIZE_MB: "), "{problems:?}");
    }

    #[test]
    fn s3_variables_are_ignored_for_posix() {
        let config = parse(&[("S3_BUCKET", "not a bucket"), ("AWS_ACCESS_KEY_ID", "x")]);
        assert!(matches!(config, Ok(StorageConfig::Posix(_))));
    }
}
