//! Administration (`/admin/...`), for administrators only: users, groups, project access,
//! ethical walls, system settings, the playbook and the AI capability mapping.
//!
//! The backend refuses every administrative call from anyone else; these pages also check the
//! role first, so a non-administrator sees a plain refusal rather than a broken page. Every form
//! posts here, and the handler calls the API, then either redirects back with a flash message
//! named by a fixed key (`?done=...`, never text from the request) or shows the form again with
//! the API's reasons and its status.

mod access;
mod ai;
mod groups;
mod playbook;
mod settings;
mod subjects;
mod users;
mod walls;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, RawForm, State};
use axum::response::Response;
use axum::routing::{get, post};
use http::StatusCode;
use http::request::Parts;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{Nav, Signed, backend_failure, error_page, redirect_to, render};
use crate::backend::{BackendError, Refusal};
use crate::state::AppState;

/// Every administration route; the paths mirror the API's resources they manage.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(show_overview))
        .route(
            "/admin/users",
            get(users::list_users).post(users::create_user),
        )
        .route(
            "/admin/users/{id}",
            get(users::show_user).post(users::update_user),
        )
        .route("/admin/users/{id}/active", post(users::set_active))
        .route("/admin/users/{id}/password", post(users::reset_password))
        .route(
            "/admin/groups",
            get(groups::list_groups).post(groups::create_group),
        )
        .route("/admin/groups/{id}", get(groups::show_group))
        .route("/admin/groups/{id}/delete", post(groups::delete_group))
        .route("/admin/groups/{id}/members", post(groups::add_member))
        .route(
            "/admin/groups/{id}/members/{user_id}/remove",
            post(groups::remove_member),
        )
        .route("/admin/access", get(access::show_access))
        .route("/admin/access/{project}/grants", post(access::create_grant))
        .route(
            "/admin/access/{project}/grants/{grant}/remove",
            post(access::remove_grant),
        )
        .route(
            "/admin/walls",
            get(walls::list_walls).post(walls::create_wall),
        )
        .route("/admin/walls/{id}/delete", post(walls::delete_wall))
        .route(
            "/admin/settings",
            get(settings::show_settings).post(settings::save_settings),
        )
        .route(
            "/admin/playbook",
            get(playbook::list_entries).post(playbook::create_entry),
        )
        .route("/admin/playbook/new", get(playbook::new_entry))
        .route(
            "/admin/playbook/{id}",
            get(playbook::edit_entry).post(playbook::save_entry),
        )
        .route("/admin/playbook/{id}/delete", post(playbook::delete_entry))
        .route("/admin/ai", get(ai::list_capabilities))
        .route("/admin/ai/{capability}", post(ai::save_capability))
}

/// A signed-in administrator; anyone else is refused with 403 before any call is made.
pub struct Admin(pub Signed);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let signed = Signed::from_request_parts(parts, state).await?;
        match signed.user.is_admin() {
            true => Ok(Self(signed)),
            false => Err(error_page(
                StatusCode::FORBIDDEN,
                "Only administrators can open this page.",
            )),
        }
    }
}

/// The `?done=` key a redirect after a successful form carries.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

/// The text of a flash message. Only these keys show anything, so a crafted link cannot put
/// words of its own on an administration page.
fn flash_text(key: &str) -> Option<&'static str> {
    let text = match key {
        "user_created" => {
            "The account was created. Give the person their temporary password; they must \
             change it when they first sign in."
        }
        "user_updated" => "The account was updated.",
        "user_deactivated" => "The account was deactivated and its sessions ended.",
        "user_reactivated" => "The account was reactivated.",
        "password_reset" => {
            "The temporary password was set and the account's sessions ended. The person \
             must change it when they next sign in."
        }
        "group_created" => "The group was created. Add its members below it.",
        "group_deleted" => "The group was deleted, with its grants and walls.",
        "member_added" => "The member was added.",
        "member_removed" => "The member was removed.",
        "grant_added" => "Access was granted.",
        "grant_removed" => "The grant was removed.",
        "wall_created" => "The wall is up; it applies from the next request.",
        "wall_deleted" => "The wall was taken down.",
        "settings_saved" => "The settings were saved.",
        "entry_created" => "The playbook entry was added.",
        "entry_saved" => "The playbook entry was saved.",
        "entry_deleted" => "The playbook entry was deleted.",
        "capability_saved" => "The capability mapping was saved.",
        _ => return None,
    };
    Some(text)
}

/// `303` back to `path` with the flash message `key`.
fn done(path: &str, key: &'static str) -> Response {
    let separator = match path.contains('?') {
        true => '&',
        false => '?',
    };
    redirect_to(&format!("{path}{separator}done={key}"))
}

/// What a page shows above its content besides the data: the status it answers with, a flash
/// after a successful change, or the reasons a change was refused.
struct Feedback {
    status: StatusCode,
    flash: Option<&'static str>,
    messages: Vec<String>,
}

