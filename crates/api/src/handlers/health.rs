//! Liveness and readiness.
//!
//! `/api/health` answers as long as the process serves HTTP (the load balancer's and the
//! container's liveness check). `/api/ready` checks each dependency and names the ones that
//! failed, with 503, so an orchestrator stops sending traffic to an instance that cannot work.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// How long one dependency check may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub service: &'static str,
}

/// Liveness: the process is up.
#[utoipa::path(get, path = "/api/health", tag = "operations",
    responses((status = 200, body = Health)))]
pub async fn get_health() -> Json<Health> {
    Json(Health {
        status: "healthy",
        service: "Contract Lucidity",
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// Why the check failed; absent when it passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or `not_ready` when any check failed.
    pub status: &'static str,
    pub checks: Vec<Check>,
    /// The names of the failed checks.
    pub failed: Vec<&'static str>,
}

/// Readiness: database, queue and storage each answer.
#[utoipa::path(get, path = "/api/ready", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn get_ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let (database, queue, storage) = tokio::join!(
        check_database(&state),
        check_queue(&state),
        check_storage(&state)
    );
    let checks = vec![
        outcome("database", database),
        outcome("queue", queue),
        outcome("storage", storage),
    ];

    let failed: Vec<&'static str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    let (status, code) = match failed.is_empty() {
        true => ("ready", StatusCode::OK),
        false => ("not_ready", StatusCode::SERVICE_UNAVAILABLE),
    };
    (
        code,
        Json(Readiness {
            status,
            checks,
            failed,
        }),
    )
}

fn outcome(name: &'static str, result: Result<(), String>) -> Check {
    match result {
        Ok(()) => Check {
            name,
            ok: true,
            error: None,
        },
        Err(error) => {
            tracing::warn!(check = name, %error, "readiness check failed");
            Check {
                name,
                ok: false,
                error: Some(error),
            }
        }
    }
}

async fn check_database(state: &AppState) -> Result<(), String> {
    let query = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db);
    match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(format!("query failed: {error}")),
        Err(_) => Err("no answer within 3 s".into()),
    }
}

/// The queue: Redis when configured, otherwise the PostgreSQL table.
async fn check_queue(state: &AppState) -> Result<(), String> {
    match tokio::time::timeout(CHECK_TIMEOUT, state.queue.check()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(format!("{} queue: {error:#}", state.queue.backend())),
        Err(_) => Err(format!(
            "{} queue: no answer within 3 s",
            state.queue.backend()
        )),
    }
}

/// The storage accepts a write (and a removal) of a probe.
async fn check_storage(state: &AppState) -> Result<(), String> {
    let place = state.storage.describe();
    match tokio::time::timeout(CHECK_TIMEOUT, state.storage.check()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(format!("{place}: {error}")),
        Err(_) => Err(format!("{place} did not answer within 3 s")),
    }
}
