//! The administration pages against the fake backend: who may open them, what they show, what
//! each form sends to the API, and how a refusal is shown.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::admin::*;
use crate::support::*;

fn admin() -> String {
    format!("cl_access={ADMIN_ACCESS}")
}

/// The JSON bodies of the changes recorded under `"<METHOD> <path>"`, oldest first.
fn sent(app: &TestApp, key: &str) -> Vec<Value> {
    app.backend
        .requests_to(key)
        .into_iter()
        .filter_map(|seen| seen.json)
        .collect()
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get_with_cookies(path, &admin()).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// Every administration page, as the fake backend fills them.
fn admin_pages() -> Vec<String> {
    vec![
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        format!("/admin/users/{GRACE_ID}"),
        "/admin/groups".to_owned(),
        format!("/admin/groups/{GROUP_ID}"),
        format!("/admin/access?project={PROJECT_ID}"),
        "/admin/walls".to_owned(),
        "/admin/settings".to_owned(),
        "/admin/playbook".to_owned(),
        "/admin/playbook/new".to_owned(),
        format!("/admin/playbook/{SEED_ENTRY}"),
        "/admin/ai".to_owned(),
    ]
}

#[tokio::test]
async fn a_signed_in_user_who_is_not_an_administrator_is_refused_every_admin_page() {
    let app = spawn_app().await;
    let member = format!("cl_access={MEMBER_ACCESS}");

    for path in admin_pages() {
        let response = app.get_with_cookies(&path, &member).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Only administrators"), "{path}: {html}");
    }
    let form = [
        ("email", "x@example.com"),
        ("role", "admin"),
        ("password", "a long enough password"),
    ];
    let response = app
        .post_form_with_cookies("/admin/users", &form, &member)
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(app.backend.requests_to("/api/v1/admin/users").is_empty());
    assert!(sent(&app, "POST /api/v1/admin/users").is_empty());
}

#[tokio::test]
async fn the_overview_counts_users_groups_walls_and_playbook_entries() {
    let app = spawn_app().await;

    let html = page(&app, "/admin").await;

    assert!(
        html.contains(r#"<span class="stat-value">3</span>"#),
        "{html}"
    );
    assert!(html.contains(r#"<a class="stat-label" href="/admin/users">Users</a>"#));
    assert!(
        html.contains(r#"<span class="stat-value">2</span>"#),
        "{html}"
    );
    assert!(html.contains(r#"<a href="/admin" aria-current="page">Overview</a>"#));
}

#[tokio::test]
async fn no_admin_page_carries_inline_code_or_an_unprotected_form() {
    let app = spawn_app().await;

    for path in admin_pages() {
        let html = page(&app, &path).await;

        assert!(!html.contains("style="), "{path}");
        assert_eq!(html.matches("<script").count(), 1, "{path}");
        for handler in ["onclick=\"", "onsubmit=\"", "onchange=\"", "onload=\""] {
            assert!(!html.contains(handler), "{path}: {handler}");
        }
        assert!(
            !html.contains("<img"),
            "{path}: markup from the API was not escaped"
        );
        let posts = html.matches(r#"method="post""#).count();
        let tokens = html.matches(r#"name="csrf_token""#).count();
        assert_eq!(posts, tokens, "{path}: every post form repeats the token");
        let headers = html.matches("<th ").count() + html.matches("<th>").count();
        let scoped = html.matches(r#"<th scope="col""#).count();
        assert_eq!(headers, scoped, "{path}: every column header is scoped");
    }
}

#[tokio::test]
async fn the_users_page_lists_every_account_with_names_escaped() {
    let app = spawn_app().await;

    let html = page(&app, "/admin/users").await;

    assert!(
        html.contains("Grace &#60;script&#62;alert(1)&#60;/script&#62; Hopper"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("linus@example.com"));
    assert!(html.contains("Deactivated"));
    assert!(html.contains("Must change password"));
    assert!(html.contains("Default administrator"));
    assert!(html.contains(&format!(r#"href="/admin/users/{GRACE_ID}""#)));
    assert!(html.contains(r#"<a href="/admin/users" aria-current="page">Users</a>"#));
    assert!(html.contains(r#"<label for="user-password">Temporary password</label>"#));
}

#[tokio::test]
async fn creating_a_user_posts_the_account_and_redirects_with_a_flash() {
    let app = spawn_app().await;

    let form = [
        ("email", " new.person@example.com "),
        ("display_name", "New Person"),
        ("role", "user"),
        ("password", "a temporary password"),
    ];
    let response = app
        .post_form_with_cookies("/admin/users", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/users?done=user_created");
    let expected = json!({
        "email": "new.person@example.com",
        "display_name": "New Person",
        "role": "user",
        "password": "a temporary password",
    });
    assert_eq!(sent(&app, "POST /api/v1/admin/users"), vec![expected]);
    let html = page(&app, "/admin/users?done=user_created").await;
    assert!(html.contains(r#"<div class="flash" role="status">The account was created."#));
}

#[tokio::test]
async fn a_flash_key_the_pages_do_not_know_shows_nothing() {
    let app = spawn_app().await;

    let html = page(&app, "/admin/users?done=%3Cb%3Ehello%3C%2Fb%3E").await;

    assert!(!html.contains(r#"class="flash""#), "{html}");
    assert!(!html.contains("hello"));
}

#[tokio::test]
async fn a_refused_account_shows_the_reason_and_keeps_the_email_but_not_the_password() {
    let app = spawn_app().await;

    let form = [
        ("email", "new.person@example.com"),
        ("display_name", ""),
        ("role", "admin"),
        ("password", "short-pass"),
    ];
    let response = app
        .post_form_with_cookies("/admin/users", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("The account could not be created."), "{html}");
    assert!(html.contains("must be at least 12 characters long"));
    assert!(html.contains(r#"value="new.person@example.com""#));
    assert!(html.contains(r#"<option value="admin" selected>"#));
    assert!(
        !html.contains("short-pass"),
        "a password is never shown again"
    );
}

#[tokio::test]
async fn a_taken_email_keeps_the_conflict_status_and_the_api_reason() {
    let app = spawn_app().await;

    let form = [
        ("email", TAKEN_EMAIL),
        ("role", "user"),
        ("password", "a temporary password"),
    ];
    let response = app
        .post_form_with_cookies("/admin/users", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(html.contains("An account with this email already exists"));
}

#[tokio::test]
async fn deactivating_an_account_patches_it_inactive_and_says_so() {
    let app = spawn_app().await;

    let path = format!("/admin/users/{GRACE_ID}/active");
    let form = [("is_active", "false")];
    let response = app.post_form_with_cookies(&path, &form, &admin()).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let expected = format!("/admin/users/{GRACE_ID}?done=user_deactivated");
    assert_eq!(location(&response), expected);
    let key = format!("PATCH /api/v1/admin/users/{GRACE_ID}");
    assert_eq!(sent(&app, &key), vec![json!({ "is_active": false })]);
}

#[tokio::test]
async fn the_default_administrator_cannot_be_demoted_and_the_page_says_why() {
    let app = spawn_app().await;

    let path = format!("/admin/users/{ADMIN_ID}");
    let form = [("display_name", "Ada"), ("role", "user")];
    let response = app.post_form_with_cookies(&path, &form, &admin()).await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(html.contains("The account could not be updated."), "{html}");
    assert!(html.contains("cannot be demoted or deactivated"));
    let key = format!("PATCH /api/v1/admin/users/{ADMIN_ID}");
    assert_eq!(
        sent(&app, &key),
        vec![json!({ "display_name": "Ada", "role": "user" })]
    );
}

#[tokio::test]
async fn resetting_a_password_posts_the_temporary_one() {
    let app = spawn_app().await;

    let path = format!("/admin/users/{GRACE_ID}/password");
    let form = [("new_password", "another temporary one")];
    let response = app.post_form_with_cookies(&path, &form, &admin()).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let expected = format!("/admin/users/{GRACE_ID}?done=password_reset");
    assert_eq!(location(&response), expected);
    let key = format!("POST /api/v1/admin/users/{GRACE_ID}/reset-password");
    let body = json!({ "new_password": "another temporary one" });
    assert_eq!(sent(&app, &key), vec![body]);
}

#[tokio::test]
async fn the_page_of_an_account_that_does_not_exist_is_a_404() {
    let app = spawn_app().await;

    let path = "/admin/users/6f1c1a52-0000-4000-8000-0000000000ff";
    let response = app.get_with_cookies(path, &admin()).await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_groups_page_asks_before_deleting_and_deleting_calls_the_api() {
    let app = spawn_app().await;

    let html = page(&app, "/admin/groups").await;
    let confirm = r#"data-confirm="Delete the group Litigation &#60;team&#62;? Its grants"#;
    assert!(html.contains(confirm), "{html}");

    let path = format!("/admin/groups/{GROUP_ID}/delete");
    let response = app.post_form_with_cookies(&path, &[], &admin()).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/groups?done=group_deleted");
    let key = format!("DELETE /api/v1/admin/groups/{GROUP_ID}");
    assert_eq!(app.backend.requests_to(&key).len(), 1);
}

#[tokio::test]
async fn creating_a_group_posts_it_trimmed_and_opens_its_page() {
    let app = spawn_app().await;

    let form = [
        ("name", " Conveyancing "),
        ("description", "Property deals"),
    ];
    let response = app
        .post_form_with_cookies("/admin/groups", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let expected = format!("/admin/groups/{NEW_GROUP_ID}?done=group_created");
    assert_eq!(location(&response), expected);
    let body = json!({ "name": "Conveyancing", "description": "Property deals" });
    assert_eq!(sent(&app, "POST /api/v1/admin/groups"), vec![body]);
}

#[tokio::test]
async fn the_group_page_lists_members_and_offers_only_active_people_outside_it() {
    let app = spawn_app().await;

    let html = page(&app, &format!("/admin/groups/{GROUP_ID}")).await;

    assert!(html.contains("Grace &#60;script&#62;"), "{html}");
    assert!(html.contains(&format!(r#"<option value="{ADMIN_ID}">"#)));
    assert!(!html.contains(&format!(r#"<option value="{GRACE_ID}">"#)));
    assert!(
        !html.contains(&format!(r#"<option value="{LINUS_ID}">"#)),
        "a deactivated account is not offered"
    );
    let remove = format!(r#"action="/admin/groups/{GROUP_ID}/members/{GRACE_ID}/remove""#);
    assert!(html.contains(&remove));
}

#[tokio::test]
async fn adding_a_member_posts_the_user_id() {
    let app = spawn_app().await;

    let path = format!("/admin/groups/{GROUP_ID}/members");
    let response = app
        .post_form_with_cookies(&path, &[("user_id", ADMIN_ID)], &admin())
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let expected = format!("/admin/groups/{GROUP_ID}?done=member_added");
    assert_eq!(location(&response), expected);
    let key = format!("POST /api/v1/admin/groups/{GROUP_ID}/members");
    assert_eq!(sent(&app, &key), vec![json!({ "user_id": ADMIN_ID })]);
}

#[tokio::test]
async fn the_access_page_names_who_holds_each_grant_on_the_chosen_project() {
    let app = spawn_app().await;

    let html = page(&app, &format!("/admin/access?project={PROJECT_ID}")).await;

    assert!(html.contains(&format!(r#"<option value="{PROJECT_ID}" selected>"#)));
    assert!(html.contains("Grace &#60;script&#62;"), "{html}");
    assert!(html.contains("Litigation &#60;team&#62;"));
    assert!(html.contains(r#"<span class="tag">Editor</span>"#));
    assert!(html.contains(r#"<span class="tag">Viewer</span>"#));
    assert!(html.contains(&format!(r#"<option value="group:{GROUP_ID}" >"#)));
}

#[tokio::test]
async fn the_access_page_without_a_project_shows_only_the_picker() {
    let app = spawn_app().await;

    let html = page(&app, "/admin/access?project=not-an-id").await;

    assert!(html.contains(r#"<label for="access-project">Project</label>"#));
    assert!(!html.contains("Grant access"));
    assert!(
        app.backend
            .requests_to(&format!("/api/v1/projects/{PROJECT_ID}/grants"))
            .is_empty()
    );
}

#[tokio::test]
async fn granting_a_group_access_posts_its_id_and_level() {
    let app = spawn_app().await;

    let path = format!("/admin/access/{PROJECT_ID}/grants");
    let subject = format!("group:{GROUP_ID}");
    let form = [("subject", subject.as_str()), ("level", "editor")];
    let response = app.post_form_with_cookies(&path, &form, &admin()).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let expected = format!("/admin/access?project={PROJECT_ID}&done=grant_added");
    assert_eq!(location(&response), expected);
    let key = format!("POST /api/v1/projects/{PROJECT_ID}/grants");
    let body = json!({ "group_id": GROUP_ID, "level": "editor" });
    assert_eq!(sent(&app, &key), vec![body]);
}

#[tokio::test]
async fn a_level_the_api_refuses_is_shown_beside_the_grant_form_with_422() {
    let app = spawn_app().await;

    let path = format!("/admin/access/{PROJECT_ID}/grants");
    let subject = format!("user:{GRACE_ID}");
    let form = [("subject", subject.as_str()), ("level", "owner")];
    let response = app.post_form_with_cookies(&path, &form, &admin()).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Access could not be granted."), "{html}");
    assert!(html.contains("must be viewer, editor or admin"));
    assert!(html.contains(&format!(r#"<option value="user:{GRACE_ID}" selected>"#)));
}

#[tokio::test]
async fn a_grant_without_a_subject_is_refused_before_the_api_is_asked() {
    let app = spawn_app().await;

    let path = format!("/admin/access/{PROJECT_ID}/grants");
    let form = [("subject", ""), ("level", "viewer")];
    let response = app.post_form_with_cookies(&path, &form, &admin()).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Choose a person or group to grant access to."));
    let key = format!("POST /api/v1/projects/{PROJECT_ID}/grants");
    assert!(sent(&app, &key).is_empty());
}

#[tokio::test]
async fn removing_a_grant_deletes_it_and_returns_to_the_project() {
    let app = spawn_app().await;

    let path = format!("/admin/access/{PROJECT_ID}/grants/{GRANT_ID}/remove");
    let response = app.post_form_with_cookies(&path, &[], &admin()).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let expected = format!("/admin/access?project={PROJECT_ID}&done=grant_removed");
    assert_eq!(location(&response), expected);
    let key = format!("DELETE /api/v1/projects/{PROJECT_ID}/grants/{GRANT_ID}");
    assert_eq!(app.backend.requests_to(&key).len(), 1);
}

#[tokio::test]
async fn the_walls_page_names_the_project_and_the_person_kept_out() {
    let app = spawn_app().await;

    let html = page(&app, "/admin/walls").await;

    assert!(html.contains("<td>Office leases</td>"), "{html}");
    assert!(html.contains("Grace &#60;script&#62;"));
    assert!(html.contains("Acts for the landlord &#60;conflict&#62;"));
    assert!(html.contains(&format!(r#"action="/admin/walls/{WALL_ID}/delete""#)));
    assert!(html.contains("data-confirm=\"Take down the wall"));
}

#[tokio::test]
async fn putting_up_a_wall_posts_the_project_the_subject_and_the_reason() {
    let app = spawn_app().await;

    let subject = format!("user:{GRACE_ID}");
    let form = [
        ("project_id", OTHER_PROJECT_ID),
        ("subject", subject.as_str()),
        ("reason", " Acts for the tenant "),
    ];
    let response = app
        .post_form_with_cookies("/admin/walls", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/walls?done=wall_created");
    let body = json!({
        "project_id": OTHER_PROJECT_ID,
        "user_id": GRACE_ID,
        "reason": "Acts for the tenant",
    });
    assert_eq!(sent(&app, "POST /api/v1/admin/walls"), vec![body]);
}

#[tokio::test]
async fn deleting_a_wall_calls_the_api_and_says_so() {
    let app = spawn_app().await;

    let path = format!("/admin/walls/{WALL_ID}/delete");
    let response = app.post_form_with_cookies(&path, &[], &admin()).await;

    assert_eq!(location(&response), "/admin/walls?done=wall_deleted");
    let key = format!("DELETE /api/v1/admin/walls/{WALL_ID}");
    assert_eq!(app.backend.requests_to(&key).len(), 1);
}

#[tokio::test]
async fn the_settings_page_checks_the_allowed_types_and_shows_the_ceiling() {
    let app = spawn_app().await;

    let html = page(&app, "/admin/settings").await;

    assert!(html.contains(r#"value="pdf" checked>"#), "{html}");
    assert!(html.contains(r#"value="png" >"#));
    assert!(html.contains(r#"<label for="type-docx">Word document (.docx)</label>"#));
    assert!(html.contains(r#"max="100""#));
    assert!(html.contains(r#"value="50""#));
}

#[tokio::test]
async fn the_settings_form_sends_the_checked_types_and_the_limit() {
    let app = spawn_app().await;

    let form = [
        ("allowed_file_types", "pdf"),
        ("allowed_file_types", "txt"),
        ("max_upload_size_mb", "25"),
    ];
    let response = app
        .post_form_with_cookies("/admin/settings", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/settings?done=settings_saved");
    let body = json!({ "allowed_file_types": ["pdf", "txt"], "max_upload_size_mb": 25 });
    assert_eq!(sent(&app, "PATCH /api/v1/admin/settings"), vec![body]);
}

#[tokio::test]
async fn a_limit_above_the_ceiling_shows_the_api_reason_and_keeps_the_choices() {
    let app = spawn_app().await;

    let form = [("allowed_file_types", "txt"), ("max_upload_size_mb", "500")];
    let response = app
        .post_form_with_cookies("/admin/settings", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("the MAX_UPLOAD_SIZE_MB ceiling"), "{html}");
    assert!(html.contains(r#"value="txt" checked>"#));
    assert!(html.contains(r#"value="pdf" >"#));
    assert!(html.contains(r#"value="500""#));
}

#[tokio::test]
async fn a_limit_that_is_not_a_number_is_refused_before_the_api_is_asked() {
    let app = spawn_app().await;

    let form = [
        ("allowed_file_types", "pdf"),
        ("max_upload_size_mb", "lots"),
    ];
    let response = app
        .post_form_with_cookies("/admin/settings", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("whole number of megabytes"));
    assert!(sent(&app, "PATCH /api/v1/admin/settings").is_empty());
}

#[tokio::test]
async fn the_playbook_lists_entries_with_links_to_their_editor() {
    let app = spawn_app().await;

    let html = page(&app, "/admin/playbook").await;

    assert!(
        html.contains(
            r#"<a href="/admin/playbook/seed:governing_law">Governing law &#60;England&#62;</a>"#
        ),
        "{html}"
    );
    assert!(html.contains("Default playbook"));
    assert!(html.contains(r#"<span class="badge badge-waiting">Disabled</span>"#));
    assert!(html.contains(r#"<span class="risk risk-high">High</span>"#));
    assert!(html.contains(r#"action="/admin/playbook/entry:0f0e/delete""#));
}

#[tokio::test]
async fn the_entry_editor_shows_the_stored_rule_and_scope() {
    let app = spawn_app().await;

    let html = page(&app, &format!("/admin/playbook/{SEED_ENTRY}")).await;

    assert!(
        html.contains(r#"<option value="law_in" selected>"#),
        "{html}"
    );
    assert!(html.contains(">England and Wales\nScotland</textarea>"));
    assert!(html.contains(r#"value="nda" checked>"#));
    assert!(html.contains(r#"value="consulting" >"#));
    assert!(html.contains(r#"value="governing_law""#));
    assert!(html.contains(">Scots law\nIrish law</textarea>"));
    assert!(html.contains(r#"action="/admin/playbook/seed:governing_law""#));
}

#[tokio::test]
async fn saving_an_entry_puts_the_whole_entry_with_its_rule() {
    let app = spawn_app().await;

    let form = [
        ("kind", "position"),
        ("title", "Governing law"),
        ("text", "English law governs."),
        ("category", "governing_law"),
        ("doc_types", "nda"),
        ("doc_types", "lease"),
        ("severity", "high"),
        ("alternatives", "Scots law\r\n\r\nIrish law"),
        ("check", "law_in"),
        ("rule_number", ""),
        ("rule_list", "England and Wales\nScotland"),
        ("medium_from", ""),
        ("high_from", ""),
    ];
    let path = format!("/admin/playbook/{SEED_ENTRY}");
    let response = app.post_form_with_cookies(&path, &form, &admin()).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/playbook?done=entry_saved");
    let expected = json!({
        "kind": "position",
        "title": "Governing law",
        "text": "English law governs.",
        "category": "governing_law",
        "doc_types": ["nda", "lease"],
        "severity": "high",
        "alternatives": ["Scots law", "Irish law"],
        "rule": { "check": "law_in", "jurisdictions": ["England and Wales", "Scotland"] },
        "medium_from": null,
        "high_from": null,
        "enabled": false,
    });
    let key = format!("PUT /api/v1/admin/playbook/entries/{SEED_ENTRY}");
    assert_eq!(sent(&app, &key), vec![expected]);
}

#[tokio::test]
async fn a_new_entry_whose_check_lacks_its_number_is_refused_before_the_api_is_asked() {
    let app = spawn_app().await;

    let form = [
        ("kind", "position"),
        ("title", "Liability cap"),
        ("text", "Capped at twelve months of fees."),
        ("check", "cap_at_most_months"),
        ("rule_number", "a year"),
        ("enabled", "true"),
    ];
    let response = app
        .post_form_with_cookies("/admin/playbook", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("whole number of months or days"), "{html}");
    assert!(html.contains(r#"value="Liability cap""#));
    assert!(sent(&app, "POST /api/v1/admin/playbook/entries").is_empty());
}

#[tokio::test]
async fn deleting_an_entry_calls_the_api_with_its_id_in_the_path() {
    let app = spawn_app().await;

    let path = format!("/admin/playbook/{SEED_ENTRY}/delete");
    let response = app.post_form_with_cookies(&path, &[], &admin()).await;

    assert_eq!(location(&response), "/admin/playbook?done=entry_deleted");
    let key = format!("DELETE /api/v1/admin/playbook/entries/{SEED_ENTRY}");
    assert_eq!(app.backend.requests_to(&key).len(), 1);
}

#[tokio::test]
async fn the_ai_page_shows_what_serves_each_capability() {
    let app = spawn_app().await;

    let html = page(&app, "/admin/ai").await;

    assert!(html.contains("Extraction classification"), "{html}");
    assert!(html.contains("Not available in this build"));
    assert!(html.contains("Standing in for Anthropic,"));
    assert!(html.contains(r#"action="/admin/ai/reasoning""#));
    assert!(html.contains(r#"<label for="provider-reasoning">Provider</label>"#));
}

#[tokio::test]
async fn changing_a_capability_puts_the_provider_and_leaves_an_empty_model_out() {
    let app = spawn_app().await;

    let form = [("provider", "builtin"), ("model", " ")];
    let response = app
        .post_form_with_cookies("/admin/ai/reasoning", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/ai?done=capability_saved");
    let key = "PUT /api/v1/admin/ai/capabilities/reasoning";
    assert_eq!(sent(&app, key), vec![json!({ "provider": "builtin" })]);
}

#[tokio::test]
async fn a_provider_this_build_cannot_call_is_refused_with_the_api_reason() {
    let app = spawn_app().await;

    let form = [("provider", "openai"), ("model", "gpt-4o")];
    let response = app
        .post_form_with_cookies("/admin/ai/generation", &form, &admin())
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("openai is not available in this build"),
        "{html}"
    );
    let key = "PUT /api/v1/admin/ai/capabilities/generation";
    let body = json!({ "provider": "openai", "model": "gpt-4o" });
    assert_eq!(sent(&app, key), vec![body]);
}
