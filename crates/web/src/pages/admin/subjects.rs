//! Who a grant or a wall names: one user or one group, never both.
//!
//! The select that picks one carries `user:<id>` or `group:<id>`, so a single field says both
//! what kind of subject it is and which; the API is then sent `user_id` or `group_id`.

use serde_json::{Map, Value};
use uuid::Uuid;

use super::Choice;
use super::groups::Group;
use super::users::User;
use crate::backend::{Api, BackendError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    User(Uuid),
    Group(Uuid),
}

impl Subject {
    /// Reads a select's `user:<id>` or `group:<id>`.
    pub fn parse(value: &str) -> Option<Self> {
        let (kind, id) = value.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "user" => Some(Self::User(id)),
            "group" => Some(Self::Group(id)),
            _ => None,
        }
    }

    /// The subject of an API record, which sets exactly one of the two ids.
    pub fn of(user_id: Option<Uuid>, group_id: Option<Uuid>) -> Option<Self> {
        match (user_id, group_id) {
            (Some(user), None) => Some(Self::User(user)),
            (None, Some(group)) => Some(Self::Group(group)),
            _ => None,
        }
    }

    /// The select's value for this subject.
    pub fn value(self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::Group(id) => format!("group:{id}"),
        }
    }

    /// The request fields the API reads the subject from.
    pub fn fields(self) -> Map<String, Value> {
        let (name, id) = match self {
            Self::User(id) => ("user_id", id),
            Self::Group(id) => ("group_id", id),
        };
        let mut fields = Map::new();
        fields.insert(name.to_owned(), Value::String(id.to_string()));
        fields
    }
}

/// Every user and group, to name subjects and to offer them in a select.
pub struct Directory {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
}

/// How a subject reads in a table.
pub struct SubjectName {
    pub name: String,
    /// "Person" or "Group".
    pub kind: &'static str,
    /// The user's email, or nothing for a group.
    pub detail: String,
}

/// The options of a subject select, people and groups apart.
#[derive(Default)]
pub struct SubjectChoices {
    pub people: Vec<Choice>,
    pub groups: Vec<Choice>,
}

impl Directory {
    pub async fn load(api: &Api<'_>) -> Result<Self, BackendError> {
        let (users, groups) = tokio::join!(
            api.get::<Vec<User>>("/api/v1/admin/users"),
            api.get::<Vec<Group>>("/api/v1/admin/groups"),
        );
        Ok(Self {
            users: users?,
            groups: groups?,
        })
    }

    /// The subject's name; one deleted since the record was read shows as unknown.
    pub fn name(&self, subject: Option<Subject>) -> SubjectName {
        let found = match subject {
            Some(Subject::User(id)) => {
                self.users
                    .iter()
                    .find(|u| u.id == id)
                    .map(|user| SubjectName {
                        name: user.name().to_owned(),
                        kind: "Person",
                        detail: user.email.clone(),
                    })
            }
            Some(Subject::Group(id)) => {
                self.groups
                    .iter()
                    .find(|g| g.id == id)
                    .map(|group| SubjectName {
                        name: group.name.clone(),
                        kind: "Group",
                        detail: String::new(),
                    })
            }
            None => None,
        };
        found.unwrap_or_else(|| SubjectName {
            name: "Unknown".to_owned(),
            kind: "",
            detail: String::new(),
        })
    }

    /// Active people and every group, with `selected` (a select's value) chosen.
    pub fn choices(&self, selected: &str) -> SubjectChoices {
        let people = self
            .users
            .iter()
            .filter(|user| user.is_active)
            .map(|user| {
                let value = Subject::User(user.id).value();
                let label = format!("{} ({})", user.name(), user.email);
                let chosen = value == selected;
                Choice::new(value, label, chosen)
            })
            .collect();
        let groups = self
            .groups
            .iter()
            .map(|group| {
                let value = Subject::Group(group.id).value();
                let chosen = value == selected;
                Choice::new(value, group.name.clone(), chosen)
            })
            .collect();
        SubjectChoices { people, groups }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_survives_its_round_trip_through_the_select() {
        let id = Uuid::new_v4();
        for subject in [Subject::User(id), Subject::Group(id)] {
            assert_eq!(Subject::parse(&subject.value()), Some(subject));
        }
        assert!(Subject::parse("project:00000000-0000-0000-0000-000000000000").is_none());
        assert!(Subject::parse("user:not-an-id").is_none());
        assert!(Subject::parse("").is_none());
    }

    #[test]
    fn the_api_is_sent_the_id_field_of_the_subject_kind() {
        let id = Uuid::new_v4();
        let fields = Subject::Group(id).fields();
        assert_eq!(fields.get("group_id"), Some(&Value::String(id.to_string())));
        assert!(!fields.contains_key("user_id"));
    }
}
