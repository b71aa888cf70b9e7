//! The web process end to end: real listener, real router, a fake backend behind it.
//!
//! Each test starts its own pair on port 0, so tests run in parallel without sharing state.

// A failed unwrap here is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

mod admin;
mod support;

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, ORIGIN, RETRY_AFTER};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use support::*;

#[tokio::test]
async fn the_login_page_answers_200_with_security_headers_and_no_script() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("an answer");

    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert!(
        headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none'; script-src 'self'; style-src 'self';"));
    assert!(policy.contains("frame-ancestors 'none'"));
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let html = response.text().await.unwrap();
    assert!(html.contains("Contract Lucidity"));
    assert!(html.contains(r#"<label for="email">"#));
    assert!(html.contains(r#"action="/login""#));
    let scripts: Vec<&str> = html
        .match_indices("<script")
        .map(|(at, _)| &html[at..])
        .collect();
    assert_eq!(scripts.len(), 1, "{html}");
    assert!(scripts[0].starts_with(r#"<script src="/static/app.js" defer></script>"#));
    assert!(
        !html.contains("style="),
        "inline styles break the content security policy"
    );
}

#[tokio::test]
async fn a_signed_in_visitor_at_the_root_goes_to_the_application() {
    let app = spawn_app().await;

    let response = app
        .get_with_cookies("/", &format!("cl_access={ADMIN_ACCESS}"))
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/app");
}

#[tokio::test]
async fn the_stylesheet_is_served_by_the_process_itself() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(response.text().await.unwrap().contains(".card"));
}

#[tokio::test]
async fn the_proxy_forwards_method_path_query_and_end_to_end_headers() {
    let app = spawn_app().await;

    let response = app
        .client
        .patch(app.url("/api/v1/echo/contracts/42?q=indemnity&page=2"))
        .header("x-custom", "kept")
        .header("authorization", "Bearer some-token")
        .header("proxy-authorization", "Basic dropped")
        .header("x-request-id", "test-request-7")
        .body("a small body")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let cookie = set_cookie(&response, "backend_cookie").expect("Set-Cookie passes through");
    assert_eq!(cookie, "backend_cookie=1; Path=/");
    assert_eq!(response.headers()["etag"], "\"v1\"");
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["method"], "PATCH");
    assert_eq!(echo["path"], "/api/v1/echo/contracts/42");
    assert_eq!(echo["query"], "q=indemnity&page=2");
    assert_eq!(echo["body_length"], 12);

    let headers = &echo["headers"];
    assert_eq!(headers["x-custom"], "kept");
    assert_eq!(headers["authorization"], "Bearer some-token");
    assert_eq!(headers["content-length"], "12");
    assert_eq!(headers["x-request-id"], "test-request-7");
    assert_eq!(headers["x-forwarded-proto"], "http");
    assert_eq!(
        headers["x-forwarded-host"],
        app.address.trim_start_matches("http://")
    );
    assert!(headers.get("proxy-authorization").is_none());
    let backend_host = headers["host"].as_str().unwrap();
    assert_ne!(backend_host, app.address.trim_start_matches("http://"));
}

#[tokio::test]
async fn the_proxy_appends_the_peer_to_x_forwarded_for() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/api/v1/echo/whoami"))
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();

    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["headers"]["x-forwarded-for"], "203.0.113.9, 127.0.0.1");
    assert!(
        echo["headers"].get("transfer-encoding").is_none(),
        "a GET stays body-less"
    );
    assert_eq!(echo["headers"]["x-forwarded-proto"], "https");
}

#[tokio::test]
async fn the_proxy_gives_each_request_an_id_when_it_has_none() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/api/v1/echo/id"))
        .send()
        .await
        .unwrap();

    let answered_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let echo: Value = response.json().await.unwrap();
    let forwarded_id = echo["headers"]["x-request-id"].as_str().unwrap();
    assert_eq!(forwarded_id.len(), 36, "a hyphenated UUID: {forwarded_id}");
    assert_eq!(forwarded_id, answered_id);
}

#[tokio::test]
async fn a_twenty_megabyte_upload_streams_through_the_proxy_intact() {
    let app = spawn_app().await;
    let chunks = pattern_chunks(20 * 1024 * 1024);
    let expected_hash = sha256_hex(&chunks);
    let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>));

    let response = app
        .client
        .post(app.url("/api/v1/echo/upload"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let echo: Value = response.json().await.unwrap();
    assert_eq!(echo["body_length"], 20 * 1024 * 1024);
    assert_eq!(echo["body_sha256"], expected_hash);
}

#[tokio::test]
async fn server_sent_events_arrive_one_at_a_time() {
    let app = spawn_app().await;

    let mut response = app
        .client
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");

    // The backend holds the second event back until the first has reached the browser.
    let first = within_five_seconds(response.chunk())
        .await
        .unwrap()
        .expect("a first event");
    assert_eq!(first.as_ref(), b"data: first\n\n");
    app.backend.release_second_event();
    let second = within_five_seconds(response.chunk())
        .await
        .unwrap()
        .expect("a second event");
    assert_eq!(second.as_ref(), b"data: second\n\n");
    assert!(
        within_five_seconds(response.chunk())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_proxy_answers_502_with_a_json_detail_when_the_backend_is_down() {
    let app = spawn_app_without_backend().await;

    let response = app
        .client
        .get(app.url("/api/v1/projects"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "detail": "The API is unavailable" }));
}

#[tokio::test]
async fn a_throttled_login_passes_retry_after_through_the_proxy() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": THROTTLED_EMAIL, "password": "guess" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[RETRY_AFTER], "60");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["detail"], "Too many failed logins; try again later");
}

#[tokio::test]
async fn a_path_that_climbs_out_of_api_never_reaches_the_backend() {
    let app = spawn_app().await;

    for path in ["/api/../metrics", "/api/v1/%2e%2e/%2E%2E/metrics"] {
        let mut stream = TcpStream::connect(socket_address(&app)).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        within_five_seconds(stream.read_to_string(&mut answer))
            .await
            .unwrap();

        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
    }
    assert!(app.backend.requests_to("/metrics").is_empty());
}

#[tokio::test]
async fn a_login_sets_http_only_cookies_and_redirects_to_the_app() {
    let app = spawn_app().await;

    let response = app
        .post_form("/login", &[("email", ADMIN_EMAIL), ("password", PASSWORD)])
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/app");
    let access = set_cookie(&response, "cl_access").expect("an access cookie");
    assert_eq!(
        access,
        "cl_access=access-admin; Max-Age=3570; Path=/; HttpOnly; SameSite=Strict"
    );
    let refresh = set_cookie(&response, "cl_refresh").expect("a refresh cookie");
    assert_eq!(
        refresh,
        "cl_refresh=refresh-admin; Max-Age=604800; Path=/; HttpOnly; SameSite=Strict"
    );

    let logins = app.backend.requests_to("/api/v1/auth/login");
    assert_eq!(logins.len(), 1);
    assert_eq!(
        logins[0].json,
        Some(json!({ "email": ADMIN_EMAIL, "password": PASSWORD }))
    );
    assert_eq!(logins[0].headers["x-forwarded-for"], "127.0.0.1");
}

#[tokio::test]
async fn a_login_that_must_change_its_password_goes_to_the_password_form() {
    let app = spawn_app().await;

    let form = [("email", NEWCOMER_EMAIL), ("password", PASSWORD)];
    let response = app.post_form("/login", &form).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/password");
    assert!(
        set_cookie(&response, "cl_access")
            .unwrap()
            .starts_with("cl_access=access-newcomer;")
    );
}

#[tokio::test]
async fn behind_an_https_public_url_every_cookie_is_secure_and_the_form_token_host_bound() {
    let app =
        spawn_app_with(&[("NEXT_PUBLIC_FRONTEND_URL", "https://contracts.example.com")]).await;

    let page = app.client.get(app.url("/")).send().await.unwrap();
    let response = app
        .client
        .post(app.url("/login"))
        .header(ORIGIN, "https://contracts.example.com")
        .header("cookie", with_form_token(""))
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", PASSWORD),
            ("csrf_token", FORM_TOKEN),
        ])
        .send()
        .await
        .unwrap();

    let token = set_cookie(&page, "__Host-cl_csrf").expect("the host-bound token cookie");
    assert!(token.ends_with("; Secure"), "{token}");
    assert!(set_cookie(&page, "cl_csrf").is_none());
    for name in ["cl_access", "cl_refresh"] {
        let cookie = set_cookie(&response, name).expect("a session cookie");
        assert!(cookie.ends_with("; Secure"), "{cookie}");
    }
}

