//! Password hashing with Argon2id (the crate's defaults: 19 MiB, 2 passes).
//!
//! Hashes are PHC strings that carry their own parameters, so raising the cost later still
//! verifies old hashes. Hashing takes tens of milliseconds: callers on an async runtime run it
//! through [`hash_blocking`] / [`verify_blocking`].

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password an account may be given; NIST SP 800-63B's floor for chosen secrets.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Longest password accepted, so a 10 MB "password" cannot tie up a hashing thread.
pub const MAX_PASSWORD_LEN: usize = 256;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True when `password` matches `phc`; a malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

pub async fn hash_blocking(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| HashError(e.to_string()))?
}

pub async fn verify_blocking(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, &phc))
        .await
        .unwrap_or(false)
}

/// Why a new password is refused; `None` when it is acceptable.
pub fn weakness(password: &str) -> Option<String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        return Some(format!(
            "must be at least {MIN_PASSWORD_LEN} characters long"
        ));
    }
    if length > MAX_PASSWORD_LEN {
        return Some(format!(
            "must be at most {MAX_PASSWORD_LEN} characters long"
        ));
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < 5 {
        return Some("must not be a repetition of a few characters".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn weak_passwords_are_named() {
        assert!(weakness("short").is_some());
        assert!(weakness("aaaaaaaaaaaaaaaa").is_some());
        assert!(weakness(&"x1".repeat(200)).is_some());
        assert!(weakness("a perfectly fine passphrase").is_none());
    }
}
