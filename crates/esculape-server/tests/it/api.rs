//! The JSON API.

use crate::*;
use axum::http::{Method, StatusCode};
use esculape_server::api::{ApiDoc, endpoints};
use std::collections::BTreeSet;
use utoipa::OpenApi;

/// Sends `method uri` as `user` (or anonymously) and checks the status and error code
/// (`""` for a success).
async fn check(
    server: &TestServer,
    user: Option<&str>,
    method: Method,
    uri: &str,
    body: Option<serde_json::Value>,
    expect: (StatusCode, &str),
) -> Reply {
    let session = match user {
        Some(user) => Some(login(&server.router, user).await),
        None => None,
    };
    let reply = send(
        &server.router,
        request(
            method.clone(),
            uri,
            session.as_ref().map(Credential::Bearer),
            body,
        ),
    )
    .await;
    let code = if reply.status.is_success() {
        String::new()
    } else {
        reply.code()
    };
    assert_eq!(
        (reply.status, code.as_str()),
        expect,
        "{method} {uri} as {user:?}: {}",
        reply.body
    );
    reply
}

#[test]
fn openapi_document_and_routes_list_the_same_endpoints() {
    let routes: BTreeSet<(String, String)> = endpoints()
        .into_iter()
        .map(|endpoint| (endpoint.method.to_string(), endpoint.path.to_string()))
        .collect();
    let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "routes without OpenAPI entry: {undocumented:?}; OpenAPI entries without route: {unrouted:?}"
    );
}

#[tokio::test]
async fn openapi_document_is_served() {
    let server = server();
    let reply = check(
        &server,
        None,
        Method::GET,
        "/api/v1/openapi.json",
        None,
        (StatusCode::OK, ""),
    )
    .await;
    let document = reply.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert!(document["paths"]["/api/v1/passages/{id}"]["get"].is_object());
    assert!(document["components"]["schemas"]["Hit"].is_object());
}

#[tokio::test]
async fn every_endpoint_but_login_and_the_document_wants_a_session() {
    let server = server();
    for endpoint in endpoints() {
        if endpoint.path.ends_with("/auth/login") || endpoint.path.ends_with("openapi.json") {
            continue;
        }
        let uri = endpoint.path.replace("{id}", "1")
            + if endpoint.path.ends_with("search") {
                "?q=x"
            } else {
                ""
            };
        let method: Method = endpoint.method.to_uppercase().parse().unwrap();
        let body = (method != Method::GET).then(|| serde_json::json!({}));
        let reply = send(&server.router, request(method, &uri, None, body)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "unauthenticated".to_string()),
            "{} {uri}",
            endpoint.method
        );
    }
}

#[tokio::test]
async fn a_forged_or_ended_session_is_refused() {
    let server = server();
    let forged = Session {
        token: "not-a-session".into(),
        csrf: String::new(),
    };
    assert_eq!(
        get(&server.router, "/api/v1/auth/me", Some(&forged))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let session = login(&server.router, "dr.martin").await;
    let me = get(&server.router, "/api/v1/auth/me", Some(&session))
        .await
        .json();
    assert_eq!(
        (me["login"].as_str(), me["role"].as_str()),
        (Some("dr.martin"), Some("clinician"))
    );
    let logout = send(
        &server.router,
        request(
            Method::POST,
            "/api/v1/auth/logout",
            Some(Credential::Bearer(&session)),
            None,
        ),
    )
    .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_eq!(
        get(&server.router, "/api/v1/auth/me", Some(&session))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn login_sets_an_http_only_strict_cookie() {
    let server = server();
    let reply = post_json(
        &server.router,
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "login": "Dr.Martin ", "password": PASSWORD }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|line| line.starts_with("esculape_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "no TLS in this test: {cookie}");
    assert_eq!(reply.json()["user"]["display_name"], "Compte dr.martin");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_login_is_refused_alike() {
    let server = server();
    let wrong = post_json(
        &server.router,
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "login": "dr.martin", "password": "wrong password!" }),
    )
    .await;
    let unknown = post_json(
        &server.router,
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "login": "nobody", "password": "wrong password!" }),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let server = server();
    for _ in 0..3 {
        let reply = post_json(
            &server.router,
            "/api/v1/auth/login",
            None,
            serde_json::json!({ "login": "dr.martin", "password": "wrong password!" }),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let locked = post_json(
        &server.router,
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "login": "dr.martin", "password": PASSWORD }),
    )
    .await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED, "{}", locked.body);
    // An administrator's password reset unlocks it.
    let admin = login(&server.router, "admin").await;
    let users = get(&server.router, "/api/v1/users", Some(&admin))
        .await
        .json();
    let martin = users
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["login"] == "dr.martin")
        .unwrap();
    assert!(martin["locked_until"].is_string(), "{martin}");
    let uri = format!("/api/v1/users/{}", martin["id"]);
    let reset = send(
        &server.router,
        request(
            Method::PATCH,
            &uri,
            Some(Credential::Bearer(&admin)),
            Some(serde_json::json!({ "password": "another long password" })),
        ),
    )
    .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let again = post_json(
        &server.router,
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "login": "dr.martin", "password": "another long password" }),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
}

