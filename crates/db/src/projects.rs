//! Queries on `projects`.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};

use crate::ids::{ProjectId, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, description, is_default, created_by, created_at, updated_at";

/// The unique index that makes a duplicate project name (any case) a 409.
pub const NAME_KEY: &str = "projects_name_key";

pub async fn insert_project(
    db: impl PgExecutor<'_>,
    name: &str,
    description: &str,
    created_by: UserId,
) -> sqlx::Result<Project> {
    let sql = format!(
        "INSERT INTO projects (id, name, description, created_by) VALUES ($1, $2, $3, $4) \
         RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ProjectId::new())
        .bind(name)
        .bind(description)
        .bind(created_by)
        .fetch_one(db)
        .await
}

pub async fn find_project(db: impl PgExecutor<'_>, id: ProjectId) -> sqlx::Result<Option<Project>> {
    let sql = format!("SELECT {COLUMNS} FROM projects WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Every project, by name; callers filter through the access decision.
pub async fn list_projects(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Project>> {
    let sql = format!("SELECT {COLUMNS} FROM projects ORDER BY is_default DESC, lower(name)");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(db).await
}

pub async fn update_project(
    db: impl PgExecutor<'_>,
    id: ProjectId,
    name: Option<&str>,
    description: Option<&str>,
) -> sqlx::Result<Option<Project>> {
    let sql = format!(
        "UPDATE projects SET name = coalesce($2, name), \
                             description = coalesce($3, description), updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(name)
        .bind(description)
        .fetch_optional(db)
        .await
}

/// Deletes a project that is not the default one; false when nothing was deleted.
pub async fn delete_project(db: impl PgExecutor<'_>, id: ProjectId) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM projects WHERE id = $1 AND NOT is_default")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}
