//! Typed identifiers.
//!
//! Every table keyed by a UUID gets its own newtype, so the compiler catches a group id handed
//! to a query that wants a user id. They serialise as plain UUID strings.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            sqlx::Type, utoipa::ToSchema,
        )]
        #[schema(value_type = String, format = Uuid)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random identifier.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A row of `users`.
    UserId
);
id_type!(
    /// A row of `groups`.
    GroupId
);
id_type!(
    /// A row of `projects`: a matter that groups documents.
    ProjectId
);
id_type!(
    /// A row of `project_grants`.
    GrantId
);
id_type!(
    /// A row of `ethical_walls`.
    WallId
);
id_type!(
    /// A row of `sessions`: one login and its refresh-token family.
    SessionId
);
id_type!(
    /// A row of `api_credentials`.
    CredentialId
);
id_type!(
    /// A row of `documents`: one uploaded file.
    DocumentId
);
