//! The OpenAPI document's frame: title, tags and the bearer security scheme. Paths and schemas
//! are collected from the handlers by `crate::routes`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Contract Lucidity API",
        description = "Self-hosted contract intelligence. Errors are `{\"detail\": \"...\"}`; \
                       validation errors (422) list each offending field.",
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Sign-in, tokens and the caller's account"),
        (name = "projects", description = "Projects (matters) and who may access them"),
        (name = "documents", description = "Uploads, a project's document table, originals, \
                                              text, activity and the dashboard"),
        (name = "admin", description = "Users, groups, ethical walls, credentials, settings, \
                                          the AI capability mapping"),
        (name = "analysis", description = "Reports, clauses, findings, obligations and reviews"),
        (name = "search", description = "Keyword, semantic and hybrid search over passages"),
        (name = "playbook", description = "The firm's playbook and its administration"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}
