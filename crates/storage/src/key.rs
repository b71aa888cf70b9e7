//! Storage keys: the names originals are stored under.
//!
//! A key is a relative, slash-separated path made only of `[A-Za-z0-9/_.-]` whose segments are
//! never empty and never start with a dot, so it cannot climb out of the storage root, name a
//! hidden file, or collide with the partial files that atomic writes leave while in flight.

use std::fmt;

use uuid::Uuid;

use crate::error::StorageError;

/// S3 allows 1024 bytes for a whole key; half of it leaves room for `S3_PREFIX`.
pub const MAX_KEY_BYTES: usize = 512;

/// A validated storage key, such as `documents/<project uuid>/<document uuid>`.
///
/// Keys are made by the application, never from a user's file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StorageKey(String);

impl StorageKey {
    /// Validates `key`; see the module documentation for the rules.
    pub fn new(key: impl Into<String>) -> Result<Self, StorageError> {
        let key = key.into();
        match key_problem(&key) {
            Some(reason) => Err(StorageError::InvalidKey { key, reason }),
            None => Ok(Self(key)),
        }
    }

    /// The key of a document's original: `documents/<project>/<document>`.
    pub fn for_document(project: Uuid, document: Uuid) -> Self {
        Self(format!("documents/{project}/{document}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's segments, in order.
    pub(crate) fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why `key` is not a valid key, or `None` when it is. Also validates `S3_PREFIX`.
pub(crate) fn key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        return Some("it is empty");
    }
    if key.len() > MAX_KEY_BYTES {
        return Some("it is longer than 512 bytes");
    }
    if !key.bytes().all(is_key_byte) {
        return Some("only letters, digits and / _ . - are allowed");
    }
    if key.starts_with('/') {
        return Some("it must be relative, not start with /");
    }

    for segment in key.split('/') {
        if segment.is_empty() {
            return Some("it has an empty segment (// or a trailing /)");
        }
        if segment.starts_with('.') {
            return Some("a segment starts with a dot (., .. or a hidden name)");
        }
    }
    None
}

fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'_' | b'.' | b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_keys_are_valid_keys() {
        let key = StorageKey::for_document(Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(key_problem(key.as_str()), None);
        assert!(key.as_str().starts_with("documents/"));
    }

    #[test]
    fn keys_that_could_escape_or_hide_are_refused() {
        for bad in [
            "", "../x", "a/../b", "/abs", "a\\b", "a//b", "a/", ".hidden", "a/.b", "a b", "é",
            "a\0b", "a:b",
        ] {
            assert!(StorageKey::new(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn ordinary_keys_are_accepted() {
        for good in ["a", "documents/p/d", "x_y-z.v2", "a.b/c..d"] {
            assert!(StorageKey::new(good).is_ok(), "{good:?} was refused");
        }
    }

    #[test]
    fn overlong_keys_are_refused() {
        assert!(StorageKey::new("a".repeat(MAX_KEY_BYTES)).is_ok());
        assert!(StorageKey::new("a".repeat(MAX_KEY_BYTES + 1)).is_err());
    }
}