#[tokio::test]
async fn in_production_the_session_cookies_are_secure() {
    let app = spawn_app_with(&[
        ("APP_ENV", "production"),
        ("POSTGRES_HOST", "db.internal"),
        ("JWT_SECRET_KEY", "3f9c1e7a5b2d4f608a1c3e5b7d9f1a2c4e6b8d0f"),
        ("DEFAULT_ADMIN_PASSWORD", "a-strong-admin-password-2026"),
    ])
    .await;

    let response = app
        .post_form("/login", &[("email", ADMIN_EMAIL), ("password", PASSWORD)])
        .await;

    assert!(
        set_cookie(&response, "cl_access")
            .unwrap()
            .ends_with("; Secure")
    );
    assert!(
        set_cookie(&response, "cl_refresh")
            .unwrap()
            .ends_with("; Secure")
    );
}

#[tokio::test]
async fn a_failed_login_shows_the_backend_message_escaped_and_keeps_the_email() {
    let app = spawn_app().await;

    let email = "intruder\"autofocus=\"@example.com";
    let response = app
        .post_form("/login", &[("email", email), ("password", "wrong")])
        .await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&response, "cl_access").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("Invalid email or password &#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("value=\"intruder&#34;autofocus=&#34;@example.com\""),
        "{html}"
    );
}