#[tokio::test]
async fn search_returns_cited_passages() {
    let server = server();
    let reply = check(
        &server,
        Some("dr.martin"),
        Method::GET,
        "/api/v1/search?q=surveillance%20glianorex&k=3",
        None,
        (StatusCode::OK, ""),
    )
    .await;
    let hits = reply.json()["hits"].as_array().unwrap().clone();
    let first = &hits[0];
    assert_eq!(first["document_title"], "Glianorex");
    assert_eq!(first["source"]["title"], "Protocoles du service");
    assert!(first["text"].as_str().unwrap().contains("surveillance"));
    assert!(!first["highlights"].as_array().unwrap().is_empty());
    assert!(first["source"]["version"].is_string() && first["source"]["licence"].is_string());
}

#[tokio::test]
async fn search_refuses_an_empty_query_and_an_unknown_source() {
    let server = server();
    check(
        &server,
        Some("dr.martin"),
        Method::GET,
        "/api/v1/search?q=%20",
        None,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    )
    .await;
    check(
        &server,
        Some("dr.martin"),
        Method::GET,
        "/api/v1/search?q=x&k=500",
        None,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    )
    .await;
    check(
        &server,
        Some("dr.martin"),
        Method::GET,
        "/api/v1/search?q=x&sources=bdpm",
        None,
        (StatusCode::NOT_FOUND, "not_found"),
    )
    .await;
}

#[tokio::test]
async fn a_passage_comes_with_its_context() {
    let server = server();
    let session = login(&server.router, "auditrice").await;
    let search = get(&server.router, "/api/v1/search?q=dosage", Some(&session))
        .await
        .json();
    let id = search["hits"][0]["id"].as_str().unwrap().to_string();
    let encoded = id
        .replace('%', "%25")
        .replace('#', "%23")
        .replace(' ', "%20");
    let passage = get(
        &server.router,
        &format!("/api/v1/passages/{encoded}?context=200"),
        Some(&session),
    )
    .await;
    assert_eq!(passage.status, StatusCode::OK, "{}", passage.body);
    let passage = passage.json();
    assert_eq!(passage["hit"]["id"].as_str(), Some(id.as_str()));
    assert!(
        passage["before"]
            .as_str()
            .unwrap()
            .contains("organe fictif"),
        "{passage}"
    );
    check(
        &server,
        Some("dr.martin"),
        Method::GET,
        "/api/v1/passages/nope%23404",
        None,
        (StatusCode::NOT_FOUND, "not_found"),
    )
    .await;
}

#[tokio::test]
async fn sources_are_listed_for_every_role_and_updated_by_admins_only() {
    let server = server();
    let reply = check(
        &server,
        Some("dr.martin"),
        Method::GET,
        "/api/v1/sources",
        None,
        (StatusCode::OK, ""),
    )
    .await;
    let pack = reply.json()[0].clone();
    assert_eq!(
        (pack["title"].as_str(), pack["documents"].as_u64()),
        (Some("Protocoles du service"), Some(2))
    );
    let uri = format!("/api/v1/sources/{}/update", pack["id"].as_str().unwrap());
    check(
        &server,
        Some("dr.martin"),
        Method::POST,
        &uri,
        None,
        (StatusCode::FORBIDDEN, "forbidden"),
    )
    .await;
    let updated = check(
        &server,
        Some("admin"),
        Method::POST,
        &uri,
        None,
        (StatusCode::OK, ""),
    )
    .await;
    assert_eq!(updated.json()["changed"], false);
    check(
        &server,
        Some("admin"),
        Method::POST,
        "/api/v1/sources/bdpm/update",
        None,
        (StatusCode::NOT_FOUND, "not_found"),
    )
    .await;
}

