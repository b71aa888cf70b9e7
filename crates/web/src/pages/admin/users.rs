//! Accounts (`/admin/users`): the list and the form that creates one with a temporary password,
//! and a page per account (`/admin/users/{id}`) to change its name or role, deactivate or
//! reactivate it, or set a new temporary password.
//!
//! Passwords typed here go to the API and nowhere else: never into a log, never back into a
//! form shown again after a refusal.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{Admin, Choice, DoneQuery, Feedback, Outcome, done, outcome};
use crate::pages::{Nav, Signed, backend_failure, error_page, render, view};
use crate::state::AppState;

const USERS_PATH: &str = "/api/v1/admin/users";

/// An account as the API lists it.
#[derive(Deserialize)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    pub role: String,
    pub is_active: bool,
    /// The account created from `DEFAULT_ADMIN_EMAIL`, which cannot be demoted or deactivated.
    #[serde(default)]
    pub is_default_admin: bool,
    #[serde(default)]
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// The display name, or the email for an account without one.
    pub fn name(&self) -> &str {
        match self.display_name.trim() {
            "" => &self.email,
            name => name,
        }
    }
}

/// The roles the API knows, with the words the pages use for them.
const ROLES: [(&str, &str); 2] = [("user", "User"), ("admin", "Administrator")];

fn role_label(role: &str) -> String {
    ROLES
        .iter()
        .find(|(value, _)| *value == role)
        .map_or_else(|| view::humanise(role), |(_, label)| (*label).to_owned())
}

fn role_choices(current: &str) -> Vec<Choice> {
    ROLES
        .iter()
        .map(|(value, label)| Choice::new(*value, *label, *value == current))
        .collect()
}

struct UserRow {
    id: String,
    name: String,
    email: String,
    role: String,
    is_admin: bool,
    is_active: bool,
    is_default_admin: bool,
    must_change_password: bool,
    created: String,
}

fn user_row(user: &User) -> UserRow {
    UserRow {
        id: user.id.to_string(),
        name: user.name().to_owned(),
        email: user.email.clone(),
        role: role_label(&user.role),
        is_admin: user.role == "admin",
        is_active: user.is_active,
        is_default_admin: user.is_default_admin,
        must_change_password: user.must_change_password,
        created: view::timestamp(&user.created_at),
    }
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    users: Vec<UserRow>,
    email: String,
    display_name: String,
    roles: Vec<Choice>,
}

/// The form that creates an account. No `Debug`: it holds a password.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    email: String,
    display_name: String,
    role: String,
    password: String,
}

#[derive(Serialize)]
struct NewUser<'a> {
    email: &'a str,
    display_name: &'a str,
    role: &'a str,
    /// Temporary: the API makes the person change it at their first sign-in.
    password: &'a str,
}

pub async fn list_users(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Query(query): Query<DoneQuery>,
) -> Response {
    let feedback = Feedback::shown(&query.done);
    show_list(&state, &signed, feedback, NewUserForm::default()).await
}

pub async fn create_user(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Form(form): Form<NewUserForm>,
) -> Response {
    let body = NewUser {
        email: form.email.trim(),
        display_name: form.display_name.trim(),
        role: &form.role,
        password: &form.password,
    };
    let api = signed.session.api(&state);
    let created = api.call(Method::POST, USERS_PATH, Some(&body)).await;

    match outcome(created, "The account could not be created.") {
        Outcome::Done(()) => done("/admin/users", "user_created"),
        Outcome::Refused(feedback) => show_list(&state, &signed, feedback, form).await,
        Outcome::Failed(response) => response,
    }
}

/// The list and the creation form, which keeps what was typed except the password.
async fn show_list(
    state: &AppState,
    signed: &Signed,
    feedback: Feedback,
    form: NewUserForm,
) -> Response {
    let api = signed.session.api(state);
    let users = match api.get::<Vec<User>>(USERS_PATH).await {
        Ok(users) => users,
        Err(error) => return backend_failure(error),
    };

    let role = match form.role.as_str() {
        "" => "user",
        role => role,
    };
    let page = UsersPage {
        nav: signed.nav("admin"),
        section: "users",
        flash: feedback.flash,
        messages: feedback.messages,
        users: users.iter().map(user_row).collect(),
        roles: role_choices(role),
        email: form.email,
        display_name: form.display_name,
    };
    render(feedback.status, &page)
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    user: UserRow,
    display_name: String,
    roles: Vec<Choice>,
}

