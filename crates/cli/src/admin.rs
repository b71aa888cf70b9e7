//! `lucidity admin`: account management from the command line, for the first administrator
//! and for recovery when nobody can sign in, and backups (see `crate::backup`).
//!
//! Passwords are read from the terminal without echo, or from standard input with
//! `--password-stdin`; they never appear as arguments (which other users can see in `ps`).

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use lucidity_db::users::{self, NewUser, Role};
use lucidity_db::{password, sessions};

use crate::commands::load_config;
use crate::{backup, database};

#[derive(Debug, Subcommand)]
pub enum Action {
    #[command(flatten)]
    Account(AccountAction),
    /// Back up the database and every original into a new directory, while the product runs.
    ///
    /// The database is a pg_dump (custom format) of one snapshot; the originals it
    /// references are copied from STORAGE_PATH or S3 after it, each checked against its
    /// recorded SHA-256; manifest.json, written last, holds the digests. See
    /// docs/deploy/backup.md.
    Backup(backup::BackupArgs),
    /// Restore a backup into a fresh, stopped instance.
    ///
    /// The target is the database this configuration names (an empty LUCIDITY_DATA_DIR on
    /// the embedded default, or the POSTGRES_* database, created when missing) and its
    /// storage. Every checksum is verified before anything is written, and a database that
    /// holds any table is refused unless --force.
    Restore(backup::RestoreArgs),
}

/// Account management, on an open and migrated database.
#[derive(Debug, Subcommand)]
pub enum AccountAction {
    /// Create an account; it must change its password at first sign-in.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value_t = RoleArg::User)]
        role: RoleArg,
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a temporary password for an account and end its sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account.
    ListUsers,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    User,
}

pub async fn run(action: Action) -> anyhow::Result<()> {
    let config = load_config()?;
    // Backups read and restores write the database as it is: no migration or seed first.
    let action = match action {
        Action::Account(action) => action,
        Action::Backup(args) => return backup::backup(&config, args).await,
        Action::Restore(args) => return backup::restore(&config, args).await,
    };
    let database = database::external_or_embedded(&config).await?;
    let result = async {
        database::prepare(&database, &config).await?;
        execute(&database.pool, action).await
    }
    .await;
    database.close().await?;
    result
}

async fn execute(pool: &lucidity_db::PgPool, action: AccountAction) -> anyhow::Result<()> {
    match action {
        AccountAction::CreateUser {
            email,
            role,
            name,
            password_stdin,
        } => {
            if !lucidity_common::config::looks_like_email(&email) {
                bail!("--email: not a valid email address: {email:?}");
            }
            let secret = read_password(password_stdin)?;
            let hash = password::hash_blocking(secret).await?;
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::User => Role::User,
            };
            let new = NewUser {
                email: &email,
                display_name: &name,
                password_hash: &hash,
                role,
                must_change_password: true,
            };
            let user = users::insert_user(pool, &new).await.map_err(|error| {
                match lucidity_db::is_unique_violation(&error, users::EMAIL_KEY) {
                    true => anyhow::anyhow!("an account with the email {email} already exists"),
                    false => anyhow::Error::new(error).context("failed to create the account"),
                }
            })?;
            println!(
                "created {} ({:?}) with id {}",
                user.email, user.role, user.id
            );
        }
        AccountAction::ResetPassword {
            email,
            password_stdin,
        } => {
            let user = users::find_user_by_email(pool, &email)
                .await?
                .with_context(|| format!("no account with the email {email}"))?;
            let secret = read_password(password_stdin)?;
            let hash = password::hash_blocking(secret).await?;
            users::update_password(pool, user.id, &hash, true).await?;
            let ended =
                sessions::revoke_user_sessions(pool, user.id, None, "password_reset").await?;
            println!(
                "password reset for {email}; {ended} session(s) ended; change required at sign-in"
            );
        }
        AccountAction::ListUsers => {
            println!("{:<36}  {:<6}  {:<8}  email", "id", "role", "status");
            for user in users::list_users(pool).await? {
                let status = if user.is_active { "active" } else { "disabled" };
                let role = format!("{:?}", user.role).to_lowercase();
                println!(
                    "{:<36}  {:<6}  {:<8}  {}",
                    user.id, role, status, user.email
                );
            }
        }
    }
    Ok(())
}

/// Reads a new password and checks its strength.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let secret = match from_stdin {
        true => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read standard input")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
        false => {
            let first = rpassword::prompt_password("New password: ")?;
            let second = rpassword::prompt_password("Repeat it: ")?;
            if first != second {
                bail!("the two passwords differ");
            }
            first
        }
    };
    if let Some(weakness) = password::weakness(&secret) {
        bail!("the password {weakness}");
    }
    Ok(secret)
}
