//! The fake backend's administrative endpoints, for the administration pages' tests.

use axum::Router;

use super::FakeBackend;

pub fn routes() -> Router<FakeBackend> {
    Router::new()
}
