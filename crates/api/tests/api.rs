//! Integration tests of the API: the real application on port 0, a fresh database per test.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{
    ADMIN_EMAIL, ADMIN_NEW_PASSWORD, ADMIN_PASSWORD, TestApp, USER_PASSWORD, status_json,
};

mod auth {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[tokio::test]
    async fn login_returns_access_and_refresh_tokens() {
        let app = TestApp::spawn().await;
        let tokens = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(tokens["token_type"], "bearer");
        assert_eq!(tokens["expires_in"], 3600);
        assert!(
            tokens["refresh_token"]
                .as_str()
                .unwrap()
                .starts_with("clr_")
        );
        let me = app
            .get("/api/v1/auth/me", tokens["access_token"].as_str().unwrap())
            .await;
        let (status, body) = status_json(me).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["email"], ADMIN_EMAIL);
        assert_eq!(body["role"], "admin");
    }

    #[tokio::test]
    async fn login_with_a_wrong_password_or_unknown_email_is_401_with_the_same_detail() {
        let app = TestApp::spawn().await;
        let (status, wrong) =
            status_json(app.login_response(ADMIN_EMAIL, "nope-nope-nope").await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, unknown) = status_json(
            app.login_response("nobody@firm.example", "nope-nope-nope")
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong, unknown);
        assert_eq!(wrong["detail"], "Incorrect email or password");
    }

    #[tokio::test]
    async fn emails_match_regardless_of_case() {
        let app = TestApp::spawn().await;
        let response = app
            .login_response(&ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn the_default_admin_must_change_the_password_before_anything_else() {
        let app = TestApp::spawn().await;
        let tokens = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(tokens["must_change_password"], true);
        let token = tokens["access_token"].as_str().unwrap();

        let (status, body) = status_json(app.get("/api/v1/projects", token).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("Password change required")
        );
        let me = app.get("/api/v1/auth/me", token).await;
        assert_eq!(me.status(), StatusCode::OK);

        let change =
            json!({ "current_password": ADMIN_PASSWORD, "new_password": ADMIN_NEW_PASSWORD });
        let response = app
            .post("/api/v1/auth/change-password", token, change)
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.get("/api/v1/projects", token).await.status(),
            StatusCode::OK
        );

        let again = app.login(ADMIN_EMAIL, ADMIN_NEW_PASSWORD).await;
        assert_eq!(again["must_change_password"], false);
        let old = app.login_response(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn a_password_change_ends_the_other_sessions_but_not_this_one() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let other = app.login(ADMIN_EMAIL, ADMIN_NEW_PASSWORD).await;
        let other_token = other["access_token"].as_str().unwrap();
        assert_eq!(
            app.get("/api/v1/auth/me", other_token).await.status(),
            StatusCode::OK
        );

        let change = json!({
            "current_password": ADMIN_NEW_PASSWORD,
            "new_password": "yet-another-password-9",
        });
        let response = app
            .post("/api/v1/auth/change-password", &admin, change)
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);

        assert_eq!(
            app.get("/api/v1/auth/me", other_token).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get("/api/v1/auth/me", &admin).await.status(),
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn a_weak_or_wrong_password_change_is_refused() {
        let app = TestApp::spawn().await;
        let token = app.admin_token().await;
        let weak = json!({ "current_password": ADMIN_NEW_PASSWORD, "new_password": "short" });
        let (status, body) =
            status_json(app.post("/api/v1/auth/change-password", &token, weak).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["body", "new_password"]));

        let wrong = json!({
            "current_password": "not-the-password",
            "new_password": "a-fine-new-password",
        });
        let (status, body) = status_json(
            app.post("/api/v1/auth/change-password", &token, wrong)
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["detail"], "The current password is incorrect");
    }

    /// How many `auth.refresh_reuse` entries the audit log holds.
    async fn refresh_reuse_entries(app: &TestApp) -> usize {
        let audit: Value = app
            .get(
                "/api/v1/admin/audit?action=auth.refresh_reuse",
                &app.admin_token().await,
            )
            .await
            .json()
            .await
            .unwrap();
        audit.as_array().unwrap().len()
    }

    async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
        let body = json!({ "refresh_token": token });
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn refresh_rotates_the_refresh_token() {
        let app = TestApp::spawn().await;
        app.admin_token().await;
        let tokens = app.login(ADMIN_EMAIL, ADMIN_NEW_PASSWORD).await;
        let first = tokens["refresh_token"].as_str().unwrap();

        let (status, rotated) = status_json(refresh(&app, first).await).await;
        assert_eq!(status, StatusCode::OK);
        let second = rotated["refresh_token"].as_str().unwrap();
        assert_ne!(first, second);
        let access = rotated["access_token"].as_str().unwrap();
        assert_eq!(
            app.get("/api/v1/projects", access).await.status(),
            StatusCode::OK
        );

        let (status, _) = status_json(refresh(&app, second).await).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
        let app = TestApp::spawn().await;
        app.admin_token().await;
        let tokens = app.login(ADMIN_EMAIL, ADMIN_NEW_PASSWORD).await;
        let stolen = tokens["refresh_token"].as_str().unwrap().to_string();
        let rotated: Value = refresh(&app, &stolen).await.json().await.unwrap();
        let newest_refresh = rotated["refresh_token"].as_str().unwrap();
        let newest_access = rotated["access_token"].as_str().unwrap();
        // The thief comes after the grace for a client renewing twice at once.
        sqlx::query("UPDATE refresh_tokens SET used_at = used_at - interval '31 seconds'")
            .execute(&app.db)
            .await
            .unwrap();

        let (status, body) = status_json(refresh(&app, &stolen).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["detail"], "Invalid or expired refresh token");

        assert_eq!(
            refresh(&app, newest_refresh).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let me = app.get("/api/v1/auth/me", newest_access).await;
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
        let original_access = tokens["access_token"].as_str().unwrap();
        assert_eq!(
            app.get("/api/v1/auth/me", original_access).await.status(),
            StatusCode::UNAUTHORIZED
        );

        assert_eq!(refresh_reuse_entries(&app).await, 1);
    }

    #[tokio::test]
    async fn two_renewals_at_once_with_the_same_refresh_token_both_keep_the_session() {
        let app = TestApp::spawn().await;
        app.admin_token().await;
        let tokens = app.login(ADMIN_EMAIL, ADMIN_NEW_PASSWORD).await;
        let shared = tokens["refresh_token"].as_str().unwrap();

        let (first, second) = tokio::join!(refresh(&app, shared), refresh(&app, shared));
        let (first_status, first) = status_json(first).await;
        let (second_status, second) = status_json(second).await;
        assert_eq!(
            (first_status, second_status),
            (StatusCode::OK, StatusCode::OK)
        );
        assert_ne!(first["refresh_token"], second["refresh_token"]);
        for renewed in [&first, &second] {
            let access = renewed["access_token"].as_str().unwrap();
            let me = app.get("/api/v1/auth/me", access).await;
            assert_eq!(me.status(), StatusCode::OK);
            let next = renewed["refresh_token"].as_str().unwrap();
            assert_eq!(refresh(&app, next).await.status(), StatusCode::OK);
        }

        assert_eq!(refresh_reuse_entries(&app).await, 0);
    }

    #[tokio::test]
    async fn refresh_works_through_the_token_endpoint_as_a_form() {
        let app = TestApp::spawn().await;
        let tokens = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ];
        let response = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .form(&form)
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["must_change_password"], true);
    }

    #[tokio::test]
    async fn logout_ends_the_access_and_the_refresh_token() {
        let app = TestApp::spawn().await;
        app.admin_token().await;
        let tokens = app.login(ADMIN_EMAIL, ADMIN_NEW_PASSWORD).await;
        let access = tokens["access_token"].as_str().unwrap();

        let response = app.post("/api/v1/auth/logout", access, json!({})).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.get("/api/v1/auth/me", access).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let refreshed = refresh(&app, tokens["refresh_token"].as_str().unwrap()).await;
        assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
    }

    /// Signs claims with the test secret and the given algorithm, as an attacker who knows the
    /// secret's format but not... or a test that needs an expired token would.
    fn sign(claims: &Value, algorithm: jsonwebtoken::Algorithm, secret: &str) -> String {
        let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap();
        jsonwebtoken::encode(&jsonwebtoken::Header::new(algorithm), claims, &key).unwrap()
    }

    fn claims_of(token: &str) -> Value {
        let payload = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    }

    const SECRET: &str = "test-secret-that-is-long-enough-for-hs256";

    #[tokio::test]
    async fn an_expired_token_is_401() {
        let app = TestApp::spawn().await;
        let token = app.admin_token().await;
        let mut claims = claims_of(&token);
        let past = chrono::Utc::now().timestamp() - 3600;
        claims["exp"] = json!(past);
        claims["iat"] = json!(past - 60);
        let expired = sign(&claims, jsonwebtoken::Algorithm::HS256, SECRET);

        let (status, body) = status_json(app.get("/api/v1/auth/me", &expired).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["detail"], "Invalid or expired token");
        assert_eq!(
            app.get("/api/v1/auth/me", &token).await.status(),
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn a_tampered_token_is_401() {
        let app = TestApp::spawn().await;
        let token = app.admin_token().await;
        let (_, tokens) =
            status_json(app.login_response(ADMIN_EMAIL, ADMIN_NEW_PASSWORD).await).await;
        let mut claims = claims_of(tokens["access_token"].as_str().unwrap());
        claims["sub"] = json!(uuid::Uuid::new_v4());
        let parts: Vec<&str> = token.split('.').collect();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);

        assert_eq!(
            app.get("/api/v1/auth/me", &tampered).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let garbage = app.get("/api/v1/auth/me", "not.a.jwt").await;
        assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn a_token_with_another_algorithm_or_none_is_401() {
        let app = TestApp::spawn().await;
        let token = app.admin_token().await;
        let claims = claims_of(&token);

        let hs512 = sign(&claims, jsonwebtoken::Algorithm::HS512, SECRET);
        assert_eq!(
            app.get("/api/v1/auth/me", &hs512).await.status(),
            StatusCode::UNAUTHORIZED
        );

        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        let unsigned = format!("{header}.{payload}.");
        assert_eq!(
            app.get("/api/v1/auth/me", &unsigned).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[tokio::test]
    async fn a_request_without_a_token_is_401_with_a_bearer_challenge() {
        let app = TestApp::spawn().await;
        let response = app
            .client
            .get(app.url("/api/v1/projects"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["detail"], "Not authenticated");
    }

    #[tokio::test]
    async fn a_deactivated_user_is_refused_at_once_whatever_tokens_exist() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (id, token) = app.user(&admin, "leaver@firm.example", "user").await;
        assert_eq!(
            app.get("/api/v1/auth/me", &token).await.status(),
            StatusCode::OK
        );

        let response = app
            .patch(
                &format!("/api/v1/admin/users/{id}"),
                &admin,
                json!({ "is_active": false }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            app.get("/api/v1/auth/me", &token).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let login = app
            .login_response("leaver@firm.example", USER_PASSWORD)
            .await;
        assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    }
}

mod credentials {
    use super::*;

    async fn create_credential(app: &TestApp, admin: &str, user_id: &str) -> Value {
        let body = json!({ "name": "contract-sync", "user_id": user_id });
        let (status, created) =
            status_json(app.post("/api/v1/admin/api-credentials", admin, body).await).await;
        assert_eq!(status, StatusCode::CREATED);
        created
    }

    #[tokio::test]
    async fn client_credentials_exchange_for_day_long_tokens_acting_as_the_linked_user() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (user_id, user_token) = app.user(&admin, "robot-owner@firm.example", "user").await;
        let project = app.project(&user_token, "Robot matter").await;
        let created = create_credential(&app, &admin, &user_id).await;
        let secret = created["client_secret"].as_str().unwrap();
        assert!(secret.starts_with("cls_"));

        let body = json!({
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": secret,
        });
        let response = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, tokens) = status_json(response).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(tokens["expires_in"], 86_400);
        let access = tokens["access_token"].as_str().unwrap();
        let refresh_days: f64 = sqlx::query_scalar(
            "SELECT extract(epoch FROM t.expires_at - now())::float8 / 86400 \
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
             WHERE s.credential_id IS NOT NULL",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert!((29.99..=30.0).contains(&refresh_days), "{refresh_days}");

        let me: Value = app
            .get("/api/v1/auth/me", access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["id"], json!(user_id));
        assert_eq!(me["is_api_client"], true);
        let seen = app
            .get(&format!("/api/v1/projects/{project}"), access)
            .await;
        assert_eq!(seen.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn the_client_secret_is_shown_once_and_stored_hashed() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (user_id, _) = app.user(&admin, "owner@firm.example", "user").await;
        let created = create_credential(&app, &admin, &user_id).await;
        let secret = created["client_secret"].as_str().unwrap();

        let listed: Value = app
            .get("/api/v1/admin/api-credentials", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert!(!listed.to_string().contains(secret));
        assert!(listed[0].get("client_secret").is_none());
        let stored: String = sqlx::query_scalar("SELECT secret_hash FROM api_credentials")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(!stored.contains(secret));
    }

    #[tokio::test]
    async fn a_wrong_secret_or_a_revoked_credential_is_401() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (user_id, _) = app.user(&admin, "owner@firm.example", "user").await;
        let created = create_credential(&app, &admin, &user_id).await;
        let form = |secret: &str| {
            vec![
                ("grant_type".to_string(), "client_credentials".to_string()),
                (
                    "client_id".to_string(),
                    created["client_id"].as_str().unwrap().to_string(),
                ),
                ("client_secret".to_string(), secret.to_string()),
            ]
        };
        let wrong = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .form(&form("cls_wrong"))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

        let secret = created["client_secret"].as_str().unwrap();
        let ok: Value = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .form(&form(secret))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let access = ok["access_token"].as_str().unwrap();
        let id = created["id"].as_str().unwrap();
        let revoked = app
            .delete(&format!("/api/v1/admin/api-credentials/{id}"), &admin)
            .await;
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);

        assert_eq!(
            app.get("/api/v1/auth/me", access).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let again = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .form(&form(secret))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn an_unknown_grant_type_is_422_naming_the_field() {
        let app = TestApp::spawn().await;
        let body = json!({ "grant_type": "password" });
        let response = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["body", "grant_type"]));
    }
}

mod throttling {
    use super::*;

    #[tokio::test]
    async fn repeated_failures_on_one_account_answer_429_with_retry_after() {
        let app = TestApp::spawn().await;
        for _ in 0..5 {
            let response = app.login_response(ADMIN_EMAIL, "wrong-password-x").await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let response = app.login_response(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry_after));
        let body: Value = response.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().contains("Too many"));
    }

    #[tokio::test]
    async fn failures_from_one_address_across_accounts_answer_429() {
        let app = TestApp::spawn_with(&[("LOGIN_MAX_FAILURES_PER_ADDRESS", "3")]).await;
        for n in 0..3 {
            let response = app
                .login_response(&format!("guess{n}@firm.example"), "wrong-password-x")
                .await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let response = app.login_response(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    #[tokio::test]
    async fn the_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() {
        let app = TestApp::spawn_with(&[("LOGIN_MAX_FAILURES_PER_ADDRESS", "2")]).await;
        let attempt = |forwarded: &'static str, email: &'static str| {
            let body = json!({ "email": email, "password": "wrong-password-x" });
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("x-forwarded-for", forwarded)
                .json(&body)
                .send()
        };
        // The test client connects from 127.0.0.1, a trusted proxy by default, so each
        // forwarded address counts on its own.
        assert_eq!(
            attempt("198.51.100.1", "a@firm.example")
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            attempt("198.51.100.1", "b@firm.example")
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            attempt("198.51.100.1", "c@firm.example")
                .await
                .unwrap()
                .status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            attempt("198.51.100.2", "d@firm.example")
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );

        let untrusted = TestApp::spawn_with(&[
            ("LOGIN_MAX_FAILURES_PER_ADDRESS", "2"),
            ("TRUSTED_PROXIES", "10.9.9.9"),
        ])
        .await;
        for forwarded in ["198.51.100.1", "198.51.100.2"] {
            let body = json!({ "email": "x@firm.example", "password": "wrong-password-x" });
            let r = untrusted
                .client
                .post(untrusted.url("/api/v1/auth/login"))
                .header("x-forwarded-for", forwarded)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        let body = json!({ "email": "y@firm.example", "password": "wrong-password-x" });
        let r = untrusted
            .client
            .post(untrusted.url("/api/v1/auth/login"))
            .header("x-forwarded-for", "198.51.100.3")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    #[tokio::test]
    async fn with_redis_the_counters_are_shared_by_every_api_instance() {
        let (_, db) = support::fresh_database().await;
        // A distinct account per run: Redis outlives the test database.
        let email = format!("shared-{}@firm.example", uuid::Uuid::new_v4().simple());
        let redis = support::redis_url();
        let vars = [
            ("REDIS_URL", redis.as_str()),
            ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "4"),
        ];
        let first = TestApp::spawn_on(db.clone(), &vars).await;
        let second = TestApp::spawn_on(db, &vars).await;

        for app in [&first, &second, &first, &second] {
            let response = app.login_response(&email, "wrong-password-x").await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let blocked = second.login_response(&email, "wrong-password-x").await;
        assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
        let blocked = first.login_response(&email, "wrong-password-x").await;
        assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}

mod permissions {
    use super::*;

    struct World {
        app: TestApp,
        admin: String,
        project: String,
        other_project: String,
    }

    async fn world() -> World {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let project = app.project(&admin, "Acme merger").await;
        let other_project = app.project(&admin, "Globex lease").await;
        World {
            app,
            admin,
            project,
            other_project,
        }
    }

    async fn grant(w: &World, subject: Value, level: &str) -> String {
        let mut body = subject;
        body["level"] = json!(level);
        let path = format!("/api/v1/projects/{}/grants", w.project);
        let (status, grant) = status_json(w.app.post(&path, &w.admin, body).await).await;
        assert_eq!(status, StatusCode::CREATED, "{grant}");
        grant["id"].as_str().unwrap().to_string()
    }

    async fn can_view(w: &World, token: &str) -> StatusCode {
        w.app
            .get(&format!("/api/v1/projects/{}", w.project), token)
            .await
            .status()
    }

    async fn can_edit(w: &World, token: &str, name: &str) -> StatusCode {
        let path = format!("/api/v1/projects/{}", w.project);
        w.app
            .patch(&path, token, json!({ "description": name }))
            .await
            .status()
    }

    async fn listed(w: &World, token: &str) -> Vec<String> {
        let list: Value = w
            .app
            .get("/api/v1/projects", token)
            .await
            .json()
            .await
            .unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    }

    #[tokio::test]
    async fn a_user_without_a_grant_gets_404_and_sees_nothing_listed() {
        let w = world().await;
        let (_, token) = w.app.user(&w.admin, "outsider@firm.example", "user").await;
        let (status, body) = status_json(
            w.app
                .get(&format!("/api/v1/projects/{}", w.project), &token)
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["detail"], "Not found");
        let missing = format!("/api/v1/projects/{}", uuid::Uuid::new_v4());
        let (_, absent) = status_json(w.app.get(&missing, &token).await).await;
        assert_eq!(
            body, absent,
            "a hidden project and a missing one look the same"
        );
        assert!(listed(&w, &token).await.is_empty());
    }

    #[tokio::test]
    async fn grant_levels_allow_viewing_editing_and_managing_in_order() {
        let w = world().await;
        let (viewer_id, viewer) = w.app.user(&w.admin, "viewer@firm.example", "user").await;
        let (editor_id, editor) = w.app.user(&w.admin, "editor@firm.example", "user").await;
        let (manager_id, manager) = w.app.user(&w.admin, "manager@firm.example", "user").await;
        grant(&w, json!({ "user_id": viewer_id }), "viewer").await;
        grant(&w, json!({ "user_id": editor_id }), "editor").await;
        grant(&w, json!({ "user_id": manager_id }), "admin").await;

        for token in [&viewer, &editor, &manager] {
            assert_eq!(can_view(&w, token).await, StatusCode::OK);
            assert_eq!(listed(&w, token).await, vec!["Acme merger".to_string()]);
        }
        assert_eq!(can_edit(&w, &viewer, "x").await, StatusCode::FORBIDDEN);
        // Renaming is project administration; editors upload and edit documents.
        assert_eq!(can_edit(&w, &editor, "x").await, StatusCode::FORBIDDEN);
        assert_eq!(can_edit(&w, &manager, "x").await, StatusCode::OK);

        let grants = format!("/api/v1/projects/{}/grants", w.project);
        assert_eq!(
            w.app.get(&grants, &editor).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(w.app.get(&grants, &manager).await.status(), StatusCode::OK);
        let other = format!("/api/v1/projects/{}", w.other_project);
        assert_eq!(
            w.app.get(&other, &manager).await.status(),
            StatusCode::NOT_FOUND
        );
    }

    #[tokio::test]
    async fn a_group_grant_gives_its_members_access_and_removal_takes_it_away_at_once() {
        let w = world().await;
        let (member_id, member) = w.app.user(&w.admin, "member@firm.example", "user").await;
        let (_, group) = status_json(
            w.app
                .post(
                    "/api/v1/admin/groups",
                    &w.admin,
                    json!({ "name": "Litigation" }),
                )
                .await,
        )
        .await;
        let group_id = group["id"].as_str().unwrap().to_string();
        grant(&w, json!({ "group_id": group_id }), "viewer").await;
        assert_eq!(can_view(&w, &member).await, StatusCode::NOT_FOUND);

        let members = format!("/api/v1/admin/groups/{group_id}/members");
        let added = w
            .app
            .post(&members, &w.admin, json!({ "user_id": member_id }))
            .await;
        assert_eq!(added.status(), StatusCode::NO_CONTENT);
        assert_eq!(can_view(&w, &member).await, StatusCode::OK);

        let removed = w
            .app
            .delete(&format!("{members}/{member_id}"), &w.admin)
            .await;
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        assert_eq!(can_view(&w, &member).await, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn the_best_of_a_user_grant_and_a_group_grant_counts() {
        let w = world().await;
        let (id, token) = w.app.user(&w.admin, "both@firm.example", "user").await;
        let (_, group) = status_json(
            w.app
                .post(
                    "/api/v1/admin/groups",
                    &w.admin,
                    json!({ "name": "Partners" }),
                )
                .await,
        )
        .await;
        let group_id = group["id"].as_str().unwrap().to_string();
        w.app
            .post(
                &format!("/api/v1/admin/groups/{group_id}/members"),
                &w.admin,
                json!({ "user_id": id }),
            )
            .await;
        grant(&w, json!({ "user_id": id }), "viewer").await;
        grant(&w, json!({ "group_id": group_id }), "admin").await;
        assert_eq!(can_edit(&w, &token, "by group").await, StatusCode::OK);
    }

    #[tokio::test]
    async fn revoking_a_grant_takes_effect_on_the_next_request() {
        let w = world().await;
        let (id, token) = w.app.user(&w.admin, "temp@firm.example", "user").await;
        let grant_id = grant(&w, json!({ "user_id": id }), "editor").await;
        assert_eq!(can_view(&w, &token).await, StatusCode::OK);

        let path = format!("/api/v1/projects/{}/grants/{grant_id}", w.project);
        assert_eq!(
            w.app.delete(&path, &w.admin).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(can_view(&w, &token).await, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_wall_denies_a_granted_user_at_once() {
        let w = world().await;
        let (id, token) = w
            .app
            .user(&w.admin, "conflicted@firm.example", "user")
            .await;
        grant(&w, json!({ "user_id": id }), "admin").await;
        assert_eq!(can_view(&w, &token).await, StatusCode::OK);

        let wall =
            json!({ "project_id": w.project, "user_id": id, "reason": "acted for the other side" });
        let (status, wall) =
            status_json(w.app.post("/api/v1/admin/walls", &w.admin, wall).await).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(can_view(&w, &token).await, StatusCode::NOT_FOUND);
        assert!(listed(&w, &token).await.is_empty());

        let path = format!("/api/v1/admin/walls/{}", wall["id"].as_str().unwrap());
        assert_eq!(
            w.app.delete(&path, &w.admin).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(can_view(&w, &token).await, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_wall_on_a_group_binds_its_members_even_when_they_are_admins() {
        let w = world().await;
        let (id, token) = w
            .app
            .user(&w.admin, "second-admin@firm.example", "admin")
            .await;
        assert_eq!(can_view(&w, &token).await, StatusCode::OK);
        let (_, group) = status_json(
            w.app
                .post(
                    "/api/v1/admin/groups",
                    &w.admin,
                    json!({ "name": "Screened" }),
                )
                .await,
        )
        .await;
        let group_id = group["id"].as_str().unwrap();
        w.app
            .post(
                &format!("/api/v1/admin/groups/{group_id}/members"),
                &w.admin,
                json!({ "user_id": id }),
            )
            .await;

        let wall = json!({ "project_id": w.project, "group_id": group_id });
        assert_eq!(
            w.app
                .post("/api/v1/admin/walls", &w.admin, wall)
                .await
                .status(),
            StatusCode::CREATED
        );
        assert_eq!(can_view(&w, &token).await, StatusCode::NOT_FOUND);
        assert_eq!(can_edit(&w, &token, "x").await, StatusCode::NOT_FOUND);
        assert_eq!(
            listed(&w, &token).await,
            vec!["Default".to_string(), "Globex lease".to_string()]
        );
    }

    #[tokio::test]
    async fn only_the_default_admin_passes_a_wall_and_each_pass_is_audited() {
        let w = world().await;
        let me: Value = w
            .app
            .get("/api/v1/auth/me", &w.admin)
            .await
            .json()
            .await
            .unwrap();
        let wall = json!({ "project_id": w.project, "user_id": me["id"] });
        assert_eq!(
            w.app
                .post("/api/v1/admin/walls", &w.admin, wall)
                .await
                .status(),
            StatusCode::CREATED
        );

        assert_eq!(can_view(&w, &w.admin).await, StatusCode::OK);
        assert_eq!(can_view(&w, &w.admin).await, StatusCode::OK);
        let audit: Value = w
            .app
            .get("/api/v1/admin/audit?action=wall.override", &w.admin)
            .await
            .json()
            .await
            .unwrap();
        let entries = audit.as_array().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["target_id"], json!(w.project));
    }

    #[tokio::test]
    async fn a_plain_user_cannot_reach_the_administration() {
        let w = world().await;
        let (_, token) = w.app.user(&w.admin, "plain@firm.example", "user").await;
        for path in [
            "/api/v1/admin/users",
            "/api/v1/admin/groups",
            "/api/v1/admin/walls",
            "/api/v1/admin/settings",
            "/api/v1/admin/audit",
            "/api/v1/admin/api-credentials",
        ] {
            let (status, body) = status_json(w.app.get(path, &token).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(body["detail"], "Administrator role required");
        }
        let create = json!({
            "email": "x@firm.example",
            "role": "admin",
            "password": "temporary-password-1",
        });
        assert_eq!(
            w.app
                .post("/api/v1/admin/users", &token, create)
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
    }

    #[tokio::test]
    async fn the_creator_of_a_project_manages_it() {
        let w = world().await;
        let (_, token) = w.app.user(&w.admin, "creator@firm.example", "user").await;
        let project = w.app.project(&token, "My matter").await;
        let path = format!("/api/v1/projects/{project}");
        let (status, body) = status_json(w.app.get(&path, &token).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["access_level"], "admin");
        assert_eq!(
            w.app.delete(&path, &token).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            w.app.get(&path, &token).await.status(),
            StatusCode::NOT_FOUND
        );
    }

    #[tokio::test]
    async fn the_default_administrator_cannot_be_demoted_or_deactivated() {
        let w = world().await;
        let me: Value = w
            .app
            .get("/api/v1/auth/me", &w.admin)
            .await
            .json()
            .await
            .unwrap();
        let path = format!("/api/v1/admin/users/{}", me["id"].as_str().unwrap());
        let response = w
            .app
            .patch(&path, &w.admin, json!({ "is_active": false }))
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let response = w
            .app
            .patch(&path, &w.admin, json!({ "role": "user" }))
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
    }
}

mod projects {
    use super::*;

    #[tokio::test]
    async fn the_seed_creates_one_default_project() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let list: Value = app
            .get("/api/v1/projects", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["name"], "Default");
        assert_eq!(list[0]["is_default"], true);

        let path = format!("/api/v1/projects/{}", list[0]["id"].as_str().unwrap());
        assert_eq!(
            app.delete(&path, &admin).await.status(),
            StatusCode::CONFLICT
        );
    }

    #[tokio::test]
    async fn seeding_twice_changes_nothing() {
        let app = TestApp::spawn().await;
        lucidity_db::migrate::seed(&app.db, &app.config)
            .await
            .unwrap();
        lucidity_db::migrate::seed(&app.db, &app.config)
            .await
            .unwrap();
        let counts: (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM projects), \
                    (SELECT count(*) FROM system_settings)",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(counts, (1, 1, 2));
    }

    #[tokio::test]
    async fn several_instances_migrating_and_seeding_at_once_all_succeed() {
        let db = support::empty_database().await;
        let storage = tempfile::tempdir().unwrap();
        let config = support::test_config(storage.path(), &[]);
        let mut starts = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let (db, config) = (db.clone(), config.clone());
            starts.spawn(async move {
                lucidity_db::migrate::run_migrations(&db).await?;
                lucidity_db::migrate::seed(&db, &config).await
            });
        }
        while let Some(result) = starts.join_next().await {
            result.unwrap().expect("every instance starts");
        }

        let vector: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        assert!(vector, "the vector extension is enabled");
        let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE is_seed_admin")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(admins, 1);
    }

    #[tokio::test]
    async fn a_duplicate_project_name_in_any_case_is_409() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        app.project(&admin, "Acme merger").await;
        let (status, body) = status_json(
            app.post("/api/v1/projects", &admin, json!({ "name": "ACME Merger" }))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["detail"], "A project with this name already exists");
    }

    #[tokio::test]
    async fn malformed_json_is_422_with_the_body_located() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let response = app
            .client
            .post(app.url("/api/v1/projects"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{\"name\": \"Acme\",")
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["body"]));
        assert_eq!(body["detail"][0]["type"], "json_invalid");
    }

    #[tokio::test]
    async fn every_missing_or_mistyped_field_is_listed() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let body = json!({ "email": 42, "role": "overlord" });
        let (status, body) = status_json(app.post("/api/v1/admin/users", &admin, body).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let detail = body["detail"].as_array().unwrap();
        let fields: Vec<&Value> = detail.iter().map(|d| &d["loc"][1]).collect();
        assert_eq!(fields, vec!["email", "role", "password"]);
        assert_eq!(detail[0]["type"], "string_type");
        assert_eq!(detail[1]["type"], "value_error");
        assert_eq!(detail[2]["type"], "missing");
        assert_eq!(detail[2]["msg"], "Field required");
    }

    #[tokio::test]
    async fn an_empty_body_and_a_non_object_body_are_422() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let empty = app
            .client
            .post(app.url("/api/v1/projects"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let array = app.post("/api/v1/projects", &admin, json!(["name"])).await;
        let (status, body) = status_json(array).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["type"], "model_type");
    }

    #[tokio::test]
    async fn a_malformed_path_id_is_422_naming_the_parameter() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (status, body) =
            status_json(app.get("/api/v1/projects/not-a-uuid", &admin).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["path", "id"]));
    }

    #[tokio::test]
    async fn a_non_json_content_type_is_415() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let response = app
            .client
            .post(app.url("/api/v1/projects"))
            .bearer_auth(&admin)
            .header("content-type", "text/plain")
            .body("name=x")
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("application/json")
        );
    }

    #[tokio::test]
    async fn an_unknown_route_is_a_json_404() {
        let app = TestApp::spawn().await;
        let (status, body) = status_json(
            app.client
                .get(app.url("/api/v1/nothing-here"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["detail"], "Not found");
    }
}

mod administration {
    use super::*;

    #[tokio::test]
    async fn a_duplicate_email_in_any_case_is_409() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let body = json!({
            "email": ADMIN_EMAIL.to_uppercase(),
            "role": "user",
            "password": "temporary-password-1",
        });
        let (status, body) = status_json(app.post("/api/v1/admin/users", &admin, body).await).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["detail"], "An account with this email already exists");
    }

    #[tokio::test]
    async fn a_password_reset_forces_a_change_and_ends_sessions() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (id, token) = app.user(&admin, "forgetful@firm.example", "user").await;
        let body = json!({ "new_password": "temporary-password-2" });
        let response = app
            .post(
                &format!("/api/v1/admin/users/{id}/reset-password"),
                &admin,
                body,
            )
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.get("/api/v1/auth/me", &token).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let tokens = app
            .login("forgetful@firm.example", "temporary-password-2")
            .await;
        assert_eq!(tokens["must_change_password"], true);
    }

    #[tokio::test]
    async fn the_upload_limit_can_be_lowered_but_never_raised_above_the_ceiling() {
        let app = TestApp::spawn_with(&[("MAX_UPLOAD_SIZE_MB", "50")]).await;
        let admin = app.admin_token().await;
        let settings: Value = app
            .get("/api/v1/admin/settings", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(settings["max_upload_size_mb"], 50);
        assert_eq!(
            settings["allowed_file_types"],
            json!(["pdf", "docx", "png", "jpg", "jpeg", "tiff"])
        );

        let (status, body) = status_json(
            app.patch(
                "/api/v1/admin/settings",
                &admin,
                json!({ "max_upload_size_mb": 80 }),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body["detail"][0]["loc"],
            json!(["body", "max_upload_size_mb"])
        );

        let (status, body) = status_json(
            app.patch(
                "/api/v1/admin/settings",
                &admin,
                json!({ "max_upload_size_mb": 20, "allowed_file_types": ["PDF", ".rtf"] }),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["max_upload_size_mb"], 20);
        assert_eq!(body["allowed_file_types"], json!(["pdf", "rtf"]));

        let (status, _) = status_json(
            app.patch(
                "/api/v1/admin/settings",
                &admin,
                json!({ "allowed_file_types": ["exe"] }),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn a_lowered_ceiling_caps_a_stored_higher_limit() {
        let (_, db) = support::fresh_database().await;
        let first = TestApp::spawn_on(db.clone(), &[("MAX_UPLOAD_SIZE_MB", "100")]).await;
        let admin = first.admin_token().await;
        first
            .patch(
                "/api/v1/admin/settings",
                &admin,
                json!({ "max_upload_size_mb": 90 }),
            )
            .await;

        let lowered = TestApp::spawn_on(db, &[("MAX_UPLOAD_SIZE_MB", "10")]).await;
        let settings: Value = lowered
            .get("/api/v1/admin/settings", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(settings["max_upload_size_mb"], 10);
    }

    #[tokio::test]
    async fn changes_are_written_to_the_audit_log_without_secrets() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        app.user(&admin, "audited@firm.example", "user").await;
        let audit: Value = app
            .get("/api/v1/admin/audit", &admin)
            .await
            .json()
            .await
            .unwrap();
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(actions.contains(&"user.created"));
        assert!(actions.contains(&"auth.login"));
        assert!(actions.contains(&"user.password_changed"));
        assert!(!audit.to_string().contains("temporary-password-1"));

        let tamper = sqlx::query("DELETE FROM audit_log").execute(&app.db).await;
        assert!(tamper.is_err(), "the audit log is append-only");
    }
}

mod operations {
    use super::*;

    #[tokio::test]
    async fn health_answers_healthy() {
        let app = TestApp::spawn().await;
        let (status, body) =
            status_json(app.client.get(app.url("/api/health")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({ "status": "healthy", "service": "Contract Lucidity" })
        );
    }

    #[tokio::test]
    async fn ready_checks_database_queue_and_storage() {
        let app = TestApp::spawn().await;
        let (status, body) =
            status_json(app.client.get(app.url("/api/ready")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ready");
        let names: Vec<&str> = body["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["database", "queue", "storage"]);
    }

    #[tokio::test]
    async fn ready_names_a_storage_path_that_stopped_working() {
        let app = TestApp::spawn().await;
        // The storage root is replaced by a file, as when a mount goes away underneath.
        let root = app.storage_root();
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::write(&root, b"not a directory").unwrap();
        let (status, body) =
            status_json(app.client.get(app.url("/api/ready")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["failed"], json!(["storage"]));
        std::fs::remove_file(&root).unwrap();
        std::fs::create_dir(&root).unwrap();
    }

    #[tokio::test]
    async fn ready_names_an_unreachable_redis_queue() {
        let app = TestApp::spawn_with(&[("REDIS_URL", &support::redis_url())]).await;
        let (status, _) =
            status_json(app.client.get(app.url("/api/ready")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        drop(app);

        // A Redis that goes away after start-up: the readiness check reports the queue.
        let mut redis = support::OwnRedis::start().await;
        let app = TestApp::spawn_with(&[("REDIS_URL", redis.url.as_str())]).await;
        redis.kill();
        let (status, body) =
            status_json(app.client.get(app.url("/api/ready")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["failed"], json!(["queue"]));
    }

    #[tokio::test]
    async fn the_openapi_document_lists_every_route_and_the_docs_page_is_local() {
        let app = TestApp::spawn().await;
        let doc: Value = app
            .client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/auth/login",
            "/api/v1/auth/token",
            "/api/v1/projects/{id}",
            "/api/v1/admin/walls",
            "/api/v1/projects/{id}/documents",
            "/api/v1/dashboard",
            "/api/health",
        ] {
            assert!(
                paths.contains_key(path),
                "{path} missing from the OpenAPI document"
            );
        }
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

        let page = app.client.get(app.url("/api/docs/")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("swagger"));
        assert!(
            !html.contains("cdn"),
            "the docs page must not load from a CDN"
        );
    }

    #[tokio::test]
    async fn metrics_count_requests_by_route_template() {
        let app = TestApp::spawn().await;
        app.client.get(app.url("/api/health")).send().await.unwrap();
        let text = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let line =
            r#"lucidity_http_requests_total{method="GET",route="/api/health",status="200"} 1"#;
        assert!(text.contains(line), "{text}");
        assert!(text.contains("lucidity_queue_depth 0"), "{text}");
        assert!(
            text.contains("lucidity_documents_failed_last_hour 0"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn every_response_carries_a_request_id_and_keeps_a_given_one() {
        let app = TestApp::spawn().await;
        let response = app.client.get(app.url("/api/health")).send().await.unwrap();
        assert_eq!(response.headers()["x-request-id"].len(), 36);
        let response = app
            .client
            .get(app.url("/api/health"))
            .header("x-request-id", "abc-123")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"], "abc-123");
    }

    #[tokio::test]
    async fn cors_allows_only_the_configured_origins() {
        let app = TestApp::spawn_with(&[("CORS_ORIGINS", "https://contracts.firm.example")]).await;
        let preflight = |origin: &'static str| {
            app.client
                .request(reqwest::Method::OPTIONS, app.url("/api/v1/projects"))
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .send()
        };
        let allowed = preflight("https://contracts.firm.example").await.unwrap();
        assert_eq!(
            allowed.headers()["access-control-allow-origin"],
            "https://contracts.firm.example"
        );
        let refused = preflight("https://evil.example").await.unwrap();
        assert!(
            refused
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
    }
}

mod documents {
    use super::*;
    use reqwest::multipart::{Form, Part};
    use std::path::PathBuf;

    fn fixture(name: &str) -> Vec<u8> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../ingest/tests/fixtures")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn part(bytes: Vec<u8>, filename: &str) -> Part {
        Part::bytes(bytes).file_name(filename.to_string())
    }

    async fn upload(
        app: &TestApp,
        token: &str,
        project: &str,
        files: Vec<Part>,
    ) -> (StatusCode, Value) {
        let mut form = Form::new().text("project_id", project.to_string());
        for file in files {
            form = form.part("files", file);
        }
        let response = app
            .client
            .post(app.url("/api/v1/documents"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        status_json(response).await
    }

    /// Files under the storage root (originals only; probes are removed at once).
    fn stored_files(app: &TestApp) -> usize {
        fn walk(dir: &std::path::Path) -> usize {
            std::fs::read_dir(dir).map_or(0, |entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
        }
        walk(&app.storage_root())
    }

    async fn document_count(app: &TestApp) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM documents")
            .fetch_one(&app.db)
            .await
            .unwrap()
    }

    async fn setup() -> (TestApp, String, String) {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let project = app.project(&admin, "Uploads").await;
        (app, admin, project)
    }

    #[tokio::test]
    async fn a_valid_docx_is_accepted_stored_recorded_and_queued() {
        let (app, admin, project) = setup().await;
        let (status, body) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("bonterms-psa.docx"), "PSA.docx")],
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let entry = &body["documents"][0];
        assert_eq!(entry["filename"], "PSA.docx");
        assert_eq!(entry["status"], "queued");
        let id = entry["id"].as_str().unwrap();

        let (status, document) =
            status_json(app.get(&format!("/api/v1/documents/{id}"), &admin).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(document["file_kind"], "docx");
        assert_eq!(document["project_id"], json!(project));
        assert_eq!(stored_files(&app), 1);
        let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM queue_jobs")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(queued, 1);

        let download = app
            .get(&format!("/api/v1/documents/{id}/download"), &admin)
            .await;
        assert_eq!(download.status(), StatusCode::OK);
        assert!(
            download.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("PSA.docx")
        );
        assert_eq!(
            download.bytes().await.unwrap().to_vec(),
            fixture("bonterms-psa.docx")
        );

        let activity: Value = app
            .get(&format!("/api/v1/activity?project_id={project}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(activity[0]["action"], "document.uploaded");
    }

    #[tokio::test]
    async fn the_pipelines_own_activity_entries_name_the_documents_file() {
        let (app, admin, project) = setup().await;
        let (_, body) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("bonterms-psa.docx"), "PSA.docx")],
        )
        .await;
        let id = body["documents"][0]["id"].as_str().unwrap();
        // As the worker writes it: the document, its project, no file name.
        sqlx::query(
            "INSERT INTO audit_log (action, target_type, target_id, project_id, detail) \
             VALUES ('document.completed', 'document', $1, $2::uuid, '{}')",
        )
        .bind(id)
        .bind(&project)
        .execute(&app.db)
        .await
        .unwrap();

        let activity: Value = app
            .get(&format!("/api/v1/activity?project_id={project}"), &admin)
            .await
            .json()
            .await
            .unwrap();

        assert_eq!(activity[0]["action"], "document.completed");
        assert_eq!(activity[0]["detail"]["filename"], "PSA.docx");
        assert_eq!(activity[1]["detail"]["filename"], "PSA.docx");
    }

    #[tokio::test]
    async fn with_s3_storage_originals_go_to_the_bucket_and_leave_with_their_document() {
        let s3 = support::OwnS3::start().await;
        let app = TestApp::spawn_with(&[
            ("STORAGE_BACKEND", "s3"),
            ("S3_BUCKET", s3.bucket.as_str()),
            ("S3_ENDPOINT_URL", s3.endpoint.as_str()),
            ("S3_PREFIX", "originals"),
            ("AWS_ACCESS_KEY_ID", "test-key"),
            ("AWS_SECRET_ACCESS_KEY", "test-secret"),
        ])
        .await;
        let admin = app.admin_token().await;
        let project = app.project(&admin, "In the bucket").await;
        let ready = app.client.get(app.url("/api/ready")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK);

        let docx = fixture("bonterms-psa.docx");
        let (status, body) =
            upload(&app, &admin, &project, vec![part(docx.clone(), "psa.docx")]).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let id = body["documents"][0]["id"].as_str().unwrap();
        let keys = s3.keys().await;
        assert_eq!(keys, vec![format!("originals/documents/{project}/{id}")]);
        assert_eq!(stored_files(&app), 0, "nothing on the local disk");

        let download = app
            .get(&format!("/api/v1/documents/{id}/download"), &admin)
            .await;
        assert_eq!(download.bytes().await.unwrap().to_vec(), docx);
        let deleted = app.delete(&format!("/api/v1/documents/{id}"), &admin).await;
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        assert!(s3.keys().await.is_empty());
    }

    #[tokio::test]
    async fn the_same_file_twice_in_a_project_returns_the_existing_document() {
        let (app, admin, project) = setup().await;
        let (_, first) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("minimal.docx"), "a.docx")],
        )
        .await;
        let (status, second) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("minimal.docx"), "b.docx")],
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        assert_eq!(second["documents"][0]["id"], first["documents"][0]["id"]);
        assert_eq!(second["documents"][0]["duplicate"], true);
        assert_eq!(document_count(&app).await, 1);
        assert_eq!(stored_files(&app), 1);
    }

    /// (fixture, name it is uploaded as, expected status, words the detail must contain)
    const REFUSALS: &[(&str, &str, u16, &str)] = &[
        ("truncated.pdf", "truncated.pdf", 422, "cut off"),
        ("encrypted.pdf", "encrypted.pdf", 422, "encrypted"),
        ("broken-xref.pdf", "broken.pdf", 422, "cross-reference"),
        ("docx-bomb-declared.docx", "bomb.docx", 422, "zip bombs"),
        (
            "docx-bomb-ratio.docx",
            "ratio.docx",
            422,
            "compressed more than",
        ),
        (
            "docx-no-document-xml.docx",
            "nodoc.docx",
            422,
            "word/document.xml",
        ),
        (
            "docx-malformed-xml.docx",
            "badxml.docx",
            422,
            "well-formed xml",
        ),
        ("docx-traversal.docx", "traversal.docx", 422, "unsafe path"),
        ("docx-no-text.docx", "blank.docx", 422, "no text"),
        ("password-protected.docx", "locked.docx", 422, "password"),
        ("legacy-word-97.doc", "old.doc", 415, ".doc"),
        ("elf-executable.pdf", "invoice.pdf", 415, "not a pdf"),
        ("png-image.docx", "contract.docx", 415, "png"),
        ("truncated.jpg", "scan.jpg", 422, "cut off"),
        ("huge-dimensions.png", "huge.png", 422, "megapixels"),
        ("damaged-page-2.tif", "scan.tif", 422, "page 2"),
    ];

    #[tokio::test]
    async fn every_malformed_file_is_refused_with_its_reason_and_leaves_nothing_behind() {
        let (app, admin, project) = setup().await;
        for (name, upload_as, expected, words) in REFUSALS {
            let (status, body) =
                upload(&app, &admin, &project, vec![part(fixture(name), upload_as)]).await;
            assert_eq!(status.as_u16(), *expected, "{name}: {body}");
            let detail = body["documents"][0]["detail"].as_str().unwrap_or_default();
            assert!(
                detail.to_lowercase().contains(&words.to_lowercase()),
                "{name}: {detail}"
            );
            assert_eq!(body["detail"], json!(detail), "{name}");
        }
        assert_eq!(document_count(&app).await, 0);
        assert_eq!(stored_files(&app), 0);
    }

    #[tokio::test]
    async fn a_zero_byte_file_is_refused() {
        let (app, admin, project) = setup().await;
        let (status, body) =
            upload(&app, &admin, &project, vec![part(Vec::new(), "empty.pdf")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body["documents"][0]["detail"],
            "the file is empty (0 bytes)"
        );
        assert_eq!(document_count(&app).await, 0);
    }

    #[tokio::test]
    async fn an_oversize_file_is_413_naming_the_limit() {
        let app = TestApp::spawn_with(&[("MAX_UPLOAD_SIZE_MB", "1")]).await;
        let admin = app.admin_token().await;
        let project = app.project(&admin, "Big files").await;
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(1024 * 1024 + 10, b' ');
        let (status, body) = upload(&app, &admin, &project, vec![part(big, "big.pdf")]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(body["detail"].as_str().unwrap().contains("1 MB"), "{body}");
        assert_eq!(stored_files(&app), 0);
    }

    #[tokio::test]
    async fn a_type_that_is_not_enabled_is_415_until_an_admin_allows_it() {
        let (app, admin, project) = setup().await;
        let (status, body) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("contract.txt"), "notes.txt")],
        )
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("not allowed"),
            "{body}"
        );

        let allow = json!({ "allowed_file_types": ["pdf", "docx", "txt"] });
        assert_eq!(
            app.patch("/api/v1/admin/settings", &admin, allow)
                .await
                .status(),
            StatusCode::OK
        );
        let (status, _) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("contract.txt"), "notes.txt")],
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }

    #[tokio::test]
    async fn a_traversal_file_name_is_sanitised_and_never_used_as_a_path() {
        let (app, admin, project) = setup().await;
        let (status, body) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("minimal.docx"), "../../etc/passwd.docx")],
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let name = body["documents"][0]["filename"].as_str().unwrap();
        assert!(!name.contains('/') && !name.contains(".."), "{name}");
        assert!(name.ends_with("passwd.docx"), "{name}");
        assert!(!app.storage_root().join("../../etc/passwd.docx").exists());
    }

    #[tokio::test]
    async fn a_batch_mixing_good_and_bad_files_accepts_the_good_ones() {
        let (app, admin, project) = setup().await;
        let files = vec![
            part(fixture("minimal.docx"), "good.docx"),
            part(fixture("truncated.pdf"), "bad.pdf"),
            part(fixture("bonterms-nda-page1.pdf"), "nda.pdf"),
            part(fixture("png-image.docx"), "fake.docx"),
        ];
        let (status, body) = upload(&app, &admin, &project, files).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let entries = body["documents"].as_array().unwrap();
        assert_eq!(entries.len(), 4);
        assert!(entries[0]["id"].is_string() && entries[2]["id"].is_string());
        assert!(entries[1]["detail"].is_string() && entries[3]["detail"].is_string());
        assert!(entries[1].get("id").is_none());
        assert_eq!(document_count(&app).await, 2);
        assert_eq!(stored_files(&app), 2);
    }

    #[tokio::test]
    async fn uploads_need_edit_access_and_hidden_projects_answer_404() {
        let (app, admin, project) = setup().await;
        let (viewer_id, viewer) = app.user(&admin, "reader@firm.example", "user").await;
        let (_, outsider) = app.user(&admin, "outsider@firm.example", "user").await;
        let grant = json!({ "user_id": viewer_id, "level": "viewer" });
        app.post(&format!("/api/v1/projects/{project}/grants"), &admin, grant)
            .await;

        let (status, _) = upload(
            &app,
            &viewer,
            &project,
            vec![part(fixture("minimal.docx"), "x.docx")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = upload(
            &app,
            &outsider,
            &project,
            vec![part(fixture("minimal.docx"), "x.docx")],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(document_count(&app).await, 0);

        let (_, body) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("minimal.docx"), "x.docx")],
        )
        .await;
        let id = body["documents"][0]["id"].as_str().unwrap();
        assert_eq!(
            app.get(&format!("/api/v1/documents/{id}"), &viewer)
                .await
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            app.get(&format!("/api/v1/documents/{id}"), &outsider)
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.delete(&format!("/api/v1/documents/{id}"), &viewer)
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        let listed: Value = app
            .get("/api/v1/documents", &outsider)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed, json!([]));
    }

    #[tokio::test]
    async fn a_missing_project_or_missing_files_is_422_naming_the_field() {
        let (app, admin, project) = setup().await;
        let form = Form::new().part("files", part(fixture("minimal.docx"), "x.docx"));
        let response = app
            .client
            .post(app.url("/api/v1/documents"))
            .bearer_auth(&admin)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["body", "project_id"]));

        let (status, body) = upload(&app, &admin, &project, vec![]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["body", "files"]));
    }

    #[tokio::test]
    async fn deleting_a_document_removes_its_file_and_rows() {
        let (app, admin, project) = setup().await;
        let (_, body) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("minimal.docx"), "x.docx")],
        )
        .await;
        let id = body["documents"][0]["id"].as_str().unwrap();
        assert_eq!(stored_files(&app), 1);

        assert_eq!(
            app.delete(&format!("/api/v1/documents/{id}"), &admin)
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(stored_files(&app), 0);
        assert_eq!(document_count(&app).await, 0);
        assert_eq!(
            app.get(&format!("/api/v1/documents/{id}"), &admin)
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let activity: Value = app
            .get("/api/v1/activity", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(activity[0]["action"], "document.deleted");
    }

    #[tokio::test]
    async fn reprocessing_starts_a_new_run_from_the_queue() {
        let (app, admin, project) = setup().await;
        let (_, body) = upload(
            &app,
            &admin,
            &project,
            vec![part(fixture("minimal.docx"), "x.docx")],
        )
        .await;
        let id = body["documents"][0]["id"].as_str().unwrap();
        let (status, document) = status_json(
            app.post(
                &format!("/api/v1/documents/{id}/reprocess"),
                &admin,
                json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        assert_eq!(document["status"], "queued");
        let generation: i32 = sqlx::query_scalar("SELECT generation FROM documents")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(generation, 2);
    }
}

mod live_events {
    use super::*;
    use futures_util::StreamExt;
    use reqwest::multipart::{Form, Part};

    fn fixture(name: &str) -> Vec<u8> {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        std::fs::read(root.join("../ingest/tests/fixtures").join(name)).unwrap()
    }

    async fn upload(app: &TestApp, token: &str, project: &str) -> String {
        let form = Form::new().text("project_id", project.to_string()).part(
            "files",
            Part::bytes(fixture("minimal.docx")).file_name("x.docx"),
        );
        let response = app
            .client
            .post(app.url("/api/v1/documents"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let body: Value = response.json().await.unwrap();
        body["documents"][0]["id"].as_str().unwrap().to_string()
    }

    /// Reads server-sent events from a response, one `data:` payload at a time.
    struct Events {
        stream: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
        buffer: String,
    }

    impl Events {
        async fn open(app: &TestApp, path: &str, token: &str) -> Self {
            let response = app.get(path, token).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert!(
                response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/event-stream")
            );
            Self {
                stream: response.bytes_stream().boxed(),
                buffer: String::new(),
            }
        }

        /// The next event's data as JSON, or `None` when the stream ends or 10 s pass.
        async fn next(&mut self) -> Option<Value> {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                        return Some(serde_json::from_str(data.trim()).unwrap());
                    }
                    continue;
                }
                let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                    .await
                    .ok()??;
                self.buffer.push_str(&String::from_utf8_lossy(&chunk.ok()?));
            }
        }
    }

    #[tokio::test]
    async fn a_document_stream_starts_with_the_current_status_then_follows_each_change() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let project = app.project(&admin, "Live").await;
        let id = upload(&app, &admin, &project).await;

        let mut events =
            Events::open(&app, &format!("/api/v1/documents/{id}/events"), &admin).await;
        let first = events.next().await.unwrap();
        assert_eq!(
            (first["document_id"].as_str(), first["status"].as_str()),
            (Some(id.as_str()), Some("queued"))
        );

        // A worker announces a stage: the event reaches this instance through PostgreSQL.
        let publisher = lucidity_queue::Events::connect(None, app.db.clone())
            .await
            .unwrap();
        let event = lucidity_queue::DocumentEvent {
            document_id: id.parse().unwrap(),
            project_id: project.parse().unwrap(),
            status: "extracting".into(),
            error_message: None,
        };
        publisher.publish(&event).await;
        let next = events.next().await.unwrap();
        assert_eq!(next["status"], "extracting");
    }

    #[tokio::test]
    async fn a_project_stream_ends_when_access_is_revoked() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let project = app.project(&admin, "Watched").await;
        let (user_id, user) = app.user(&admin, "watcher@firm.example", "user").await;
        let grant: Value = app
            .post(
                &format!("/api/v1/projects/{project}/grants"),
                &admin,
                json!({ "user_id": user_id, "level": "viewer" }),
            )
            .await
            .json()
            .await
            .unwrap();

        let mut events =
            Events::open(&app, &format!("/api/v1/projects/{project}/events"), &user).await;
        upload(&app, &admin, &project).await;
        assert_eq!(events.next().await.unwrap()["status"], "queued");

        let grant_path = format!(
            "/api/v1/projects/{project}/grants/{}",
            grant["id"].as_str().unwrap()
        );
        assert_eq!(
            app.delete(&grant_path, &admin).await.status(),
            StatusCode::NO_CONTENT
        );
        // The next event is withheld and the stream closes.
        let form = Form::new().text("project_id", project.clone()).part(
            "files",
            Part::bytes(fixture("bonterms-psa.docx")).file_name("y.docx"),
        );
        let url = app.url("/api/v1/documents");
        app.client
            .post(url)
            .bearer_auth(&admin)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert!(events.next().await.is_none());
    }

    #[tokio::test]
    async fn with_redis_events_reach_every_api_instance() {
        let redis = support::OwnRedis::start().await;
        let (_, db) = support::fresh_database().await;
        let vars = [("REDIS_URL", redis.url.as_str())];
        let first = TestApp::spawn_on(db.clone(), &vars).await;
        let second = TestApp::spawn_on(db, &vars).await;
        let admin = first.admin_token().await;
        let project = first.project(&admin, "Shared").await;

        let mut events = Events::open(
            &second,
            &format!("/api/v1/projects/{project}/events"),
            &admin,
        )
        .await;
        // Subscriptions are asynchronous: give the second instance's listener a moment.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let id = upload(&first, &admin, &project).await;
        let event = events.next().await.unwrap();
        assert_eq!(event["document_id"], json!(id));
    }
}

mod analysis {
    use super::*;
    use reqwest::multipart::{Form, Part};
    use std::time::{Duration, Instant};

    /// How long a document may take through the real pipeline before a test gives up.
    const PIPELINE_TIMEOUT: Duration = Duration::from_secs(90);

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// An app with a worker, plain text uploads allowed, an admin token and a project.
    async fn setup() -> (TestApp, String, String) {
        let app = TestApp::spawn().await;
        app.start_worker();
        let admin = app.admin_token().await;
        let types = json!({ "allowed_file_types": ["pdf", "docx", "txt"] });
        let response = app.patch("/api/v1/admin/settings", &admin, types).await;
        assert_eq!(response.status(), StatusCode::OK);
        let project = app.project(&admin, "Contracts").await;
        (app, admin, project)
    }

    async fn upload(app: &TestApp, token: &str, project: &str, name: &str) -> String {
        let form = Form::new().text("project_id", project.to_string()).part(
            "files",
            Part::bytes(fixture(name)).file_name(name.to_string()),
        );
        let response = app
            .client
            .post(app.url("/api/v1/documents"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        body["documents"][0]["id"].as_str().unwrap().to_string()
    }

    /// Waits for the report of run `generation` of the document; panics with the last answer
    /// when the document fails or takes too long.
    async fn report(app: &TestApp, token: &str, id: &str, generation: i64) -> Value {
        let started = Instant::now();
        loop {
            let path = format!("/api/v1/documents/{id}/report");
            let (status, body) = status_json(app.get(&path, token).await).await;
            if status == StatusCode::OK && body["generation"].as_i64() >= Some(generation) {
                return body;
            }
            let detail = body["detail"].as_str().unwrap_or("");
            assert!(!detail.contains("failed"), "the document failed: {detail}");
            assert!(
                started.elapsed() < PIPELINE_TIMEOUT,
                "no report after {PIPELINE_TIMEOUT:?}: {status} {body}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn reprocess(app: &TestApp, token: &str, id: &str) {
        let path = format!("/api/v1/documents/{id}/reprocess");
        let response = app.post(&path, token, json!({})).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }

    async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let response = app
            .client
            .put(app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        status_json(response).await
    }

    /// The characters `span` covers in the document's text, as `/text` serves it.
    async fn cited(app: &TestApp, token: &str, id: &str, span: &Value) -> String {
        let path = format!("/api/v1/documents/{id}/text");
        let text: Value = app.get(&path, token).await.json().await.unwrap();
        let start = span["start"].as_u64().unwrap() as usize;
        let end = span["end"].as_u64().unwrap() as usize;
        let body = text["text"].as_str().unwrap();
        body.chars().skip(start).take(end - start).collect()
    }

    fn finding_of<'a>(report: &'a Value, entry: &str) -> Option<&'a Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["playbook_entry"] == entry)
    }

    /// The locations a 422 names, as `body.field` strings.
    fn locations(body: &Value) -> Vec<String> {
        body["detail"]
            .as_array()
            .unwrap_or_else(|| panic!("not a field list: {body}"))
            .iter()
            .map(|e| {
                let loc: Vec<&str> = e["loc"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap())
                    .collect();
                loc.join(".")
            })
            .collect()
    }

    #[tokio::test]
    async fn a_contract_is_classified_cited_by_page_scored_and_attributed_to_the_builtin_engine() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        let report = report(&app, &admin, &id, 1).await;

        let classification = &report["classification"];
        assert_eq!(
            classification["doc_type"], "master_services",
            "{classification}"
        );
        assert_eq!(classification["is_contract"], true);
        assert_eq!(classification["label"], "Master services agreement");
        let parties = report["parties"].as_array().unwrap();
        assert!(
            parties.iter().any(|p| {
                let name = p["name"].as_str().unwrap_or("");
                name.contains("Northwind") && p["page"] == 1
            }),
            "{parties:?}"
        );

        let clauses = report["clauses"].as_array().unwrap();
        assert!(clauses.len() >= 8, "{} clauses", clauses.len());
        assert!(clauses.iter().any(|c| c["page_start"] == 1));
        assert!(clauses.iter().any(|c| c["page_start"] == 2));

        // The law clause is on page 2; the playbook prefers New York, Delaware or England.
        let law = finding_of(&report, "seed:governing_law").expect("a governing law finding");
        assert_eq!(law["kind"], "deviation");
        assert_eq!(law["page"], 2);
        let quoted = cited(&app, &admin, &id, &law["span"]).await;
        assert!(quoted.contains("California"), "{quoted}");
        assert!(
            law["suggested_language"]
                .as_str()
                .unwrap()
                .contains("New York")
        );

        let fields = report["fields"].as_array().unwrap();
        let governing_law = fields.iter().find(|f| f["key"] == "governing_law").unwrap();
        assert_eq!(governing_law["display"], "California");
        assert_eq!(governing_law["page"], 2);

        let risk = &report["risk"];
        assert!(risk["score"].as_i64().unwrap() > 0, "{risk}");
        assert!(!risk["explanation"].as_array().unwrap().is_empty());
        for capability in [
            "extraction_classification",
            "document_understanding",
            "reasoning",
            "generation",
        ] {
            let used = &report["provenance"][capability];
            assert_eq!(used["provider"], "builtin", "{capability}: {used}");
            assert!(
                used["model"]
                    .as_str()
                    .unwrap()
                    .starts_with("lucidity-analysis-")
            );
        }
        let embeddings = &report["provenance"]["embeddings"];
        assert_eq!(embeddings["provider"], "builtin", "{embeddings}");
        let model = embeddings["model"].as_str().unwrap();
        assert!(model.starts_with("all-MiniLM-L6-v2-int8@"), "{model}");
    }

    #[tokio::test]
    async fn clauses_findings_and_obligations_are_served_on_their_own_as_in_the_report() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        let report = report(&app, &admin, &id, 1).await;

        let clauses: Value = app
            .get(&format!("/api/v1/documents/{id}/clauses"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(clauses["clauses"], report["clauses"]);
        let obligations: Value = app
            .get(&format!("/api/v1/documents/{id}/obligations"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(obligations["obligations"], report["obligations"]);
        let duties = obligations["obligations"].as_array().unwrap();
        assert!(
            duties.iter().any(|o| o["party"] == "Customer"),
            "{duties:?}"
        );

        let path = format!("/api/v1/documents/{id}/findings?severity=low");
        let low: Value = app.get(&path, &admin).await.json().await.unwrap();
        let low = low["findings"].as_array().unwrap();
        assert!(!low.is_empty());
        assert!(low.iter().all(|f| f["severity"] == "low"));
        let all = report["findings"].as_array().unwrap();
        assert!(low.len() < all.len(), "other severities are left out");

        let path = format!("/api/v1/documents/{id}/findings?severity=dire");
        let (status, body) = status_json(app.get(&path, &admin).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(locations(&body), ["query.severity"]);
    }

    #[tokio::test]
    async fn a_text_that_is_not_a_contract_says_so_and_has_no_findings() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "not_a_contract.txt").await;
        let report = report(&app, &admin, &id, 1).await;

        let classification = &report["classification"];
        assert_eq!(classification["is_contract"], false);
        assert_eq!(classification["confidence"], 0.0);
        assert!(
            !classification["reason"]["message"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert_eq!(report["findings"], json!([]));
        assert_eq!(report["clauses"], json!([]));
        assert_eq!(report["risk"], Value::Null);
    }

    #[tokio::test]
    async fn the_report_is_409_naming_the_status_until_the_document_is_complete() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let types = json!({ "allowed_file_types": ["txt"] });
        app.patch("/api/v1/admin/settings", &admin, types).await;
        let project = app.project(&admin, "Waiting").await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;

        for path in ["report", "clauses", "findings", "obligations"] {
            let path = format!("/api/v1/documents/{id}/{path}");
            let (status, body) = status_json(app.get(&path, &admin).await).await;
            assert_eq!(status, StatusCode::CONFLICT, "{path}");
            assert!(
                body["detail"].as_str().unwrap().contains("queued"),
                "{body}"
            );
        }

        sqlx::query(
            "UPDATE documents SET status = 'failed', error_message = 'text extraction failed: \
             the file is damaged'",
        )
        .execute(&app.db)
        .await
        .unwrap();
        let path = format!("/api/v1/documents/{id}/report");
        let (status, body) = status_json(app.get(&path, &admin).await).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("the file is damaged"), "{detail}");
    }

    /// The passages of a search answer, as (document id, cited text, snippet highlights).
    async fn search(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
        status_json(app.get(&format!("/api/v1/search?{query}"), token).await).await
    }

    #[tokio::test]
    async fn search_finds_passages_by_words_and_by_meaning_citing_document_page_and_span() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        report(&app, &admin, &id, 1).await;

        let (status, body) = search(&app, &admin, "q=indemnify&mode=keyword").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["mode"], "keyword");
        let first = &body["results"][0];
        assert_eq!(first["document_id"], id.as_str());
        assert!(first["page"].as_i64().is_some(), "{first}");
        let passage = cited(&app, &admin, &id, &first["span"]).await;
        assert!(passage.contains("indemnify"), "{passage}");
        let snippet = first["snippet"].as_str().unwrap();
        let highlighted: Vec<String> = first["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let (start, end) = (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap());
                snippet
                    .chars()
                    .skip(start as usize)
                    .take((end - start) as usize)
                    .collect()
            })
            .collect();
        assert!(
            highlighted
                .iter()
                .any(|w| w.to_lowercase().starts_with("indemnif")),
            "{highlighted:?}"
        );

        // No word of this question is in the clause that answers it.
        let question = "q=which%20jurisdiction%27s%20statutes%20apply&mode=semantic";
        let (status, body) = search(&app, &admin, question).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let results = body["results"].as_array().unwrap();
        assert!(!results.is_empty());
        let mut top = Vec::new();
        for result in results.iter().take(3) {
            top.push(cited(&app, &admin, &id, &result["span"]).await);
        }
        assert!(
            top.iter()
                .any(|p| p.contains("laws of the State of California")),
            "{top:?}"
        );

        let (status, body) = search(&app, &admin, "q=governing%20law").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["mode"], "hybrid");
        let passage = cited(&app, &admin, &id, &body["results"][0]["span"]).await;
        assert!(passage.contains("Governing Law"), "{passage}");
    }

    #[tokio::test]
    async fn search_sees_only_what_the_caller_may_and_names_every_bad_parameter() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        report(&app, &admin, &id, 1).await;
        let (_, stranger) = app.user(&admin, "stranger@firm.example", "user").await;

        let (status, body) = search(&app, &stranger, "q=indemnify").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["results"], json!([]));
        let scoped = format!("q=indemnify&project_id={project}");
        assert_eq!(
            search(&app, &stranger, &scoped).await.0,
            StatusCode::NOT_FOUND
        );
        let scoped = format!("q=indemnify&document_id={id}");
        assert_eq!(
            search(&app, &stranger, &scoped).await.0,
            StatusCode::NOT_FOUND
        );

        let (status, body) = search(&app, &admin, "mode=fuzzy&limit=0&project_id=x").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut named = locations(&body);
        named.sort();
        assert_eq!(
            named,
            ["query.limit", "query.mode", "query.project_id", "query.q"]
        );
    }

    #[tokio::test]
    async fn passages_embedded_by_another_model_are_embedded_again_by_the_current_one() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        report(&app, &admin, &id, 1).await;
        let embedder = std::sync::Arc::new(
            lucidity_embed::Embedder::load(&app.config.model_dir).expect("the model is installed"),
        );
        let model = embedder.model_id().to_string();
        assert_eq!(
            lucidity_db::chunks::count_stale_chunks(&app.db, &model)
                .await
                .unwrap(),
            0
        );

        // As if the index had been built by an earlier model.
        sqlx::query("UPDATE chunks SET embedding_model = 'an-earlier-model'")
            .execute(&app.db)
            .await
            .unwrap();
        let stale = lucidity_db::chunks::count_stale_chunks(&app.db, &model)
            .await
            .unwrap();
        assert!(stale > 0);
        let mut done = 0;
        loop {
            let batch = lucidity_worker::reembed::batch(&app.db, &embedder)
                .await
                .unwrap();
            if batch == 0 {
                break;
            }
            done += batch;
        }
        assert_eq!(done as i64, stale);
        assert_eq!(
            lucidity_db::chunks::count_stale_chunks(&app.db, &model)
                .await
                .unwrap(),
            0
        );
    }

    #[tokio::test]
    async fn a_deleted_document_leaves_the_search_index() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        report(&app, &admin, &id, 1).await;
        let (_, body) = search(&app, &admin, "q=indemnify&mode=keyword").await;
        assert!(!body["results"].as_array().unwrap().is_empty());

        let response = app.delete(&format!("/api/v1/documents/{id}"), &admin).await;
        assert!(response.status().is_success());
        for mode in ["keyword", "semantic", "hybrid"] {
            let (_, body) = search(&app, &admin, &format!("q=indemnify&mode={mode}")).await;
            assert_eq!(body["results"], json!([]), "{mode}");
        }
    }

    #[tokio::test]
    async fn another_users_document_is_404_and_a_viewer_may_read_but_not_review() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        let report = report(&app, &admin, &id, 1).await;
        let key = report["findings"][0]["key"].as_str().unwrap().to_string();

        let (_, stranger) = app.user(&admin, "stranger@firm.example", "user").await;
        let (viewer_id, viewer) = app.user(&admin, "viewer@firm.example", "user").await;
        let grant = json!({ "user_id": viewer_id, "level": "viewer" });
        let path = format!("/api/v1/projects/{project}/grants");
        assert_eq!(
            app.post(&path, &admin, grant).await.status(),
            StatusCode::CREATED
        );

        let review = format!("/api/v1/documents/{id}/findings/{key}/review");
        let accept = json!({ "decision": "accepted" });
        for path in ["report", "findings", "clauses", "obligations"] {
            let path = format!("/api/v1/documents/{id}/{path}");
            assert_eq!(
                app.get(&path, &stranger).await.status(),
                StatusCode::NOT_FOUND
            );
            assert_eq!(app.get(&path, &viewer).await.status(), StatusCode::OK);
        }
        let (status, _) = put(&app, &review, &stranger, accept.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = put(&app, &review, &viewer, accept).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn reviews_are_recorded_audited_and_survive_reprocessing() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        let first = report(&app, &admin, &id, 1).await;
        let law = finding_of(&first, "seed:governing_law").unwrap();
        let key = law["key"].as_str().unwrap();

        let path = format!("/api/v1/documents/{id}/findings/{key}/review");
        let correction = json!({
            "decision": "corrected",
            "correction": { "severity": "high", "explanation": "California is not acceptable." },
            "note": "Checked with the partner."
        });
        let (status, finding) = put(&app, &path, &admin, correction).await;
        assert_eq!(status, StatusCode::OK, "{finding}");
        assert_eq!(finding["review"]["decision"], "corrected");
        assert_eq!(finding["review"]["correction"]["severity"], "high");
        let path = format!("/api/v1/documents/{id}/fields/governing_law/review");
        let (status, field) = put(&app, &path, &admin, json!({ "decision": "accepted" })).await;
        assert_eq!(status, StatusCode::OK, "{field}");

        reprocess(&app, &admin, &id).await;
        let second = report(&app, &admin, &id, 2).await;
        let law = finding_of(&second, "seed:governing_law").unwrap();
        assert_eq!(law["review"]["decision"], "corrected");
        assert_eq!(law["review"]["note"], "Checked with the partner.");
        assert!(law["review"]["decided_by"].is_string());
        let fields = second["fields"].as_array().unwrap();
        let governing_law = fields.iter().find(|f| f["key"] == "governing_law").unwrap();
        assert_eq!(governing_law["review"]["decision"], "accepted");

        let logged: Vec<Value> = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'document.reviewed' ORDER BY id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert_eq!(logged.len(), 2);
        assert_eq!(logged[0]["key"], key);
        assert!(
            logged[0].get("correction").is_none(),
            "corrections stay out of the log"
        );
    }

    #[tokio::test]
    async fn a_malformed_review_is_422_naming_each_field_and_an_unknown_target_is_404() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        let report = report(&app, &admin, &id, 1).await;
        let key = report["findings"][0]["key"].as_str().unwrap();
        let path = format!("/api/v1/documents/{id}/findings/{key}/review");

        let cases = [
            (json!({}), vec!["body.decision"]),
            (json!({ "decision": "maybe" }), vec!["body.decision"]),
            (json!({ "decision": "corrected" }), vec!["body.correction"]),
            (
                json!({ "decision": "accepted", "correction": { "severity": "low" } }),
                vec!["body.correction"],
            ),
            (
                json!({
                    "decision": "corrected",
                    "correction": { "severity": "dire", "colour": 1 }
                }),
                vec!["body.correction", "body.correction"],
            ),
            (
                json!({ "decision": "rejected", "note": "  " }),
                vec!["body.note"],
            ),
        ];
        for (body, expected) in cases {
            let (status, answer) = put(&app, &path, &admin, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(locations(&answer), expected, "{body}");
        }

        let field = format!("/api/v1/documents/{id}/fields/governing_law/review");
        let wrong = json!({ "decision": "corrected", "correction": { "severity": "low" } });
        let (status, answer) = put(&app, &field, &admin, wrong).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a field has no severity"
        );
        assert_eq!(locations(&answer), ["body.correction"]);

        let accept = json!({ "decision": "accepted" });
        let missing = format!("/api/v1/documents/{id}/findings/no-such-key/review");
        let (status, _) = put(&app, &missing, &admin, accept.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let missing = format!("/api/v1/documents/{id}/fields/no_such_field/review");
        let (status, _) = put(&app, &missing, &admin, accept).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn disabling_a_playbook_entry_removes_its_finding_from_the_next_run() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        let first = report(&app, &admin, &id, 1).await;
        assert!(finding_of(&first, "seed:governing_law").is_some());

        let playbook: Value = app
            .get("/api/v1/playbook", &admin)
            .await
            .json()
            .await
            .unwrap();
        let entries = playbook["entries"].as_array().unwrap();
        let mut entry = entries
            .iter()
            .find(|e| e["id"] == "seed:governing_law")
            .unwrap()
            .clone();
        entry["enabled"] = json!(false);
        let path = "/api/v1/admin/playbook/entries/seed:governing_law";
        let (status, updated) = put(&app, path, &admin, entry).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["enabled"], false);
        assert_eq!(updated["seeded"], true);

        reprocess(&app, &admin, &id).await;
        let second = report(&app, &admin, &id, 2).await;
        assert!(finding_of(&second, "seed:governing_law").is_none());
    }

    #[tokio::test]
    async fn a_capability_mapped_to_a_provider_missing_from_this_build_runs_on_the_builtin_one() {
        let (app, admin, project) = setup().await;
        sqlx::query(
            "UPDATE ai_capabilities SET provider = 'anthropic' \
             WHERE capability = 'extraction_classification'",
        )
        .execute(&app.db)
        .await
        .unwrap();
        let id = upload(&app, &admin, &project, "not_a_contract.txt").await;
        let report = report(&app, &admin, &id, 1).await;

        let used = &report["provenance"]["extraction_classification"];
        assert_eq!(used["provider"], "builtin");
        assert_eq!(used["instead_of"], "anthropic");
        assert!(
            report["provenance"]["reasoning"]
                .get("instead_of")
                .is_none()
        );
    }

    #[tokio::test]
    async fn an_analysed_contract_is_found_by_party_in_the_table_and_dated_on_the_dashboard() {
        let (app, admin, project) = setup().await;
        let id = upload(&app, &admin, &project, "master_services_agreement.txt").await;
        report(&app, &admin, &id, 1).await;
        use chrono::Datelike;

        let path = format!("/api/v1/projects/{project}/documents?party=HARBOR%20logistics");
        let (status, table) = status_json(app.get(&path, &admin).await).await;
        assert_eq!(status, StatusCode::OK, "{table}");
        assert_eq!(table["total"], 1);
        let row = &table["items"][0];
        assert_eq!(row["id"], json!(id));
        assert_eq!(row["doc_type"], "master_services");
        let parties = row["parties"].as_array().unwrap();
        assert!(
            parties.iter().any(|p| p == "Harbor Logistics LLC"),
            "{parties:?}"
        );
        let path = format!("/api/v1/projects/{project}/documents?party=globex");
        let (_, none) = status_json(app.get(&path, &admin).await).await;
        assert_eq!(none["total"], 0);

        // Effective 2024-03-01 for one year, renewing by itself each year unless notice is
        // given 15 days before the end of the term: due every 1 March and 15 February.
        let today = chrono::Utc::now().date_naive();
        let march_first = |year| chrono::NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
        let renews = match march_first(today.year()) {
            this_year if this_year >= today => this_year,
            _ => march_first(today.year() + 1),
        };
        let notice = [renews, march_first(renews.year() + 1)]
            .into_iter()
            .map(|end| end - chrono::Days::new(15))
            .find(|day| *day >= today)
            .unwrap();
        let (status, dashboard) = status_json(app.get("/api/v1/dashboard", &admin).await).await;
        assert_eq!(status, StatusCode::OK, "{dashboard}");
        let mut upcoming: Vec<(String, String)> = dashboard["upcoming"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["kind"].as_str().unwrap().into(),
                    u["date"].as_str().unwrap().into(),
                )
            })
            .collect();
        upcoming.sort();
        assert_eq!(
            upcoming,
            [
                ("notice".to_string(), notice.to_string()),
                ("renewal".to_string(), renews.to_string())
            ]
        );
    }
}

mod playbook_admin {
    use super::*;

    fn entry() -> Value {
        json!({
            "kind": "position",
            "title": "Audit rights are limited to once a year",
            "text": "Customer may audit at most once in any twelve-month period.",
            "category": "audit_rights",
            "doc_types": ["master_services", "software_license"],
            "severity": "low",
            "alternatives": ["Twice a year after a security incident."],
            "rule": { "check": "required" }
        })
    }

    async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let response = app
            .client
            .put(app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        status_json(response).await
    }

    fn locations(body: &Value) -> Vec<String> {
        let mut locations: Vec<String> = body["detail"]
            .as_array()
            .unwrap_or_else(|| panic!("not a field list: {body}"))
            .iter()
            .map(|e| e["loc"][1].as_str().unwrap().to_string())
            .collect();
        locations.sort();
        locations.dedup();
        locations
    }

    #[tokio::test]
    async fn the_default_playbook_is_seeded_and_readable_by_every_signed_in_user() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (_, user) = app.user(&admin, "reader@firm.example", "user").await;

        let (status, playbook) = status_json(app.get("/api/v1/playbook", &user).await).await;
        assert_eq!(status, StatusCode::OK);
        let entries = playbook["entries"].as_array().unwrap();
        for kind in [
            "terminology",
            "position",
            "preferred_language",
            "risk_threshold",
            "regulatory",
        ] {
            assert!(entries.iter().any(|e| e["kind"] == kind), "{kind}");
        }
        assert!(entries.iter().all(|e| e["seeded"] == true));
        let response = app
            .client
            .get(app.url("/api/v1/playbook"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn an_admin_adds_edits_and_deletes_entries_and_each_change_is_audited() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (_, user) = app.user(&admin, "user@firm.example", "user").await;
        let path = "/api/v1/admin/playbook/entries";
        assert_eq!(
            app.post(path, &user, entry()).await.status(),
            StatusCode::FORBIDDEN
        );

        let (status, created) = status_json(app.post(path, &admin, entry()).await).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["seeded"], false);
        assert_eq!(created["rule"], json!({ "check": "required" }));
        let id = created["id"].as_str().unwrap();

        let mut changed = entry();
        changed["severity"] = json!("high");
        let (status, updated) = put(&app, &format!("{path}/{id}"), &admin, changed).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["severity"], "high");
        let playbook: Value = app
            .get("/api/v1/playbook", &user)
            .await
            .json()
            .await
            .unwrap();
        let listed = playbook["entries"].as_array().unwrap();
        assert_eq!(listed.last().unwrap()["id"], id, "new entries come last");

        let gone = app.delete(&format!("{path}/{id}"), &admin).await;
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        let again = app.delete(&format!("{path}/{id}"), &admin).await;
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
        let (status, _) = put(&app, &format!("{path}/{id}"), &admin, entry()).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "a deleted entry cannot be edited"
        );

        let actions: Vec<String> = sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE action LIKE 'playbook.%' ORDER BY id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert_eq!(
            actions,
            [
                "playbook.entry_created",
                "playbook.entry_updated",
                "playbook.entry_deleted"
            ]
        );
    }

    #[tokio::test]
    async fn each_invalid_part_of_an_entry_is_named_in_the_422() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let path = "/api/v1/admin/playbook/entries";
        let with = |changes: Value| {
            let mut body = entry();
            for (key, value) in changes.as_object().unwrap() {
                body[key] = value.clone();
            }
            body
        };

        let cases = [
            (json!({ "kind": "opinion" }), vec!["kind"]),
            (json!({ "title": " ", "text": null }), vec!["text", "title"]),
            (json!({ "category": "snacks" }), vec!["category"]),
            (
                json!({ "doc_types": ["nda", "cookbook"] }),
                vec!["doc_types"],
            ),
            (json!({ "severity": "dire" }), vec!["severity"]),
            (json!({ "rule": { "check": "sometimes" } }), vec!["rule"]),
            (
                json!({ "rule": { "check": "cap_at_most_months" } }),
                vec!["rule"],
            ),
            (
                json!({ "rule": { "check": "law_in", "jurisdictions": [] } }),
                vec!["rule"],
            ),
            (json!({ "kind": "terminology" }), vec!["rule"]),
            (json!({ "category": null }), vec!["category"]),
            (
                json!({ "medium_from": 20, "high_from": 50 }),
                vec!["medium_from"],
            ),
            (json!({ "alternatives": [""] }), vec!["alternatives"]),
            (
                json!({ "kind": "risk_threshold", "rule": null, "medium_from": 140 }),
                vec!["medium_from"],
            ),
            (
                json!({
                    "kind": "risk_threshold", "rule": null, "medium_from": 60, "high_from": 30
                }),
                vec!["high_from"],
            ),
            (
                json!({ "kind": "risk_threshold", "rule": null }),
                vec!["high_from", "medium_from"],
            ),
            (
                json!({ "kind": "preferred_language", "rule": null, "category": null }),
                vec!["category"],
            ),
        ];
        for (changes, expected) in cases {
            let body = with(changes.clone());
            let (status, answer) = status_json(app.post(path, &admin, body).await).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{changes}: {answer}"
            );
            assert_eq!(locations(&answer), expected, "{changes}");
        }

        let (status, _) = put(&app, &format!("{path}/seed:nothing"), &admin, entry()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn seeding_again_keeps_edits_and_never_revives_a_deleted_default_entry() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let path = "/api/v1/admin/playbook/entries";
        let gone = app
            .delete(&format!("{path}/seed:term_affiliate"), &admin)
            .await;
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        let edited = json!({
            "kind": "risk_threshold", "title": "Stricter bands", "text": "Medium from 20.",
            "medium_from": 20, "high_from": 50
        });
        let (status, body) = put(&app, &format!("{path}/seed:risk_bands"), &admin, edited).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        lucidity_db::migrate::seed(&app.db, &app.config)
            .await
            .unwrap();
        let playbook: Value = app
            .get("/api/v1/playbook", &admin)
            .await
            .json()
            .await
            .unwrap();
        let entries = playbook["entries"].as_array().unwrap();
        assert!(entries.iter().all(|e| e["id"] != "seed:term_affiliate"));
        let bands = entries
            .iter()
            .find(|e| e["id"] == "seed:risk_bands")
            .unwrap();
        assert_eq!(
            (bands["medium_from"].clone(), bands["high_from"].clone()),
            (json!(20), json!(50))
        );
    }
}

mod capabilities {
    use super::*;

    async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let response = app
            .client
            .put(app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        status_json(response).await
    }

    #[tokio::test]
    async fn every_capability_starts_on_the_builtin_engine() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let path = "/api/v1/admin/ai/capabilities";
        let (status, list) = status_json(app.get(path, &admin).await).await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["capability"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "extraction_classification",
                "document_understanding",
                "reasoning",
                "generation",
                "embeddings"
            ]
        );
        for capability in list.as_array().unwrap() {
            assert_eq!(capability["provider"], "builtin");
            assert_eq!(capability["available"], true);
            assert_eq!(capability["effective"]["provider"], "builtin");
            assert_eq!(capability["updated_by"], Value::Null);
        }
    }

    #[tokio::test]
    async fn a_mapping_change_is_read_back_audited_and_limited_to_administrators() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let (_, user) = app.user(&admin, "user@firm.example", "user").await;
        let path = "/api/v1/admin/ai/capabilities/reasoning";
        let builtin = json!({ "provider": "builtin" });
        let (status, _) = put(&app, path, &user, builtin.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let listing = app.get("/api/v1/admin/ai/capabilities", &user).await;
        assert_eq!(listing.status(), StatusCode::FORBIDDEN);

        let (status, changed) = put(&app, path, &admin, builtin).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["capability"], "reasoning");
        let list: Value = app
            .get("/api/v1/admin/ai/capabilities", &admin)
            .await
            .json()
            .await
            .unwrap();
        let reasoning = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["capability"] == "reasoning")
            .unwrap();
        assert!(reasoning["updated_by"].is_string(), "{reasoning}");
        assert_eq!(reasoning["model"], changed["effective"]["model"]);

        let audited: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'capability.updated' \
             AND target_id = 'reasoning'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(audited, 1);
    }

    #[tokio::test]
    async fn unknown_capabilities_are_404_and_unusable_providers_or_models_are_422() {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let base = "/api/v1/admin/ai/capabilities";

        let (status, _) = put(
            &app,
            &format!("{base}/telepathy"),
            &admin,
            json!({ "provider": "builtin" }),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let remote = json!({ "provider": "openai", "model": "gpt-4o" });
        let (status, body) = put(&app, &format!("{base}/generation"), &admin, remote).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["body", "provider"]));
        let message = body["detail"][0]["msg"].as_str().unwrap();
        assert!(message.contains("not available in this build"), "{message}");

        let cases = [
            (json!({ "provider": "acme" }), "provider"),
            (json!({}), "provider"),
            (json!({ "provider": "builtin", "model": "gpt-4o" }), "model"),
            (json!({ "provider": 7 }), "provider"),
        ];
        for (body, field) in cases {
            let (status, answer) =
                put(&app, &format!("{base}/generation"), &admin, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(answer["detail"][0]["loc"], json!(["body", field]), "{body}");
        }
        let unchanged: i64 =
            sqlx::query_scalar("SELECT count(*) FROM ai_capabilities WHERE provider <> 'builtin'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(unchanged, 0);
    }
}