#[tokio::test]
async fn users_are_managed_by_admins_only() {
    let server = server();
    for user in ["dr.martin", "auditrice"] {
        check(
            &server,
            Some(user),
            Method::GET,
            "/api/v1/users",
            None,
            (StatusCode::FORBIDDEN, "forbidden"),
        )
        .await;
        check(&server, Some(user), Method::POST, "/api/v1/users", Some(serde_json::json!({ "login": "x", "display_name": "x", "role": "admin", "password": PASSWORD })), (StatusCode::FORBIDDEN, "forbidden")).await;
        check(
            &server,
            Some(user),
            Method::PATCH,
            "/api/v1/users/2",
            Some(serde_json::json!({ "role": "admin" })),
            (StatusCode::FORBIDDEN, "forbidden"),
        )
        .await;
    }
    let new_user = serde_json::json!({ "login": "dr.bernard", "display_name": "Dr Bernard", "role": "clinician", "password": PASSWORD });
    let created = check(
        &server,
        Some("admin"),
        Method::POST,
        "/api/v1/users",
        Some(new_user.clone()),
        (StatusCode::CREATED, ""),
    )
    .await
    .json();
    check(
        &server,
        Some("admin"),
        Method::POST,
        "/api/v1/users",
        Some(new_user),
        (StatusCode::CONFLICT, "conflict"),
    )
    .await;
    check(&server, Some("admin"), Method::POST, "/api/v1/users", Some(serde_json::json!({ "login": "dr.court", "display_name": "Court", "role": "clinician", "password": "short" })), (StatusCode::UNPROCESSABLE_ENTITY, "invalid")).await;
    check(&server, Some("admin"), Method::POST, "/api/v1/users", Some(serde_json::json!({ "login": "dr.roi", "display_name": "Roi", "role": "king", "password": PASSWORD })), (StatusCode::UNPROCESSABLE_ENTITY, "invalid")).await;
    let uri = format!("/api/v1/users/{}", created["id"]);
    let promoted = check(
        &server,
        Some("admin"),
        Method::PATCH,
        &uri,
        Some(serde_json::json!({ "role": "auditor" })),
        (StatusCode::OK, ""),
    )
    .await;
    assert_eq!(promoted.json()["role"], "auditor");
    let disabled = check(
        &server,
        Some("admin"),
        Method::PATCH,
        &uri,
        Some(serde_json::json!({ "disabled": true })),
        (StatusCode::OK, ""),
    )
    .await;
    assert_eq!(disabled.json()["disabled"], true);
    let refused = post_json(
        &server.router,
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "login": "dr.bernard", "password": PASSWORD }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    check(
        &server,
        Some("admin"),
        Method::PATCH,
        "/api/v1/users/999",
        Some(serde_json::json!({ "disabled": true })),
        (StatusCode::NOT_FOUND, "not_found"),
    )
    .await;
    check(
        &server,
        Some("admin"),
        Method::PATCH,
        &uri,
        Some(serde_json::json!({ "disabled": true, "role": "admin" })),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    )
    .await;
}

#[tokio::test]
async fn the_last_administrator_cannot_be_demoted_or_disabled() {
    let server = server();
    check(
        &server,
        Some("admin"),
        Method::PATCH,
        "/api/v1/users/1",
        Some(serde_json::json!({ "role": "clinician" })),
        (StatusCode::CONFLICT, "conflict"),
    )
    .await;
    check(
        &server,
        Some("admin"),
        Method::PATCH,
        "/api/v1/users/1",
        Some(serde_json::json!({ "disabled": true })),
        (StatusCode::CONFLICT, "conflict"),
    )
    .await;
}

