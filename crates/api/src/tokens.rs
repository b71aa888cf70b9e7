//! Access tokens (signed JWTs) and refresh tokens (random, stored hashed).
//!
//! An access token names its user and session; the session is checked against the database on
//! every request, so logout and revocation take effect before the token expires. Its `typ`
//! claim is `access`, and verification accepts only the configured HMAC algorithm, so a token
//! signed with another algorithm (or `none`) is refused. Refresh tokens are opaque 256-bit
//! values; only their SHA-256 is stored.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lucidity_common::config::{AuthConfig, JwtAlgorithm};
use lucidity_db::ids::{CredentialId, SessionId, UserId};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Access-token lifetime for API credentials, as the original API documents.
pub const CREDENTIAL_ACCESS_TTL: Duration = Duration::from_secs(24 * 3600);
/// Refresh-token lifetime for API credentials.
pub const CREDENTIAL_REFRESH_TTL: Duration = Duration::from_secs(30 * 86_400);

const ACCESS_TYPE: &str = "access";

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: UserId,
    /// The session (refresh-token family) this token belongs to.
    pub sid: SessionId,
    /// Set when the token was issued to an API credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<CredentialId>,
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

pub struct TokenKeys {
    algorithm: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenKeys {
    pub fn new(config: &AuthConfig) -> anyhow::Result<Self> {
        let secret = config.jwt_secret.expose().as_bytes();
        let algorithm = match config.jwt_algorithm {
            JwtAlgorithm::Hs256 => Algorithm::HS256,
            JwtAlgorithm::Hs384 => Algorithm::HS384,
            JwtAlgorithm::Hs512 => Algorithm::HS512,
        };
        Ok(Self {
            algorithm,
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
        })
    }

    /// Signs an access token valid for `ttl`.
    pub fn issue_access(
        &self,
        user: UserId,
        session: SessionId,
        credential: Option<CredentialId>,
        ttl: Duration,
    ) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user,
            sid: session,
            cid: credential,
            typ: ACCESS_TYPE.into(),
            iat: now,
            exp: now + ttl.as_secs() as i64,
            jti: random_token(16),
        };
        Ok(jsonwebtoken::encode(
            &Header::new(self.algorithm),
            &claims,
            &self.encoding,
        )?)
    }

    /// Verifies signature, algorithm, expiry and type; `None` for any token that fails.
    pub fn verify_access(&self, token: &str) -> Option<AccessClaims> {
        let mut validation = Validation::new(self.algorithm);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation).ok()?;
        (data.claims.typ == ACCESS_TYPE).then_some(data.claims)
    }
}

/// `bytes` random bytes, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// A new refresh token: a recognisable prefix and 256 random bits.
pub fn new_refresh_token() -> String {
    format!("clr_{}", random_token(32))
}

/// What is stored for a refresh token.
pub fn refresh_token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lucidity_common::Config;

    fn keys(vars: &[(&str, &str)]) -> TokenKeys {
        TokenKeys::new(&Config::from_vars(vars.iter().copied()).unwrap().auth).unwrap()
    }

    #[test]
    fn an_issued_token_verifies_and_names_its_user_and_session() {
        let keys = keys(&[]);
        let (user, session) = (UserId::new(), SessionId::new());
        let token = keys
            .issue_access(user, session, None, Duration::from_secs(60))
            .unwrap();
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!((claims.sub, claims.sid), (user, session));
    }

    #[test]
    fn a_token_signed_with_another_secret_or_algorithm_is_refused() {
        let ours = keys(&[("JWT_SECRET_KEY", "one-secret-that-is-long-enough-000")]);
        let theirs = keys(&[("JWT_SECRET_KEY", "another-secret-long-enough-0000000")]);
        let hs512 = keys(&[
            ("JWT_SECRET_KEY", "one-secret-that-is-long-enough-000"),
            ("JWT_ALGORITHM", "HS512"),
        ]);
        let ttl = Duration::from_secs(60);
        let foreign = theirs
            .issue_access(UserId::new(), SessionId::new(), None, ttl)
            .unwrap();
        let other_alg = hs512
            .issue_access(UserId::new(), SessionId::new(), None, ttl)
            .unwrap();
        assert!(ours.verify_access(&foreign).is_none());
        assert!(ours.verify_access(&other_alg).is_none());
    }

    #[test]
    fn refresh_tokens_are_unique_and_hashed() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert_eq!(refresh_token_hash(&a).len(), 32);
        assert_ne!(refresh_token_hash(&a), refresh_token_hash(&b));
    }
}