mod document_table {
    use super::*;
    use support::StoredAnalysis;

    /// A project of four documents, uploaded in this order:
    /// - `Acme NDA.pdf`: complete, an NDA scored low (12), between Acme Corp. and Beta LLC;
    /// - `services.docx`: complete, a master services agreement scored high (80);
    /// - `lease_50%.pdf`: still extracting, no analysis;
    /// - `notes.pdf`: complete, not a contract, so not scored.
    ///
    /// A second project holds a document of its own.
    struct World {
        app: TestApp,
        admin: String,
        project: String,
        ids: Vec<String>,
    }

    async fn world() -> World {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let project = app.project(&admin, "Table").await;
        let other = app.project(&admin, "Elsewhere").await;

        let nda = app
            .insert_document(&project, "Acme NDA.pdf", "complete")
            .await;
        let nda_analysis = StoredAnalysis {
            doc_type: "nda",
            title: Some("Mutual Non-Disclosure Agreement"),
            risk: Some(("low", 12)),
            parties: &["Acme Corp.", "Beta LLC"],
        };
        app.insert_analysis(&nda, nda_analysis).await;
        let msa = app
            .insert_document(&project, "services.docx", "complete")
            .await;
        let msa_analysis = StoredAnalysis {
            doc_type: "master_services",
            title: Some("Master Services Agreement"),
            risk: Some(("high", 80)),
            parties: &["Northwind Analytics, Inc.", "Harbor Logistics LLC"],
        };
        app.insert_analysis(&msa, msa_analysis).await;
        let lease = app
            .insert_document(&project, "lease_50%.pdf", "extracting")
            .await;
        let notes = app.insert_document(&project, "notes.pdf", "complete").await;
        let notes_analysis = StoredAnalysis {
            doc_type: "other",
            title: None,
            risk: None,
            parties: &[],
        };
        app.insert_analysis(&notes, notes_analysis).await;

        let elsewhere = app
            .insert_document(&other, "elsewhere.pdf", "complete")
            .await;
        let elsewhere_analysis = StoredAnalysis {
            doc_type: "employment",
            title: None,
            risk: Some(("medium", 50)),
            parties: &["Acme Corp."],
        };
        app.insert_analysis(&elsewhere, elsewhere_analysis).await;
        World {
            app,
            admin,
            project,
            ids: vec![nda, msa, lease, notes],
        }
    }