#[tokio::test]
async fn a_throttled_login_form_keeps_the_status_and_retry_after() {
    let app = spawn_app().await;

    let form = [("email", THROTTLED_EMAIL), ("password", "guess")];
    let response = app.post_form("/login", &form).await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[RETRY_AFTER], "60");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Too many failed logins")
    );
}

#[tokio::test]
async fn a_validation_error_shows_each_message() {
    let app = spawn_app().await;

    let response = app
        .post_form("/login", &[("email", ""), ("password", "x")])
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Field required"));
}

#[tokio::test]
async fn the_login_form_shows_an_error_page_when_the_backend_is_down() {
    let app = spawn_app_without_backend().await;

    let response = app
        .post_form("/login", &[("email", ADMIN_EMAIL), ("password", PASSWORD)])
        .await;

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("cannot reach its service")
    );
}

#[tokio::test]
async fn the_app_without_a_cookie_redirects_to_the_login_page() {
    let app = spawn_app().await;

    let response = app.client.get(app.url("/app")).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn the_app_with_an_expired_token_redirects_to_the_login_page() {
    let app = spawn_app().await;

    let response = app
        .get_with_cookies("/app", "cl_access=expired-token")
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_with_the_refresh_cookie() {
    let app = spawn_app().await;

    let cookies = format!("cl_access=expired-token; cl_refresh={ADMIN_REFRESH}");
    let response = app.get_with_cookies("/app", &cookies).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/app");
    let set: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        set.iter()
            .any(|c| c.starts_with(&format!("cl_access={ADMIN_ACCESS};"))),
        "{set:?}"
    );
    assert!(set.iter().any(|c| c.starts_with("cl_refresh=")), "{set:?}");
}

#[tokio::test]
async fn a_refused_refresh_cookie_ends_the_session_and_asks_to_sign_in() {
    let app = spawn_app().await;

    let response = app
        .get_with_cookies("/app", "cl_refresh=stolen-and-reused")
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let set: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        set.iter()
            .any(|c| c.starts_with("cl_access=;") && c.contains("Max-Age=0")),
        "{set:?}"
    );
}

