//! Queries on `project_grants` and `ethical_walls`, and the facts an access decision needs.
//!
//! [`project_facts`] gathers, in one statement, everything the API's authorization function
//! weighs for one user and one or all projects: whether a wall stands between them (directly or
//! through a group) and the best level any grant gives (directly or through a group). It reads
//! the current state, so a revoked grant or a new wall counts from the next request on.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgExecutor};

use crate::ids::{GrantId, GroupId, ProjectId, UserId, WallId};

/// A level of access to one project, ordered: viewer < editor < admin.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, sqlx::Type, utoipa::ToSchema,
)]
#[sqlx(type_name = "text", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Read documents and findings.
    Viewer,
    /// Also upload and edit.
    Editor,
    /// Also manage who has access.
    Admin,
}

impl Level {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "viewer" => Some(Self::Viewer),
            "editor" => Some(Self::Editor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    fn from_rank(rank: i32) -> Option<Self> {
        match rank {
            1 => Some(Self::Viewer),
            2 => Some(Self::Editor),
            3 => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Who a grant or wall applies to: exactly one user or one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    User(UserId),
    Group(GroupId),
}

impl Subject {
    fn columns(self) -> (Option<UserId>, Option<GroupId>) {
        match self {
            Self::User(id) => (Some(id), None),
            Self::Group(id) => (None, Some(id)),
        }
    }
}

/// What the authorization function needs to know about one user and one project.
#[derive(Debug, Clone, FromRow)]
pub struct ProjectFacts {
    pub project_id: ProjectId,
    /// A wall names the user, or a group the user belongs to.
    pub walled: bool,
    #[sqlx(try_from = "Option<i32>")]
    pub granted: GrantedLevel,
}

/// The best level granted, if any (a newtype so sqlx can decode it from a rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantedLevel(pub Option<Level>);

impl From<Option<i32>> for GrantedLevel {
    fn from(rank: Option<i32>) -> Self {
        Self(rank.and_then(Level::from_rank))
    }
}

const FACTS: &str = "\
    WITH my_groups AS (SELECT group_id FROM group_members WHERE user_id = $1) \
    SELECT p.id AS project_id, \
           EXISTS (SELECT 1 FROM ethical_walls w \
                   WHERE w.project_id = p.id \
                     AND (w.user_id = $1 OR w.group_id IN (SELECT group_id FROM my_groups))) \
               AS walled, \
           (SELECT max(CASE g.level WHEN 'viewer' THEN 1 WHEN 'editor' THEN 2 ELSE 3 END) \
            FROM project_grants g \
            WHERE g.project_id = p.id \
              AND (g.user_id = $1 OR g.group_id IN (SELECT group_id FROM my_groups))) \
               AS granted \
    FROM projects p";

/// The facts for one project; `None` when the project does not exist.
pub async fn project_facts(
    db: impl PgExecutor<'_>,
    user: UserId,
    project: ProjectId,
) -> sqlx::Result<Option<ProjectFacts>> {
    let sql = format!("{FACTS} WHERE p.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user)
        .bind(project)
        .fetch_optional(db)
        .await
}

/// The facts for every project.
pub async fn all_project_facts(
    db: impl PgExecutor<'_>,
    user: UserId,
) -> sqlx::Result<Vec<ProjectFacts>> {
    sqlx::query_as(FACTS).bind(user).fetch_all(db).await
}

#[derive(Debug, Clone, FromRow)]
pub struct Grant {
    pub id: GrantId,
    pub project_id: ProjectId,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    pub level: Level,
    pub created_at: DateTime<Utc>,
}

/// Grants `level` to `subject`, replacing the level an existing grant gave.
pub async fn upsert_grant(
    db: impl PgExecutor<'_>,
    project: ProjectId,
    subject: Subject,
    level: Level,
    granted_by: UserId,
) -> sqlx::Result<Grant> {
    let (user_id, group_id) = subject.columns();
    let conflict = match subject {
        Subject::User(_) => "(project_id, user_id) WHERE user_id IS NOT NULL",
        Subject::Group(_) => "(project_id, group_id) WHERE group_id IS NOT NULL",
    };
    let sql = format!(
        "INSERT INTO project_grants (id, project_id, user_id, group_id, level, granted_by) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT {conflict} DO UPDATE SET level = EXCLUDED.level \
         RETURNING id, project_id, user_id, group_id, level, created_at"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(GrantId::new())
        .bind(project)
        .bind(user_id)
        .bind(group_id)
        .bind(level)
        .bind(granted_by)
        .fetch_one(db)
        .await
}

pub async fn list_grants(db: impl PgExecutor<'_>, project: ProjectId) -> sqlx::Result<Vec<Grant>> {
    sqlx::query_as(
        "SELECT id, project_id, user_id, group_id, level, created_at FROM project_grants \
         WHERE project_id = $1 ORDER BY created_at",
    )
    .bind(project)
    .fetch_all(db)
    .await
}

pub async fn delete_grant(
    db: impl PgExecutor<'_>,
    project: ProjectId,
    grant: GrantId,
) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM project_grants WHERE id = $1 AND project_id = $2")
        .bind(grant)
        .bind(project)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct Wall {
    pub id: WallId,
    pub project_id: ProjectId,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// The unique indexes that make a second identical wall a 409.
pub const WALL_KEYS: [&str; 2] = ["ethical_walls_user_key", "ethical_walls_group_key"];

pub async fn insert_wall(
    db: impl PgExecutor<'_>,
    project: ProjectId,
    subject: Subject,
    reason: &str,
    created_by: UserId,
) -> sqlx::Result<Wall> {
    let (user_id, group_id) = subject.columns();
    sqlx::query_as(
        "INSERT INTO ethical_walls (id, project_id, user_id, group_id, reason, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, project_id, user_id, group_id, reason, created_at",
    )
    .bind(WallId::new())
    .bind(project)
    .bind(user_id)
    .bind(group_id)
    .bind(reason)
    .bind(created_by)
    .fetch_one(db)
    .await
}

pub async fn list_walls(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Wall>> {
    sqlx::query_as(
        "SELECT id, project_id, user_id, group_id, reason, created_at FROM ethical_walls \
         ORDER BY created_at",
    )
    .fetch_all(db)
    .await
}

pub async fn delete_wall(db: impl PgExecutor<'_>, wall: WallId) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM ethical_walls WHERE id = $1")
        .bind(wall)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}