    async fn table(w: &World, query: &str) -> Value {
        let path = format!("/api/v1/projects/{}/documents{query}", w.project);
        let (status, body) = status_json(w.app.get(&path, &w.admin).await).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        body
    }

    /// The file names of a page, in order, and the total.
    async fn names(w: &World, query: &str) -> (Vec<String>, i64) {
        let body = table(w, query).await;
        let names = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["filename"].as_str().unwrap().to_string())
            .collect();
        (names, body["total"].as_i64().unwrap())
    }

    #[tokio::test]
    async fn a_page_holds_the_newest_documents_with_their_analysis_and_the_projects_facets() {
        let w = world().await;
        let first = table(&w, "?page_size=3").await;
        assert_eq!(first["total"], 4);
        assert_eq!(
            (first["page"].as_i64(), first["page_size"].as_i64()),
            (Some(1), Some(3))
        );
        let names: Vec<&str> = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["filename"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["notes.pdf", "lease_50%.pdf", "services.docx"]);
        assert_eq!(
            first["facets"]["doc_types"],
            json!(["master_services", "nda", "other"])
        );
        let statuses = &first["facets"]["statuses"];
        assert_eq!(statuses["complete"], 3);
        assert_eq!(statuses["extracting"], 1);
        assert_eq!(statuses["queued"], 0);
        assert_eq!(statuses.as_object().unwrap().len(), 9);
        assert_eq!(
            first["facets"]["doc_type_labels"]["master_services"],
            "Master services agreement"
        );

        let second = table(&w, "?page_size=3&page=2").await;
        assert_eq!(second["total"], 4);
        let nda = &second["items"][0];
        assert_eq!(nda["id"], json!(w.ids[0]));
        assert_eq!(nda["filename"], "Acme NDA.pdf");
        assert_eq!(nda["file_kind"], "pdf");
        assert_eq!(nda["status"], "complete");
        assert_eq!(nda["size_bytes"], 1000);
        assert_eq!(nda["doc_type"], "nda");
        assert_eq!(nda["doc_type_label"], "Non-disclosure agreement");
        assert_eq!(nda["title"], "Mutual Non-Disclosure Agreement");
        assert_eq!(nda["risk_level"], "low");
        assert_eq!(nda["risk_score"], 12);
        assert_eq!(nda["parties"], json!(["Acme Corp.", "Beta LLC"]));
        assert!(nda["completed_at"].is_string() && nda["created_at"].is_string());

        let unanalysed = &first["items"][1];
        assert_eq!(unanalysed["doc_type"], Value::Null);
        assert_eq!(unanalysed["doc_type_label"], Value::Null);
        assert_eq!(unanalysed["risk_level"], Value::Null);
        assert_eq!(unanalysed["parties"], json!([]));

        let beyond = table(&w, "?page=9").await;
        assert_eq!(beyond["total"], 4);
        assert_eq!(beyond["items"], json!([]));
    }

    #[tokio::test]
    async fn the_table_filters_by_status_type_risk_party_and_text() {
        let w = world().await;
        let cases: [(&str, &[&str]); 13] = [
            ("?status=processing", &["lease_50%.pdf"]),
            (
                "?status=complete&sort=filename",
                &["Acme NDA.pdf", "notes.pdf", "services.docx"],
            ),
            ("?status=failed", &[]),
            ("?doc_type=master_services", &["services.docx"]),
            ("?risk=high", &["services.docx"]),
            ("?risk=none", &["notes.pdf", "lease_50%.pdf"]),
            ("?party=HARBOR", &["services.docx"]),
            ("?party=llc", &["services.docx", "Acme NDA.pdf"]),
            ("?q=AGREEMENT", &["services.docx", "Acme NDA.pdf"]),
            ("?q=50%25", &["lease_50%.pdf"]),
            ("?q=_", &["lease_50%.pdf"]),
            ("?status=complete&party=llc&risk=low", &["Acme NDA.pdf"]),
            (
                "?status=&doc_type=&risk=&party=&q=&sort=&order=",
                &[
                    "notes.pdf",
                    "lease_50%.pdf",
                    "services.docx",
                    "Acme NDA.pdf",
                ],
            ),
        ];
        for (query, expected) in cases {
            let (found, total) = names(&w, query).await;
            assert_eq!(found, expected, "{query}");
            assert_eq!(total, expected.len() as i64, "{query}");
        }
    }

    #[tokio::test]
    async fn the_table_sorts_by_each_column_in_either_order() {
        let w = world().await;
        let cases: [(&str, [&str; 4]); 8] = [
            (
                "?sort=filename",
                [
                    "Acme NDA.pdf",
                    "lease_50%.pdf",
                    "notes.pdf",
                    "services.docx",
                ],
            ),
            (
                "?sort=filename&order=desc",
                [
                    "services.docx",
                    "notes.pdf",
                    "lease_50%.pdf",
                    "Acme NDA.pdf",
                ],
            ),
            (
                "?order=asc",
                [
                    "Acme NDA.pdf",
                    "services.docx",
                    "lease_50%.pdf",
                    "notes.pdf",
                ],
            ),
            (
                "?sort=risk",
                [
                    "services.docx",
                    "Acme NDA.pdf",
                    "notes.pdf",
                    "lease_50%.pdf",
                ],
            ),
            (
                "?sort=risk&order=asc",
                [
                    "Acme NDA.pdf",
                    "services.docx",
                    "notes.pdf",
                    "lease_50%.pdf",
                ],
            ),
            (
                "?sort=status",
                [
                    "lease_50%.pdf",
                    "notes.pdf",
                    "services.docx",
                    "Acme NDA.pdf",
                ],
            ),
            (
                "?sort=doc_type",
                [
                    "services.docx",
                    "Acme NDA.pdf",
                    "notes.pdf",
                    "lease_50%.pdf",
                ],
            ),
            (
                "?sort=doc_type&order=desc",
                [
                    "notes.pdf",
                    "Acme NDA.pdf",
                    "services.docx",
                    "lease_50%.pdf",
                ],
            ),
        ];
        for (query, expected) in cases {
            let (found, _) = names(&w, query).await;
            assert_eq!(found, expected, "{query}");
        }

        sqlx::query("UPDATE documents SET updated_at = now() + interval '1 hour' WHERE id = $1")
            .bind(uuid::Uuid::parse_str(&w.ids[0]).unwrap())
            .execute(&w.app.db)
            .await
            .unwrap();
        let (found, _) = names(&w, "?sort=updated&page_size=1").await;
        assert_eq!(found, ["Acme NDA.pdf"]);
    }

    #[tokio::test]
    async fn bad_query_values_are_refused_with_422_naming_each_one() {
        let w = world().await;
        let query = "?status=done&doc_type=treaty&risk=extreme&sort=size&order=up&page=0\
                     &page_size=500";
        let path = format!("/api/v1/projects/{}/documents{query}", w.project);
        let (status, body) = status_json(w.app.get(&path, &w.admin).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<(String, String)> = body["detail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["loc"][1].as_str().unwrap().into(),
                    e["type"].as_str().unwrap().into(),
                )
            })
            .collect();
        let expected = [
            ("status", "enum"),
            ("doc_type", "enum"),
            ("risk", "enum"),
            ("sort", "enum"),
            ("order", "enum"),
            ("page", "int_range"),
            ("page_size", "int_range"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        assert_eq!(fields, expected);
        assert!(
            body["detail"][0]["msg"]
                .as_str()
                .unwrap()
                .contains("processing")
        );

        let twice = format!(
            "/api/v1/projects/{}/documents?risk=low&risk=high",
            w.project
        );
        let (status, body) = status_json(w.app.get(&twice, &w.admin).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["detail"][0]["loc"], json!(["query"]));

        let long = format!(
            "/api/v1/projects/{}/documents?party={}",
            w.project,
            "a".repeat(201)
        );
        let (status, body) = status_json(w.app.get(&long, &w.admin).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["type"], "string_too_long");

        let malformed = "/api/v1/projects/not-a-uuid/documents";
        let (status, body) = status_json(w.app.get(malformed, &w.admin).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["path", "id"]));
    }

    #[tokio::test]
    async fn a_hidden_project_answers_404_and_a_deleted_document_leaves_the_table() {
        let w = world().await;
        let (user_id, user) = w.app.user(&w.admin, "reader@firm.example", "user").await;
        let path = format!("/api/v1/projects/{}/documents", w.project);
        let (status, hidden) = status_json(w.app.get(&path, &user).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let missing = format!("/api/v1/projects/{}/documents", uuid::Uuid::new_v4());
        let (status, absent) = status_json(w.app.get(&missing, &user).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            hidden, absent,
            "a hidden project and a missing one look the same"
        );

        let grants = format!("/api/v1/projects/{}/grants", w.project);
        let grant = json!({ "user_id": user_id, "level": "viewer" });
        let response = w.app.post(&grants, &w.admin, grant).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let (status, visible) = status_json(w.app.get(&path, &user).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(visible["total"], 4);

        let document = format!("/api/v1/documents/{}", w.ids[1]);
        let response = w.app.delete(&document, &w.admin).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let (found, total) = names(&w, "").await;
        assert_eq!(total, 3);
        assert!(!found.contains(&"services.docx".to_string()), "{found:?}");
        let after = table(&w, "").await;
        assert_eq!(after["facets"]["doc_types"], json!(["nda", "other"]));
    }
}

mod dashboard {
    use super::*;
    use chrono::{Days, Months, NaiveDate, Utc};
    use support::StoredAnalysis;

    fn scored(
        doc_type: &'static str,
        risk: Option<(&'static str, i16)>,
    ) -> StoredAnalysis<'static> {
        StoredAnalysis {
            doc_type,
            title: None,
            risk,
            parties: &[],
        }
    }

    fn stored_date(date: NaiveDate) -> Value {
        json!({ "type": "date", "value": { "kind": "stated", "date": date.to_string(),
                                            "year": null, "month": null, "day": null } })
    }

    fn in_days(days: u64) -> NaiveDate {
        Utc::now().date_naive() + Days::new(days)
    }

    /// Two projects: `visible`, which a user may view, and `hidden`, which only the admin sees.
    struct World {
        app: TestApp,
        admin: String,
        user: String,
        visible: String,
        hidden: String,
    }

    async fn world() -> World {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        let visible = app.project(&admin, "Visible").await;
        let hidden = app.project(&admin, "Hidden").await;
        let (user_id, user) = app.user(&admin, "counsel@firm.example", "user").await;
        let grants = format!("/api/v1/projects/{visible}/grants");
        let grant = json!({ "user_id": user_id, "level": "editor" });
        let response = app.post(&grants, &admin, grant).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        World {
            app,
            admin,
            user,
            visible,
            hidden,
        }
    }

    async fn dashboard(w: &World, token: &str, query: &str) -> Value {
        let path = format!("/api/v1/dashboard{query}");
        let (status, body) = status_json(w.app.get(&path, token).await).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        body
    }

    /// The upcoming deadlines as `(file name, kind, date)`.
    fn upcoming(body: &Value) -> Vec<(String, String, String)> {
        body["upcoming"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                let text = |key: &str| u[key].as_str().unwrap().to_string();
                (text("filename"), text("kind"), text("date"))
            })
            .collect()
    }

    #[tokio::test]
    async fn totals_count_only_the_projects_the_caller_may_see() {
        let w = world().await;
        let app = &w.app;
        let risky = app
            .insert_document(&w.visible, "risky.pdf", "complete")
            .await;
        app.insert_analysis(&risky, scored("nda", Some(("high", 75))))
            .await;
        app.insert_finding(&risky, "a", "high").await;
        app.insert_finding(&risky, "b", "medium").await;
        app.insert_document(&w.visible, "waiting.pdf", "queued")
            .await;
        let other = app
            .insert_document(&w.hidden, "other.pdf", "complete")
            .await;
        app.insert_analysis(&other, scored("lease", Some(("low", 10))))
            .await;
        app.insert_finding(&other, "a", "low").await;

        let mine = dashboard(&w, &w.user, "").await;
        assert_eq!(mine["total"], 2);
        assert_eq!(mine["by_status"]["complete"], 1);
        assert_eq!(mine["by_status"]["queued"], 1);
        assert_eq!(mine["by_status"]["failed"], 0);
        assert_eq!(
            mine["by_risk"],
            json!({ "low": 0, "medium": 0, "high": 1, "none": 1 })
        );
        assert_eq!(
            mine["open_findings"],
            json!({ "low": 0, "medium": 1, "high": 1 })
        );

        let all = dashboard(&w, &w.admin, "").await;
        assert_eq!(all["total"], 3);
        assert_eq!(
            all["by_risk"],
            json!({ "low": 1, "medium": 0, "high": 1, "none": 1 })
        );
        assert_eq!(
            all["open_findings"],
            json!({ "low": 1, "medium": 1, "high": 1 })
        );
        let one = dashboard(&w, &w.admin, &format!("?project_id={}", w.hidden)).await;
        assert_eq!(one["total"], 1);
        assert_eq!(one["by_risk"]["low"], 1);

        let path = format!("/api/v1/dashboard?project_id={}", w.hidden);
        let (status, _) = status_json(app.get(&path, &w.user).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) =
            status_json(app.get("/api/v1/dashboard?project_id=nope", &w.user).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["detail"][0]["loc"], json!(["query", "project_id"]));
    }

    #[tokio::test]
    async fn obligations_that_say_when_are_listed_from_visible_projects_only() {
        let w = world().await;
        let app = &w.app;
        let mine = app
            .insert_document(&w.visible, "supply.pdf", "complete")
            .await;
        app.insert_obligation(&mine, "deliver a quarterly report", None, Some("quarterly"))
            .await;
        app.insert_obligation(&mine, "pay each invoice", Some("within 30 days"), None)
            .await;
        app.insert_obligation(&mine, "keep records", None, None)
            .await;
        let hidden = app
            .insert_document(&w.hidden, "other.pdf", "complete")
            .await;
        app.insert_obligation(&hidden, "report breaches", Some("within 72 hours"), None)
            .await;

        let body = dashboard(&w, &w.user, "").await;

        let listed = body["obligations"].as_array().unwrap();
        assert_eq!(listed.len(), 2, "{body}");
        assert_eq!(listed[0]["action"], "deliver a quarterly report");
        assert_eq!(listed[0]["recurrence"], "quarterly");
        assert_eq!(listed[0]["filename"], "supply.pdf");
        assert_eq!(listed[1]["due"], "within 30 days");
        assert_eq!(listed[1]["page"], 2);
        let admin = dashboard(&w, &w.admin, "").await;
        assert_eq!(admin["obligations"].as_array().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn rejected_findings_are_not_open_and_a_corrected_severity_counts_as_corrected() {
        let w = world().await;
        let app = &w.app;
        let id = app
            .insert_document(&w.visible, "reviewed.pdf", "complete")
            .await;
        app.insert_analysis(&id, scored("nda", Some(("high", 70))))
            .await;
        app.insert_finding(&id, "wrong", "high").await;
        app.insert_finding(&id, "overstated", "medium").await;
        app.insert_finding(&id, "minor", "low").await;

        let reject = json!({ "decision": "rejected" });
        let path = format!("/api/v1/documents/{id}/findings/wrong/review");
        assert_eq!(
            app.put(&path, &w.user, reject).await.status(),
            StatusCode::OK
        );
        let correct = json!({ "decision": "corrected", "correction": { "severity": "low" } });
        let path = format!("/api/v1/documents/{id}/findings/overstated/review");
        assert_eq!(
            app.put(&path, &w.user, correct).await.status(),
            StatusCode::OK
        );

        let body = dashboard(&w, &w.user, "").await;
        assert_eq!(
            body["open_findings"],
            json!({ "low": 2, "medium": 0, "high": 0 })
        );
    }

    #[tokio::test]
    async fn an_expiration_90_days_out_is_upcoming_but_not_one_2_years_out_or_a_hidden_one() {
        let w = world().await;
        let app = &w.app;
        for (project, name, days) in [
            (&w.visible, "soon.pdf", 90),
            (&w.visible, "later.pdf", 730),
            (&w.hidden, "secret.pdf", 30),
        ] {
            let id = app.insert_document(project, name, "complete").await;
            app.insert_analysis(&id, scored("lease", None)).await;
            app.insert_field(&id, "expiration_date", stored_date(in_days(days)))
                .await;
        }
        let perpetual = app
            .insert_document(&w.visible, "forever.pdf", "complete")
            .await;
        app.insert_analysis(&perpetual, scored("lease", None)).await;
        let value = json!({ "type": "date", "value": { "kind": "perpetual" } });
        app.insert_field(&perpetual, "expiration_date", value).await;

        let mine = dashboard(&w, &w.user, "").await;
        let soon = in_days(90).to_string();
        assert_eq!(
            upcoming(&mine),
            [(
                "soon.pdf".to_string(),
                "expiration".to_string(),
                soon.clone()
            )]
        );
        assert_eq!(mine["upcoming"][0]["label"], "Contract expires");
        assert_eq!(mine["upcoming"][0]["project_id"], json!(w.visible));

        let all = dashboard(&w, &w.admin, "").await;
        let dates: Vec<String> = upcoming(&all)
            .into_iter()
            .map(|(n, _, d)| n + " " + &d)
            .collect();
        assert_eq!(
            dates,
            [
                format!("secret.pdf {}", in_days(30)),
                format!("soon.pdf {soon}")
            ]
        );
    }

    #[tokio::test]
    async fn an_automatic_renewal_lists_its_next_renewal_and_the_notice_that_prevents_it() {
        let w = world().await;
        let app = &w.app;
        let id = app
            .insert_document(&w.visible, "evergreen.pdf", "complete")
            .await;
        app.insert_analysis(&id, scored("master_services", Some(("low", 5))))
            .await;
        // The initial term ended almost two years ago; yearly renewals since.
        let next = in_days(100);
        let first_end = next.checked_sub_months(Months::new(24)).unwrap();
        let renews_on = first_end.checked_add_months(Months::new(24)).unwrap();
        app.insert_field(&id, "expiration_date", stored_date(first_end))
            .await;
        let year = json!({ "span": { "start": 0, "end": 6 }, "amount": 1, "unit": "year",
                           "days": 365, "count": null });
        let sixty_days = json!({ "span": { "start": 7, "end": 14 }, "amount": 60,
                                 "unit": "day", "days": 60, "count": null });
        let renewal = json!({ "type": "renewal",
                              "value": { "automatic": true, "term": year,
                                         "notice": sixty_days.clone(), "also": [] } });
        app.insert_field(&id, "renewal", renewal).await;
        let notice = json!({ "type": "duration", "value": sixty_days });
        app.insert_field(&id, "renewal_notice_period", notice).await;

        let body = dashboard(&w, &w.user, "").await;
        let notice_by = renews_on - Days::new(60);
        assert_eq!(
            upcoming(&body),
            [
                (
                    "evergreen.pdf".to_string(),
                    "notice".to_string(),
                    notice_by.to_string()
                ),
                (
                    "evergreen.pdf".to_string(),
                    "renewal".to_string(),
                    renews_on.to_string()
                ),
            ]
        );
        assert_eq!(
            body["upcoming"][0]["label"],
            "Notice to avoid auto-renewal is due"
        );
        assert_eq!(body["upcoming"][0]["document_id"], json!(id));
    }

    #[tokio::test]
    async fn a_reviewers_correction_moves_a_deadline_and_a_rejection_removes_it() {
        let w = world().await;
        let app = &w.app;
        let id = app
            .insert_document(&w.visible, "amended.pdf", "complete")
            .await;
        app.insert_analysis(&id, scored("lease", None)).await;
        app.insert_field(&id, "expiration_date", stored_date(in_days(90)))
            .await;
        let path = format!("/api/v1/documents/{id}/fields/expiration_date/review");

        let moved = in_days(120).to_string();
        let correct = json!({ "decision": "corrected", "correction": { "value": moved } });
        let (status, body) = status_json(app.put(&path, &w.user, correct).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let body = dashboard(&w, &w.user, "").await;
        assert_eq!(
            upcoming(&body),
            [("amended.pdf".to_string(), "expiration".to_string(), moved)]
        );

        let reject = json!({ "decision": "rejected" });
        assert_eq!(
            app.put(&path, &w.user, reject).await.status(),
            StatusCode::OK
        );
        let body = dashboard(&w, &w.user, "").await;
        assert_eq!(body["upcoming"], json!([]));
    }
}