impl Feedback {
    /// A page opened by a link or a redirect: 200, with the flash `done` names, if any.
    fn shown(done: &str) -> Self {
        Self {
            status: StatusCode::OK,
            flash: flash_text(done),
            messages: Vec::new(),
        }
    }

    /// A form this process refused before asking the API: 422 with one reason.
    fn invalid(message: &str) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            flash: None,
            messages: vec![message.to_owned()],
        }
    }
}

/// The result of a form's call to the API, as the handler acts on it.
enum Outcome<T> {
    Done(T),
    /// The API refused the change; the page shows the form again with these reasons.
    Refused(Feedback),
    /// Anything else: a lost session, an unavailable backend; the response says so.
    Failed(Response),
}

/// Sorts a call's result. `summary` heads the API's reasons, which name no field by
/// themselves ("must not be empty").
fn outcome<T>(result: Result<T, BackendError>, summary: &str) -> Outcome<T> {
    match result {
        Ok(value) => Outcome::Done(value),
        Err(BackendError::Refused(refusal)) if is_form_problem(&refusal) => {
            let mut messages = vec![summary.to_owned()];
            messages.extend(refusal.messages);
            Outcome::Refused(Feedback {
                status: refusal.status,
                flash: None,
                messages,
            })
        }
        Err(error) => Outcome::Failed(backend_failure(error)),
    }
}

/// A refusal the form can explain. A lost session or a required password change is not one:
/// [`backend_failure`] sends the browser where it must go instead.
fn is_form_problem(refusal: &Refusal) -> bool {
    refusal.status.is_client_error()
        && refusal.status != StatusCode::UNAUTHORIZED
        && !refusal.requires_password_change()
}

/// One option of a select or one checkbox of a set.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

impl Choice {
    fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

/// A posted form's fields in order. Forms with checkbox sets repeat a name, which the `Form`
/// extractor cannot read into a list.
struct Posted(Vec<(String, String)>);

impl Posted {
    fn parse(RawForm(bytes): RawForm) -> Self {
        let fields = form_urlencoded::parse(&bytes).into_owned().collect();
        Self(fields)
    }

    /// The first value of `name`, trimmed; empty when the form has none.
    fn value(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.trim())
    }

    /// Every value of `name`, in the form's order.
    fn values(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_owned())
            .collect()
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }
}

/// The non-blank lines of a text area, trimmed: one list item per line.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct OverviewPage {
    nav: Nav,
    section: &'static str,
    counts: [Count; 4],
}

/// One figure of the overview, linking to the section that manages it.
struct Count {
    label: &'static str,
    value: usize,
    href: &'static str,
}

#[derive(Deserialize)]
struct PlaybookCount {
    entries: Vec<IgnoredAny>,
}

async fn show_overview(State(state): State<AppState>, Admin(signed): Admin) -> Response {
    let api = signed.session.api(&state);
    let (users, groups, walls, playbook) = tokio::join!(
        api.get::<Vec<IgnoredAny>>("/api/v1/admin/users"),
        api.get::<Vec<IgnoredAny>>("/api/v1/admin/groups"),
        api.get::<Vec<IgnoredAny>>("/api/v1/admin/walls"),
        api.get::<PlaybookCount>("/api/v1/playbook"),
    );
    let counts = match (users, groups, walls, playbook) {
        (Ok(users), Ok(groups), Ok(walls), Ok(playbook)) => [
            Count::new("Users", users.len(), "/admin/users"),
            Count::new("Groups", groups.len(), "/admin/groups"),
            Count::new("Ethical walls", walls.len(), "/admin/walls"),
            Count::new(
                "Playbook entries",
                playbook.entries.len(),
                "/admin/playbook",
            ),
        ],
        (Err(error), ..) | (_, Err(error), ..) | (_, _, Err(error), _) | (.., Err(error)) => {
            return backend_failure(error);
        }
    };

    let page = OverviewPage {
        nav: signed.nav("admin"),
        section: "overview",
        counts,
    };
    render(StatusCode::OK, &page)
}

impl Count {
    fn new(label: &'static str, value: usize, href: &'static str) -> Self {
        Self { label, value, href }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_keys_have_a_flash_message() {
        assert!(flash_text("user_created").is_some());
        assert_eq!(flash_text("<script>alert(1)</script>"), None);
        assert_eq!(flash_text(""), None);
    }

    #[test]
    fn the_done_key_joins_an_existing_query() {
        let response = done("/admin/access?project=abc", "grant_added");
        let location = response.headers()[http::header::LOCATION]
            .to_str()
            .unwrap_or("");
        assert_eq!(location, "/admin/access?project=abc&done=grant_added");
    }

    #[test]
    fn lines_drops_blank_lines_and_trims_the_rest() {
        assert_eq!(lines(" England \n\n Wales\r\n"), vec!["England", "Wales"]);
    }
}