#[tokio::test]
async fn the_dashboard_shows_the_user_charts_and_escaped_deadlines() {
    let app = spawn_app().await;

    let cookies = format!("cl_access={ADMIN_ACCESS}; cl_refresh={ADMIN_REFRESH}");
    let response = app.get_with_cookies("/app", &cookies).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("Welcome back, Ada &#60;Admin&#62;"), "{html}");
    assert!(html.contains(r#"<svg viewBox="0 0 400"#), "{html}");
    assert!(html.contains("<title>High: 1</title>"), "{html}");
    assert!(
        html.contains("Supply &#60;b&#62;agreement&#60;/b&#62;.pdf"),
        "{html}"
    );
    assert!(!html.contains("<b>agreement"));
    assert!(html.contains("31 Jan 2027"));
    assert!(
        html.contains("Supplier must deliver a &#60;i&#62;quarterly&#60;/i&#62; report"),
        "{html}"
    );
    assert!(
        html.contains(r#"href="/admin""#),
        "an administrator sees the admin menu"
    );
    assert!(html.contains(r#"action="/logout""#));
}

#[tokio::test]
async fn the_projects_page_lists_escaped_project_names_and_a_create_form() {
    let app = spawn_app().await;

    let cookies = format!("cl_access={ADMIN_ACCESS}; cl_refresh={ADMIN_REFRESH}");
    let response = app.get_with_cookies("/projects", &cookies).await;

    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Acme &#60;img src=x onerror=alert(1)&#62; supply"),
        "{html}"
    );
    assert!(!html.contains("<img"));
    assert!(html.contains("Office leases"));
    assert!(html.contains(r#"action="/projects""#));
}

#[tokio::test]
async fn every_form_repeats_the_token_of_the_cookie_the_page_sets() {
    let app = spawn_app().await;

    let response = app.client.get(app.url("/")).send().await.unwrap();

    let cookie = set_cookie(&response, "cl_csrf").expect("a form-token cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let token = cookie
        .trim_start_matches("cl_csrf=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 64);
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!(r#"name="csrf_token" value="{token}""#)));
}

#[tokio::test]
async fn a_form_post_without_the_token_is_refused_before_the_backend_sees_it() {
    let app = spawn_app().await;

    let form = [("email", ADMIN_EMAIL), ("password", PASSWORD)];
    let without_field = app
        .client
        .post(app.url("/login"))
        .header(ORIGIN, &app.address)
        .header("cookie", with_form_token(""))
        .form(&form);
    let without_cookie = app
        .client
        .post(app.url("/login"))
        .header(ORIGIN, &app.address)
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", PASSWORD),
            ("csrf_token", FORM_TOKEN),
        ]);
    let other_token = "f".repeat(64);
    let mismatched = app
        .client
        .post(app.url("/login"))
        .header(ORIGIN, &app.address)
        .header("cookie", with_form_token(""))
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", PASSWORD),
            ("csrf_token", &other_token),
        ]);

    for request in [without_field, without_cookie, mismatched] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(set_cookie(&response, "cl_access").is_none());
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("This form has expired")
        );
    }
    assert!(app.backend.requests_to("/api/v1/auth/login").is_empty());
}

#[tokio::test]
async fn the_page_script_is_served_by_the_process_itself() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/static/app.js"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let script = response.text().await.unwrap();
    assert!(script.contains("X-CSRF-Token"));
    assert!(!script.contains("eval("));
}

#[tokio::test]
async fn the_app_sends_an_account_that_must_change_its_password_to_the_form() {
    let app = spawn_app().await;

    let response = app
        .get_with_cookies("/app", &format!("cl_access={NEWCOMER_ACCESS}"))
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/password");
}

#[tokio::test]
async fn a_password_change_redirects_to_the_app() {
    let app = spawn_app().await;

    let form = [
        ("current_password", PASSWORD),
        ("new_password", "a much longer new password"),
        ("confirm_password", "a much longer new password"),
    ];
    let cookies = format!("cl_access={NEWCOMER_ACCESS}");
    let response = app
        .post_form_with_cookies("/account/password", &form, &cookies)
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/app");
    let changes = app.backend.requests_to("/api/v1/auth/change-password");
    assert_eq!(
        changes[0].headers["authorization"],
        "Bearer access-newcomer"
    );
    let expected = json!({
        "current_password": PASSWORD,
        "new_password": "a much longer new password",
    });
    assert_eq!(changes[0].json, Some(expected));
}

#[tokio::test]
async fn a_mismatched_confirmation_is_refused_before_the_backend_is_asked() {
    let app = spawn_app().await;

    let form = [
        ("current_password", PASSWORD),
        ("new_password", "a much longer new password"),
        ("confirm_password", "a different new password"),
    ];
    let cookies = format!("cl_access={ADMIN_ACCESS}");
    let response = app
        .post_form_with_cookies("/account/password", &form, &cookies)
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("do not match"));
    assert!(
        app.backend
            .requests_to("/api/v1/auth/change-password")
            .is_empty()
    );
}

