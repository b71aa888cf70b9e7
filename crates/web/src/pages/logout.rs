//! Signing out (`POST /logout`): the backend revokes the refresh token, the browser forgets
//! both cookies.
//!
//! The cookies are cleared even when the backend cannot be reached: the person at the browser
//! asked to leave, and the tokens expire on their own.

use axum::extract::State;
use axum::response::Response;
use http::HeaderMap;

use super::{LOGIN_PATH, redirect, with_cookies};
use crate::backend::BackendError;
use crate::forwarding::Forwarding;
use crate::request_log::error_chain;
use crate::session;
use crate::state::AppState;

pub async fn logout(
    State(state): State<AppState>,
    Forwarding(forwarding): Forwarding,
    headers: HeaderMap,
) -> Response {
    let tokens = (
        session::access_token(&headers),
        session::refresh_token(&headers),
    );
    if let (Some(access_token), Some(refresh_token)) = tokens {
        let revoked = state
            .backend
            .logout(access_token, refresh_token, forwarding)
            .await;
        match revoked {
            Ok(()) => {}
            Err(BackendError::Refused(refusal)) => {
                let status = refusal.status.as_u16();
                tracing::info!(status, "the API refused to revoke the session");
            }
            Err(error) => {
                tracing::warn!(error = %error_chain(&error), "the API is unavailable for logout");
            }
        }
    }

    with_cookies(redirect(LOGIN_PATH), session::end(state.secure_cookies))
}
