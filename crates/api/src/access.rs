//! The one authorization function.
//!
//! [`authorize`] decides every access to a project or to the administration from the current
//! database state, and [`decide`] is its pure core, also used to filter listings. The rules, in
//! order:
//! 1. An ethical wall between the caller (or one of the caller's groups) and the project
//!    denies, whatever else holds, administrators included. Only the seeded admin account
//!    passes a wall, and each such access is written to the audit log.
//! 2. A global `admin` may do everything else.
//! 3. Otherwise the best level granted to the caller or any of the caller's groups decides.
//!
//! A project the caller may not view answers 404, so its existence does not leak; one the
//! caller may view but not change as asked answers 403.

use lucidity_db::access::{self as facts_db, Level, ProjectFacts};
use lucidity_db::audit;
use lucidity_db::ids::ProjectId;
use serde_json::json;

use crate::error::ApiError;
use crate::principal::Principal;
use crate::state::AppState;

/// What the caller wants to do to a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    View,
    Edit,
    Manage,
}

impl Need {
    fn level(self) -> Level {
        match self {
            Self::View => Level::Viewer,
            Self::Edit => Level::Editor,
            Self::Manage => Level::Admin,
        }
    }
}

/// What is being accessed.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Project(ProjectId),
    /// Users, groups, walls, credentials, settings and the audit log.
    Administration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed, with the level the caller holds on the project.
    Allow { level: Level, wall_override: bool },
    /// Visible but not permitted: 403.
    Forbidden,
    /// Not visible: 404.
    Hidden,
}

/// The pure rule set for one caller and one project.
pub fn decide(principal: &Principal, facts: &ProjectFacts, need: Need) -> Decision {
    if facts.walled {
        return match principal.is_seed_admin {
            true => Decision::Allow {
                level: Level::Admin,
                wall_override: true,
            },
            false => Decision::Hidden,
        };
    }
    if principal.is_admin() {
        return Decision::Allow {
            level: Level::Admin,
            wall_override: false,
        };
    }
    match facts.granted.0 {
        Some(level) if level >= need.level() => Decision::Allow {
            level,
            wall_override: false,
        },
        Some(_) => Decision::Forbidden,
        None => Decision::Hidden,
    }
}

/// Decides `need` on `target` for `principal`; returns the caller's level on a project
/// (`Admin` for the administration).
pub async fn authorize(
    state: &AppState,
    principal: &Principal,
    target: Target,
    need: Need,
) -> Result<Level, ApiError> {
    let project = match target {
        Target::Administration if principal.is_admin() => return Ok(Level::Admin),
        Target::Administration => return Err(ApiError::Forbidden("Administrator role required")),
        Target::Project(project) => project,
    };

    let facts = facts_db::project_facts(&state.db, principal.user_id, project).await?;
    let facts = facts.ok_or(ApiError::NotFound)?;
    match decide(principal, &facts, need) {
        Decision::Allow {
            level,
            wall_override,
        } => {
            if wall_override {
                record_wall_override(state, principal, project).await?;
            }
            Ok(level)
        }
        Decision::Forbidden => Err(ApiError::Forbidden(
            "Your access to this project does not allow this",
        )),
        Decision::Hidden => Err(ApiError::NotFound),
    }
}

/// Every project the caller may view, with the caller's level on it: the listing form of
/// [`authorize`], through the same [`decide`]. Wall overrides are audited here too.
pub async fn visible_projects(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<(ProjectId, Level)>, ApiError> {
    let facts = facts_db::all_project_facts(&state.db, principal.user_id).await?;
    let mut visible = Vec::new();
    for facts in facts {
        if let Decision::Allow {
            level,
            wall_override,
        } = decide(principal, &facts, Need::View)
        {
            if wall_override {
                record_wall_override(state, principal, facts.project_id).await?;
            }
            visible.push((facts.project_id, level));
        }
    }
    Ok(visible)
}

/// Every pass through a wall leaves an audit entry.
pub async fn record_wall_override(
    state: &AppState,
    principal: &Principal,
    project: ProjectId,
) -> Result<(), ApiError> {
    tracing::warn!(user.id = %principal.user_id, project.id = %project, "ethical wall override");
    let entry = audit::Entry {
        actor: Some(principal.user_id),
        action: "wall.override",
        target_type: Some("project"),
        target_id: Some(project.to_string()),
        detail: json!({ "session_id": principal.session_id }),
        ..Default::default()
    };
    audit::insert_entry(&state.db, &entry).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lucidity_db::access::GrantedLevel;
    use lucidity_db::ids::{SessionId, UserId};
    use lucidity_db::users::Role;

    fn principal(role: Role, seed: bool) -> Principal {
        Principal {
            user_id: UserId::new(),
            email: "someone@firm.example".into(),
            display_name: String::new(),
            role,
            is_seed_admin: seed,
            must_change_password: false,
            session_id: SessionId::new(),
            credential_id: None,
        }
    }

    fn facts(walled: bool, granted: Option<Level>) -> ProjectFacts {
        ProjectFacts {
            project_id: ProjectId::new(),
            walled,
            granted: GrantedLevel(granted),
        }
    }

    #[test]
    fn a_wall_hides_the_project_even_from_an_admin_with_a_grant() {
        let admin = principal(Role::Admin, false);
        let decision = decide(&admin, &facts(true, Some(Level::Admin)), Need::View);
        assert_eq!(decision, Decision::Hidden);
    }

    #[test]
    fn only_the_seed_admin_passes_a_wall_and_it_is_flagged() {
        let seed = principal(Role::Admin, true);
        let decision = decide(&seed, &facts(true, None), Need::Manage);
        assert_eq!(
            decision,
            Decision::Allow {
                level: Level::Admin,
                wall_override: true
            }
        );
    }

    #[test]
    fn levels_order_viewer_editor_admin() {
        let user = principal(Role::User, false);
        let viewer = facts(false, Some(Level::Viewer));
        assert!(matches!(
            decide(&user, &viewer, Need::View),
            Decision::Allow { .. }
        ));
        assert_eq!(decide(&user, &viewer, Need::Edit), Decision::Forbidden);
        let editor = facts(false, Some(Level::Editor));
        assert!(matches!(
            decide(&user, &editor, Need::Edit),
            Decision::Allow { .. }
        ));
        assert_eq!(decide(&user, &editor, Need::Manage), Decision::Forbidden);
    }

    #[test]
    fn no_grant_means_not_found() {
        let user = principal(Role::User, false);
        assert_eq!(
            decide(&user, &facts(false, None), Need::View),
            Decision::Hidden
        );
    }
}