#[tokio::test]
async fn the_audit_trail_is_for_auditors_and_records_what_happened() {
    let server = server();
    for user in ["dr.martin", "admin"] {
        check(
            &server,
            Some(user),
            Method::GET,
            "/api/v1/audit",
            None,
            (StatusCode::FORBIDDEN, "forbidden"),
        )
        .await;
        check(
            &server,
            Some(user),
            Method::GET,
            "/api/v1/audit/verify",
            None,
            (StatusCode::FORBIDDEN, "forbidden"),
        )
        .await;
    }
    let records = check(
        &server,
        Some("auditrice"),
        Method::GET,
        "/api/v1/audit?limit=50",
        None,
        (StatusCode::OK, ""),
    )
    .await
    .json();
    let seen: Vec<(String, String, String)> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|record| {
            (
                record["actor"].as_str().unwrap().into(),
                record["action"].as_str().unwrap().into(),
                record["outcome"].as_str().unwrap().into(),
            )
        })
        .collect();
    for expected in [
        ("terminal", "users.create", "success"),
        ("dr.martin", "auth.login", "success"),
        ("dr.martin", "audit.list", "denied"),
        ("admin", "audit.verify", "denied"),
    ] {
        let expected = (
            expected.0.to_string(),
            expected.1.to_string(),
            expected.2.to_string(),
        );
        assert!(
            seen.contains(&expected),
            "{expected:?} missing from {seen:?}"
        );
    }
    let verification = check(
        &server,
        Some("auditrice"),
        Method::GET,
        "/api/v1/audit/verify",
        None,
        (StatusCode::OK, ""),
    )
    .await
    .json();
    assert_eq!(verification["intact"], true, "{verification}");
    assert!(verification["records_checked"].as_u64().unwrap() >= 10);
    let page = check(
        &server,
        Some("auditrice"),
        Method::GET,
        "/api/v1/audit?limit=2&before=5",
        None,
        (StatusCode::OK, ""),
    )
    .await
    .json();
    let ids: Vec<i64> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [4, 3]);
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_header_to_change_anything() {
    let server = server();
    let admin = login(&server.router, "admin").await;
    let body = serde_json::json!({ "login": "dr.petit", "display_name": "Dr Petit", "role": "clinician", "password": PASSWORD });
    let without = send(
        &server.router,
        request(
            Method::POST,
            "/api/v1/users",
            Some(Credential::Cookie(&admin, None)),
            Some(body.clone()),
        ),
    )
    .await;
    assert_eq!(
        (without.status, without.code()),
        (StatusCode::FORBIDDEN, "csrf".into())
    );
    let wrong = send(
        &server.router,
        request(
            Method::POST,
            "/api/v1/users",
            Some(Credential::Cookie(&admin, Some("forged"))),
            Some(body.clone()),
        ),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::FORBIDDEN, "csrf".into())
    );
    let with = send(
        &server.router,
        request(
            Method::POST,
            "/api/v1/users",
            Some(Credential::Cookie(&admin, Some(&admin.csrf))),
            Some(body),
        ),
    )
    .await;
    assert_eq!(with.status, StatusCode::CREATED, "{}", with.body);
    // Reads need no CSRF token.
    let read = send(
        &server.router,
        request(
            Method::GET,
            "/api/v1/users",
            Some(Credential::Cookie(&admin, None)),
            None,
        ),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_api_routes_answer_json() {
    let server = server();
    let reply = get(&server.router, "/api/v1/nothing", None).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "not_found".into())
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = server();
    let huge = "x".repeat(2 << 20);
    let reply = post_json(
        &server.router,
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "login": huge, "password": "x" }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn responses_carry_the_security_headers() {
    let server = server();
    for uri in ["/api/v1/openapi.json", "/login", "/api/v1/nothing"] {
        let reply = get(&server.router, uri, None).await;
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .map(|value| value.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        assert!(
            header("content-security-policy").contains("default-src 'none'"),
            "{uri}"
        );
        // Scripts only from this server's own files: no inline script, no eval.
        let policy = header("content-security-policy");
        assert!(policy.contains("script-src 'self';"), "{uri}: {policy}");
        assert!(
            !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
            "{uri}: {policy}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{uri}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{uri}");
        assert_eq!(header("cache-control"), "no-store", "{uri}");
    }
}

#[test]
fn internal_errors_say_nothing_internal() {
    let error = esculape_server::error::ApiError::App(esculape_app::Error::Internal(
        "store: disk full at /srv/secret/esculape.sqlite3".into(),
    ));
    let (status, code, message, _) = esculape_server::error::classify(&error);
    assert_eq!(
        (status, code),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal")
    );
    assert!(
        !message.contains("secret") && !message.contains("disk"),
        "{message}"
    );
    let busy = esculape_server::error::ApiError::App(esculape_app::Error::Unavailable {
        retry_after_s: 7,
        reason: "the database is busy".into(),
    });
    assert_eq!(esculape_server::error::classify(&busy).3, Some(7));
}