/// The name and role form of an account's page.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    display_name: String,
    role: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ActiveForm {
    /// `true` to reactivate, `false` to deactivate.
    is_active: String,
}

/// A new temporary password. No `Debug`: it holds a password.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    new_password: String,
}

#[derive(Serialize)]
struct PasswordReset<'a> {
    new_password: &'a str,
}

pub async fn show_user(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<Uuid>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let feedback = Feedback::shown(&query.done);
    show_account(&state, &signed, id, feedback, None).await
}

pub async fn update_user(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<Uuid>,
    Form(form): Form<DetailsForm>,
) -> Response {
    let body = json!({ "display_name": form.display_name.trim(), "role": form.role });
    let updated = patch_user(&state, &signed, id, &body).await;

    match outcome(updated, "The account could not be updated.") {
        Outcome::Done(()) => done(&format!("/admin/users/{id}"), "user_updated"),
        Outcome::Refused(feedback) => show_account(&state, &signed, id, feedback, Some(form)).await,
        Outcome::Failed(response) => response,
    }
}

/// Deactivates (ending every session of the account at once) or reactivates an account.
pub async fn set_active(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<Uuid>,
    Form(form): Form<ActiveForm>,
) -> Response {
    let (is_active, key) = match form.is_active.as_str() {
        "true" => (true, "user_reactivated"),
        "false" => (false, "user_deactivated"),
        _ => {
            let feedback = Feedback::invalid("Choose whether the account is active.");
            return show_account(&state, &signed, id, feedback, None).await;
        }
    };
    let body = json!({ "is_active": is_active });
    let updated = patch_user(&state, &signed, id, &body).await;

    match outcome(updated, "The account could not be changed.") {
        Outcome::Done(()) => done(&format!("/admin/users/{id}"), key),
        Outcome::Refused(feedback) => show_account(&state, &signed, id, feedback, None).await,
        Outcome::Failed(response) => response,
    }
}

/// Sets a temporary password; the API ends the account's sessions and asks for a new one at
/// the next sign-in.
pub async fn reset_password(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<Uuid>,
    Form(form): Form<ResetForm>,
) -> Response {
    let body = PasswordReset {
        new_password: &form.new_password,
    };
    let path = format!("{USERS_PATH}/{id}/reset-password");
    let api = signed.session.api(&state);
    let reset = api.call(Method::POST, &path, Some(&body)).await;

    match outcome(reset, "The temporary password was not set.") {
        Outcome::Done(()) => done(&format!("/admin/users/{id}"), "password_reset"),
        Outcome::Refused(feedback) => show_account(&state, &signed, id, feedback, None).await,
        Outcome::Failed(response) => response,
    }
}

async fn patch_user(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
    body: &serde_json::Value,
) -> Result<(), crate::backend::BackendError> {
    let path = format!("{USERS_PATH}/{id}");
    let api = signed.session.api(state);
    api.call(Method::PATCH, &path, Some(body)).await
}

/// An account's page. The API has no single-account read, so the list is read and searched.
async fn show_account(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
    feedback: Feedback,
    details: Option<DetailsForm>,
) -> Response {
    let api = signed.session.api(state);
    let users = match api.get::<Vec<User>>(USERS_PATH).await {
        Ok(users) => users,
        Err(error) => return backend_failure(error),
    };
    let Some(user) = users.iter().find(|user| user.id == id) else {
        return error_page(StatusCode::NOT_FOUND, "There is no such account.");
    };

    let details = details.unwrap_or_else(|| DetailsForm {
        display_name: user.display_name.clone(),
        role: user.role.clone(),
    });
    let page = UserPage {
        nav: signed.nav("admin"),
        section: "users",
        flash: feedback.flash,
        messages: feedback.messages,
        user: user_row(user),
        roles: role_choices(&details.role),
        display_name: details.display_name,
    };
    render(feedback.status, &page)
}
