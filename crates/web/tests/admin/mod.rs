//! The administration pages against the fake backend.