#[tokio::test]
async fn a_weak_new_password_shows_each_backend_message_escaped() {
    let app = spawn_app().await;

    let form = [
        ("current_password", PASSWORD),
        ("new_password", "short"),
        ("confirm_password", "short"),
    ];
    let cookies = format!("cl_access={ADMIN_ACCESS}");
    let response = app
        .post_form_with_cookies("/account/password", &form, &cookies)
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("at least 12 characters &#60;long&#62;"),
        "{html}"
    );
}

#[tokio::test]
async fn a_wrong_current_password_is_shown_with_status_400() {
    let app = spawn_app().await;

    let form = [
        ("current_password", "not it"),
        ("new_password", "a much longer new password"),
        ("confirm_password", "a much longer new password"),
    ];
    let cookies = format!("cl_access={ADMIN_ACCESS}");
    let response = app
        .post_form_with_cookies("/account/password", &form, &cookies)
        .await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The current password is wrong")
    );
}

#[tokio::test]
async fn the_password_form_without_a_cookie_redirects_to_the_login_page() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/account/password"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_clears_both_cookies() {
    let app = spawn_app().await;

    let cookies = format!("cl_access={ADMIN_ACCESS}; cl_refresh={ADMIN_REFRESH}");
    let response = app.post_form_with_cookies("/logout", &[], &cookies).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let access = set_cookie(&response, "cl_access").expect("the access cookie is cleared");
    assert_eq!(
        access,
        "cl_access=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
    );
    let refresh = set_cookie(&response, "cl_refresh").expect("the refresh cookie is cleared");
    assert_eq!(
        refresh,
        "cl_refresh=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
    );

    let logouts = app.backend.requests_to("/api/v1/auth/logout");
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].headers["authorization"], "Bearer access-admin");
    assert_eq!(
        logouts[0].json,
        Some(json!({ "refresh_token": ADMIN_REFRESH }))
    );
}

#[tokio::test]
async fn a_form_posted_from_another_origin_is_refused_with_403() {
    let app = spawn_app().await;

    let form = [("email", ADMIN_EMAIL), ("password", PASSWORD)];
    let login = app
        .client
        .post(app.url("/login"))
        .form(&form)
        .header(ORIGIN, "https://evil.example");
    let response = login.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&response, "cl_access").is_none());

    let cookies = format!("cl_access={ADMIN_ACCESS}; cl_refresh={ADMIN_REFRESH}");
    let logout = app
        .client
        .post(app.url("/logout"))
        .header(ORIGIN, "null")
        .header("cookie", cookies);
    assert_eq!(logout.send().await.unwrap().status(), StatusCode::FORBIDDEN);

    assert!(app.backend.requests_to("/api/v1/auth/login").is_empty());
    assert!(app.backend.requests_to("/api/v1/auth/logout").is_empty());
}

#[tokio::test]
async fn a_form_posted_from_the_public_url_is_accepted_behind_a_proxy() {
    let app =
        spawn_app_with(&[("NEXT_PUBLIC_FRONTEND_URL", "https://contracts.example.com")]).await;

    let form = [
        ("email", ADMIN_EMAIL),
        ("password", PASSWORD),
        ("csrf_token", FORM_TOKEN),
    ];
    let request = app.client.post(app.url("/login")).form(&form);
    let response = request
        .header(ORIGIN, "https://contracts.example.com")
        .header("cookie", with_form_token(""))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn serve_returns_once_the_shutdown_token_fires() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = lucidity_common::Config::from_vars([("SHUTDOWN_TIMEOUT_SECONDS", "1")]).unwrap();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(lucidity_web::serve(listener, config, shutdown.clone()));

    tokio::time::sleep(Duration::from_millis(50)).await;
    shutdown.cancel();

    let result = within_five_seconds(server)
        .await
        .expect("the task did not panic");
    assert!(result.is_ok());
}
