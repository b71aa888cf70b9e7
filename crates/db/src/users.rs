//! Queries on `users`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgExecutor};

use crate::ids::UserId;

/// A user's global role: `admin` may do everything; `user` only what grants allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::Type, utoipa::ToSchema)]
#[sqlx(type_name = "text", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(Self::Admin),
            "user" => Some(Self::User),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub is_active: bool,
    pub is_seed_admin: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, email, display_name, password_hash, role, is_active, is_seed_admin, \
                       must_change_password, created_at, updated_at";

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub must_change_password: bool,
}

/// The unique index that makes a second account with the same email (any case) a 409.
pub const EMAIL_KEY: &str = "users_email_key";

pub async fn seed_admin_exists(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE is_seed_admin)")
        .fetch_one(db)
        .await
}

/// Inserts the seeded admin; false when the email or the seed slot is already taken.
pub async fn insert_seed_admin(
    db: impl PgExecutor<'_>,
    email: &str,
    password_hash: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, role, is_seed_admin, \
                            must_change_password, password_changed_at) \
         VALUES ($1, $2, 'Administrator', $3, 'admin', true, true, NULL) \
         ON CONFLICT DO NOTHING",
    )
    .bind(UserId::new())
    .bind(email)
    .bind(password_hash)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn insert_user(db: impl PgExecutor<'_>, new: &NewUser<'_>) -> sqlx::Result<User> {
    let sql = format!(
        "INSERT INTO users (id, email, display_name, password_hash, role, must_change_password) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(UserId::new())
        .bind(new.email)
        .bind(new.display_name)
        .bind(new.password_hash)
        .bind(new.role)
        .bind(new.must_change_password)
        .fetch_one(db)
        .await
}

pub async fn find_user(db: impl PgExecutor<'_>, id: UserId) -> sqlx::Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_user_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE lower(email) = lower($1)");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(email)
        .fetch_optional(db)
        .await
}

pub async fn list_users(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY lower(email)");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(db).await
}

/// Sets a new password hash; `must_change` forces another change at the next sign-in.
pub async fn update_password(
    db: impl PgExecutor<'_>,
    id: UserId,
    password_hash: &str,
    must_change: bool,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE users SET password_hash = $2, must_change_password = $3, \
                password_changed_at = now(), updated_at = now() \
         WHERE id = $1",
    )
    .bind(id)
    .bind(password_hash)
    .bind(must_change)
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The fields an administrator may change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

pub async fn update_user(
    db: impl PgExecutor<'_>,
    id: UserId,
    changes: &UserChanges,
) -> sqlx::Result<Option<User>> {
    let sql = format!(
        "UPDATE users SET display_name = coalesce($2, display_name), \
                          role = coalesce($3, role), \
                          is_active = coalesce($4, is_active), \
                          updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(changes.display_name.as_deref())
        .bind(changes.role)
        .bind(changes.is_active)
        .fetch_optional(db)
        .await
}
