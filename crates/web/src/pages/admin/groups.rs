//! Groups (`/admin/groups`): the list, the form that creates one and a confirmed delete, and a
//! page per group (`/admin/groups/{id}`) with its members, where people are added and removed.
//!
//! A group lets one grant or one wall cover several people; deleting it takes its grants and
//! walls with it, which is why the delete asks first.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::Method;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::users::User;
use super::{Admin, Choice, DoneQuery, Feedback, Outcome, done, outcome};
use crate::pages::{Nav, Signed, backend_failure, render, view};
use crate::state::AppState;

const GROUPS_PATH: &str = "/api/v1/admin/groups";

/// A group as the API returns it.
#[derive(Deserialize)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub member_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
}

struct GroupRow {
    id: String,
    name: String,
    description: String,
    members: usize,
    created: String,
}

fn group_row(group: &Group) -> GroupRow {
    GroupRow {
        id: group.id.to_string(),
        name: group.name.clone(),
        description: group.description.clone(),
        members: group.member_ids.len(),
        created: view::timestamp(&group.created_at),
    }
}

#[derive(Template)]
#[template(path = "admin/groups.html")]
struct GroupsPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    groups: Vec<GroupRow>,
    name: String,
    description: String,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewGroupForm {
    name: String,
    description: String,
}

pub async fn list_groups(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Query(query): Query<DoneQuery>,
) -> Response {
    let feedback = Feedback::shown(&query.done);
    show_list(&state, &signed, feedback, NewGroupForm::default()).await
}

pub async fn create_group(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Form(form): Form<NewGroupForm>,
) -> Response {
    let body = NewGroupForm {
        name: form.name.trim().to_owned(),
        description: form.description.trim().to_owned(),
    };
    let api = signed.session.api(&state);
    let created = api
        .send_json::<_, Group>(Method::POST, GROUPS_PATH, &body)
        .await;

    match outcome(created, "The group could not be created.") {
        Outcome::Done(group) => done(&format!("/admin/groups/{}", group.id), "group_created"),
        Outcome::Refused(feedback) => show_list(&state, &signed, feedback, form).await,
        Outcome::Failed(response) => response,
    }
}

/// Deletes a group with its grants and walls; the page asks before the form is sent.
pub async fn delete_group(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<Uuid>,
) -> Response {
    let path = format!("{GROUPS_PATH}/{id}");
    let api = signed.session.api(&state);
    let deleted = api.call::<()>(Method::DELETE, &path, None).await;

    match outcome(deleted, "The group could not be deleted.") {
        Outcome::Done(()) => done("/admin/groups", "group_deleted"),
        Outcome::Refused(feedback) => {
            show_list(&state, &signed, feedback, NewGroupForm::default()).await
        }
        Outcome::Failed(response) => response,
    }
}

async fn show_list(
    state: &AppState,
    signed: &Signed,
    feedback: Feedback,
    form: NewGroupForm,
) -> Response {
    let api = signed.session.api(state);
    let groups = match api.get::<Vec<Group>>(GROUPS_PATH).await {
        Ok(groups) => groups,
        Err(error) => return backend_failure(error),
    };

    let page = GroupsPage {
        nav: signed.nav("admin"),
        section: "groups",
        flash: feedback.flash,
        messages: feedback.messages,
        groups: groups.iter().map(group_row).collect(),
        name: form.name,
        description: form.description,
    };
    render(feedback.status, &page)
}

#[derive(Template)]
#[template(path = "admin/group.html")]
struct GroupPage {
    nav: Nav,
    section: &'static str,
    flash: Option<&'static str>,
    messages: Vec<String>,
    group: GroupRow,
    members: Vec<MemberRow>,
    candidates: Vec<Choice>,
}

struct MemberRow {
    id: String,
    name: String,
    email: String,
    is_active: bool,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    user_id: String,
}

#[derive(Serialize)]
struct NewMember {
    user_id: Uuid,
}

pub async fn show_group(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<Uuid>,
    Query(query): Query<DoneQuery>,
) -> Response {
    show_members(&state, &signed, id, Feedback::shown(&query.done)).await
}

pub async fn add_member(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path(id): Path<Uuid>,
    Form(form): Form<MemberForm>,
) -> Response {
    let Ok(user_id) = Uuid::parse_str(form.user_id.trim()) else {
        let feedback = Feedback::invalid("Choose the person to add.");
        return show_members(&state, &signed, id, feedback).await;
    };
    let path = format!("{GROUPS_PATH}/{id}/members");
    let api = signed.session.api(&state);
    let added = api
        .call(Method::POST, &path, Some(&NewMember { user_id }))
        .await;

    match outcome(added, "The member could not be added.") {
        Outcome::Done(()) => done(&format!("/admin/groups/{id}"), "member_added"),
        Outcome::Refused(feedback) => show_members(&state, &signed, id, feedback).await,
        Outcome::Failed(response) => response,
    }
}

pub async fn remove_member(
    State(state): State<AppState>,
    Admin(signed): Admin,
    Path((id, user_id)): Path<(Uuid, Uuid)>,
) -> Response {
    let path = format!("{GROUPS_PATH}/{id}/members/{user_id}");
    let api = signed.session.api(&state);
    let removed = api.call::<()>(Method::DELETE, &path, None).await;

    match outcome(removed, "The member could not be removed.") {
        Outcome::Done(()) => done(&format!("/admin/groups/{id}"), "member_removed"),
        Outcome::Refused(feedback) => show_members(&state, &signed, id, feedback).await,
        Outcome::Failed(response) => response,
    }
}

/// A group's page: its members, and the active people not yet in it to choose from.
async fn show_members(state: &AppState, signed: &Signed, id: Uuid, feedback: Feedback) -> Response {
    let api = signed.session.api(state);
    let path = format!("{GROUPS_PATH}/{id}");
    let (group, users) = tokio::join!(
        api.get::<Group>(&path),
        api.get::<Vec<User>>("/api/v1/admin/users"),
    );
    let (group, users) = match (group, users) {
        (Ok(group), Ok(users)) => (group, users),
        (Err(error), _) | (_, Err(error)) => return backend_failure(error),
    };

    let page = GroupPage {
        nav: signed.nav("admin"),
        section: "groups",
        flash: feedback.flash,
        messages: feedback.messages,
        members: members(&group, &users),
        candidates: candidates(&group, &users),
        group: group_row(&group),
    };
    render(feedback.status, &page)
}

/// The members in the group's order; an id missing from the user list shows as itself.
fn members(group: &Group, users: &[User]) -> Vec<MemberRow> {
    group
        .member_ids
        .iter()
        .map(|id| match users.iter().find(|user| user.id == *id) {
            Some(user) => MemberRow {
                id: id.to_string(),
                name: user.name().to_owned(),
                email: user.email.clone(),
                is_active: user.is_active,
            },
            None => MemberRow {
                id: id.to_string(),
                name: id.to_string(),
                email: String::new(),
                is_active: false,
            },
        })
        .collect()
}

fn candidates(group: &Group, users: &[User]) -> Vec<Choice> {
    users
        .iter()
        .filter(|user| user.is_active && !group.member_ids.contains(&user.id))
        .map(|user| {
            let label = format!("{} ({})", user.name(), user.email);
            Choice::new(user.id.to_string(), label, false)
        })
        .collect()
}
