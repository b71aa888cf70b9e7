//! Queries on `groups` and `group_members`.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};

use crate::ids::{GroupId, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    /// Filled by [`list_groups`]; the ids of the members.
    #[sqlx(default)]
    pub member_ids: Vec<UserId>,
}

/// The unique index that makes a duplicate group name a 409.
pub const NAME_KEY: &str = "groups_name_key";

pub async fn insert_group(
    db: impl PgExecutor<'_>,
    name: &str,
    description: &str,
) -> sqlx::Result<Group> {
    sqlx::query_as(
        "INSERT INTO groups (id, name, description) VALUES ($1, $2, $3) \
         RETURNING id, name, description, created_at, ARRAY[]::uuid[] AS member_ids",
    )
    .bind(GroupId::new())
    .bind(name)
    .bind(description)
    .fetch_one(db)
    .await
}

pub async fn list_groups(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Group>> {
    sqlx::query_as(
        "SELECT g.id, g.name, g.description, g.created_at, \
                coalesce(array_agg(m.user_id) FILTER (WHERE m.user_id IS NOT NULL), \
                         ARRAY[]::uuid[]) AS member_ids \
         FROM groups g LEFT JOIN group_members m ON m.group_id = g.id \
         GROUP BY g.id ORDER BY lower(g.name)",
    )
    .fetch_all(db)
    .await
}

pub async fn find_group(db: impl PgExecutor<'_>, id: GroupId) -> sqlx::Result<Option<Group>> {
    sqlx::query_as(
        "SELECT g.id, g.name, g.description, g.created_at, \
                coalesce(array_agg(m.user_id) FILTER (WHERE m.user_id IS NOT NULL), \
                         ARRAY[]::uuid[]) AS member_ids \
         FROM groups g LEFT JOIN group_members m ON m.group_id = g.id \
         WHERE g.id = $1 GROUP BY g.id",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn delete_group(db: impl PgExecutor<'_>, id: GroupId) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM groups WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Adds a member; adding someone already in the group changes nothing.
pub async fn insert_member(
    db: impl PgExecutor<'_>,
    group: GroupId,
    user: UserId,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(group)
    .bind(user)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete_member(
    db: impl PgExecutor<'_>,
    group: GroupId,
    user: UserId,
) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group)
        .bind(user)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}
