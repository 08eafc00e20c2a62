//! Rédiger: `/api/v1/drafts` (create, list, show, edit, validate, reject, export,
//! notice) with its authorization failures, and the page.

use crate::*;
use axum::http::{Method, StatusCode, header};

/// Synthetic notes (no person): a reason, an examination, no conclusion.
const NOTES: &str = "Motif : douleur thoracique depuis 2 jours.\nExamen : auscultation normale.";

async fn create(server: &TestServer, session: &Session) -> Reply {
    post_json(
        &server.router,
        "/api/v1/drafts",
        Some(session),
        serde_json::json!({ "document_type": "compte-rendu-consultation", "notes": NOTES }),
    )
    .await
}

/// The newest audit record, as `login action target outcome`.
fn last_audit(server: &TestServer) -> String {
    let auditor = server
        .app
        .terminal_identity(esculape_app::Operator::terminal(), "auditrice")
        .unwrap();
    let page = server.app.audit_records(&auditor, None, 20).unwrap();
    // the newest is the auditor's own reading of the trail: skip `audit.*` and `auth.*`
    let record = page
        .iter()
        .find(|record| record.action.starts_with("draft."))
        .unwrap();
    format!(
        "{} {} {} {}",
        record.actor, record.action, record.target, record.outcome
    )
}

#[tokio::test]
async fn a_clinician_drafts_validates_and_exports_with_the_notice() {
    let server = server();
    let clinician = login(&server.router, "dr.martin").await;
    let reply = create(&server, &clinician).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let created = reply.json();
    let id = created["summary"]["id"].as_i64().unwrap();
    assert_eq!(created["summary"]["status"], "draft");
    assert_eq!(created["ai_generated"], true);
    // every kept sentence points at a span of the notes that holds its words
    let sections = created["draft"]["sections"].as_array().unwrap();
    let mut sentences = 0;
    for section in sections {
        for sentence in section["sentences"].as_array().unwrap() {
            sentences += 1;
            let span = &sentence["spans"][0];
            let (start, end) = (
                span["start_char"].as_u64().unwrap() as usize,
                span["end_char"].as_u64().unwrap() as usize,
            );
            let excerpt: String = NOTES.chars().skip(start).take(end - start).collect();
            let text = sentence["text"].as_str().unwrap();
            assert!(
                excerpt.contains(text.trim_end_matches('.')) || text.contains(excerpt.trim()),
                "{text:?} vs {excerpt:?}"
            );
        }
    }
    assert!(sentences >= 2, "{}", reply.body);
    // the conclusion is not in the notes: written as missing, not invented
    assert!(
        sections
            .iter()
            .any(|section| section["missing"].is_string()),
        "{}",
        reply.body
    );

    let list = get(&server.router, "/api/v1/drafts", Some(&clinician)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.json().as_array().unwrap().len(), 1);

    let refused = get(
        &server.router,
        &format!("/api/v1/drafts/{id}/export?format=md"),
        Some(&clinician),
    )
    .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "conflict".to_string()),
        "{}",
        refused.body
    );
    assert_eq!(
        last_audit(&server),
        format!("dr.martin draft.export {id} denied")
    );

    let shown = get(
        &server.router,
        &format!("/api/v1/drafts/{id}"),
        Some(&clinician),
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let body = shown.json()["versions"][0]["body"]
        .as_str()
        .unwrap()
        .replace("auscultation normale", "auscultation cardiaque normale");
    let edited = send(
        &server.router,
        request(
            Method::PUT,
            &format!("/api/v1/drafts/{id}"),
            Some(Credential::Bearer(&clinician)),
            Some(serde_json::json!({ "body": body })),
        ),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(
        (
            edited.json()["status"].as_str(),
            edited.json()["latest_version"].as_i64()
        ),
        (Some("edited"), Some(2))
    );

    let validated = post_json(
        &server.router,
        &format!("/api/v1/drafts/{id}/validate"),
        Some(&clinician),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(validated.status, StatusCode::OK, "{}", validated.body);
    assert_eq!(validated.json()["status"], "validated");
    assert_eq!(
        last_audit(&server),
        format!("dr.martin draft.validate {id} success")
    );

    for (format, content_type) in [
        ("md", "text/markdown"),
        ("txt", "text/plain"),
        ("html", "text/html"),
    ] {
        let exported = get(
            &server.router,
            &format!("/api/v1/drafts/{id}/export?format={format}"),
            Some(&clinician),
        )
        .await;
        assert_eq!(exported.status, StatusCode::OK, "{}", exported.body);
        assert!(
            exported.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(content_type)
        );
        assert!(
            exported.body.contains("auscultation cardiaque normale"),
            "{format}"
        );
        assert!(
            exported.body.contains("Compte dr.martin"),
            "{format}: {}",
            exported.body
        );
    }
    let unknown = get(
        &server.router,
        &format!("/api/v1/drafts/{id}/export?format=docx"),
        Some(&clinician),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );

    let notice = get(
        &server.router,
        &format!("/api/v1/drafts/{id}/notice"),
        Some(&clinician),
    )
    .await;
    assert_eq!(notice.status, StatusCode::OK, "{}", notice.body);
    let notice = notice.json();
    assert!(
        notice["fr"].as_str().unwrap().contains("Compte dr.martin"),
        "{notice}"
    );
    assert!(
        notice["en"].as_str().unwrap().contains("Compte dr.martin"),
        "{notice}"
    );
}

#[tokio::test]
async fn a_rejected_draft_is_never_exported() {
    let server = server();
    let clinician = login(&server.router, "dr.martin").await;
    let id = create(&server, &clinician).await.json()["summary"]["id"]
        .as_i64()
        .unwrap();
    let rejected = post_json(
        &server.router,
        &format!("/api/v1/drafts/{id}/reject"),
        Some(&clinician),
        serde_json::json!({ "reason": "incomplet" }),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(
        (
            rejected.json()["status"].as_str(),
            rejected.json()["rejection_reason"].as_str()
        ),
        (Some("rejected"), Some("incomplet"))
    );
    let export = get(
        &server.router,
        &format!("/api/v1/drafts/{id}/export"),
        Some(&clinician),
    )
    .await;
    assert_eq!(export.status, StatusCode::CONFLICT, "{}", export.body);
}

#[tokio::test]
async fn another_clinician_cannot_see_or_change_a_draft() {
    let server = server();
    server
        .app
        .operator_create_user(
            esculape_app::Operator::terminal(),
            &esculape_app::NewAccount {
                login: "dr.durand".into(),
                display_name: "Compte dr.durand".into(),
                role: esculape_app::Role::Clinician,
                password: esculape_app::Password::new(PASSWORD),
            },
        )
        .unwrap();
    let owner = login(&server.router, "dr.martin").await;
    let other = login(&server.router, "dr.durand").await;
    let id = create(&server, &owner).await.json()["summary"]["id"]
        .as_i64()
        .unwrap();
    for uri in [
        format!("/api/v1/drafts/{id}"),
        format!("/api/v1/drafts/{id}/export"),
        format!("/api/v1/drafts/{id}/notice"),
    ] {
        let reply = get(&server.router, &uri, Some(&other)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, "not_found".to_string()),
            "{uri}: {}",
            reply.body
        );
    }
    let validate = post_json(
        &server.router,
        &format!("/api/v1/drafts/{id}/validate"),
        Some(&other),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(validate.status, StatusCode::NOT_FOUND, "{}", validate.body);
    assert_eq!(
        last_audit(&server),
        format!("dr.durand draft.validate {id} denied")
    );
    let list = get(&server.router, "/api/v1/drafts", Some(&other)).await;
    assert_eq!(list.json().as_array().unwrap().len(), 0);
    // the owner's draft is untouched
    let shown = get(
        &server.router,
        &format!("/api/v1/drafts/{id}"),
        Some(&owner),
    )
    .await;
    assert_eq!(shown.json()["summary"]["status"], "draft");
}

#[tokio::test]
async fn auditors_and_admins_cannot_draft_and_bad_input_is_named() {
    let server = server();
    for role in ["auditrice", "admin"] {
        let session = login(&server.router, role).await;
        let reply = create(&server, &session).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "forbidden".to_string()),
            "{role}: {}",
            reply.body
        );
        let list = get(&server.router, "/api/v1/drafts", Some(&session)).await;
        assert_eq!(list.status, StatusCode::FORBIDDEN, "{role}");
        // refused before any drafting work: even a bad request is a refusal, not a 422
        let refused_first = post_json(
            &server.router,
            "/api/v1/drafts",
            Some(&session),
            serde_json::json!({ "document_type": "ordonnance", "notes": NOTES }),
        )
        .await;
        assert_eq!(refused_first.status, StatusCode::FORBIDDEN, "{role}");
    }
    let clinician = login(&server.router, "dr.martin").await;
    let unknown = post_json(
        &server.router,
        "/api/v1/drafts",
        Some(&clinician),
        serde_json::json!({ "document_type": "ordonnance", "notes": NOTES }),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert!(
        unknown.body.contains("lettre-de-liaison"),
        "{}",
        unknown.body
    );
    let empty = post_json(
        &server.router,
        "/api/v1/drafts",
        Some(&clinician),
        serde_json::json!({ "document_type": "compte-rendu-consultation", "notes": "  " }),
    )
    .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    // a change with the session cookie but without the CSRF token is refused
    let forged = send(
        &server.router,
        request(
            Method::POST,
            "/api/v1/drafts",
            Some(Credential::Cookie(&clinician, None)),
            Some(
                serde_json::json!({ "document_type": "compte-rendu-consultation", "notes": NOTES }),
            ),
        ),
    )
    .await;
    assert_eq!(forged.code(), "csrf", "{}", forged.body);
}

#[tokio::test]
async fn treatment_lists_are_reconciled_in_the_draft() {
    let server = server();
    let clinician = login(&server.router, "dr.martin").await;
    let reply = post_json(
        &server.router,
        "/api/v1/drafts",
        Some(&clinician),
        serde_json::json!({
            "document_type": "lettre-de-liaison",
            "notes": NOTES,
            "admission_medications": "amlodipine 5 mg/j\nparacetamol 1 g",
            "discharge_medications": "amlodipine 10 mg/j",
        }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let draft = &reply.json()["draft"];
    let kinds: Vec<String> = draft["treatments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["kind"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(kinds.len(), 2, "{draft}");
    assert_eq!(draft["sources"].as_array().unwrap().len(), 3, "{draft}");
}

/// A form value, percent-encoded.
fn encoded(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[tokio::test]
async fn the_page_drafts_beside_the_notes_then_validates_and_offers_the_exports() {
    use crate::pages::{Browser, hidden_csrf};
    let server = server_with(esculape_app::Features {
        drafting: true,
        ..esculape_app::Features::default()
    });
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let page = browser
        .go(&server, Method::GET, "/rediger", None, None)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("class=\"ai-banner\""));
    assert!(page.body.contains("<label for=\"notes\">"));
    assert!(page.body.contains("aria-current=\"page\""), "the nav link");
    let csrf = hidden_csrf(&page.body);

    // without the CSRF token: refused, nothing saved
    let forged = browser
        .go(
            &server,
            Method::POST,
            "/rediger",
            Some(&format!(
                "csrf=wrong&document_type=compte-rendu-consultation&notes={}",
                encoded(NOTES)
            )),
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);

    let done = browser
        .go(
            &server,
            Method::POST,
            "/rediger",
            Some(&format!(
                "csrf={csrf}&document_type=compte-rendu-consultation&notes={}&admission_medications=&discharge_medications=",
                encoded(NOTES)
            )),
            None,
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("class=\"ai-banner\""));
    // the notes beside the draft, each sentence with a numbered link to a quoted passage
    assert!(done.body.contains("class=\"notes-text\""));
    assert!(done.body.contains("href=\"#extrait-1\""), "{}", done.body);
    assert!(done.body.contains("id=\"extrait-1\""));
    assert!(done.body.contains("<blockquote>"), "{}", done.body);
    assert!(done.body.contains("class=\"missing\""), "{}", done.body);
    assert!(done.body.contains("/valider\""));
    assert!(done.body.contains("/rejeter\""));
    let drafts = server
        .app
        .my_drafts(
            &server
                .app
                .terminal_identity(esculape_app::Operator::terminal(), "dr.martin")
                .unwrap(),
        )
        .unwrap();
    assert_eq!(drafts.len(), 1, "the forged form saved nothing");
    let id = drafts[0].id;

    let detail = browser
        .go(&server, Method::GET, &format!("/rediger/{id}"), None, None)
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert!(detail.body.contains("href=\"#extrait-1\""));
    // The saved draft quotes its passages from its own (sealed) trace.
    assert!(
        detail
            .body
            .contains("<blockquote>douleur thoracique depuis 2 jours.</blockquote>"),
        "{}",
        detail.body
    );
    assert!(
        !detail.body.contains("/export?format=html"),
        "not before validation"
    );
    let validated = browser
        .go(
            &server,
            Method::POST,
            &format!("/rediger/{id}/valider"),
            Some(&format!("csrf={csrf}")),
            None,
        )
        .await;
    assert_eq!(
        validated.status,
        StatusCode::SEE_OTHER,
        "{}",
        validated.body
    );
    let detail = browser
        .go(&server, Method::GET, &format!("/rediger/{id}"), None, None)
        .await;
    assert!(detail.body.contains("status-validated"), "{}", detail.body);
    assert!(
        detail
            .body
            .contains(&format!("/api/v1/drafts/{id}/export?format=html"))
    );
    assert!(detail.body.contains("class=\"patient-notice\""));
    assert!(!detail.body.contains("/valider\""), "no decision twice");
    let exported = browser
        .go(
            &server,
            Method::GET,
            &format!("/api/v1/drafts/{id}/export?format=html"),
            None,
            None,
        )
        .await;
    assert_eq!(exported.status, StatusCode::OK, "{}", exported.body);

    let list = browser
        .go(&server, Method::GET, "/rediger", None, None)
        .await;
    assert!(list.body.contains(&format!("href=\"/rediger/{id}\"")));
    assert!(list.body.contains("validé"));

    // another role does not get the page; the auditor has no Rédiger link
    let mut auditor = Browser::default();
    auditor.sign_in(&server, "auditrice").await;
    let refused = auditor
        .go(&server, Method::GET, &format!("/rediger/{id}"), None, None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(!refused.body.contains("href=\"/rediger\""));
}

#[tokio::test]
async fn the_discharge_treatment_is_checked_with_the_sites_thesaurus() {
    // the synthetic one-entry thesaurus of the test server (not medical advice)
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = post_json(
        &server.router,
        "/api/v1/drafts",
        Some(&clinician),
        serde_json::json!({
            "document_type": "lettre-de-liaison",
            "notes": NOTES,
            "discharge_medications": "clarithromycine 500 mg\nsimvastatine 20 mg",
        }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let interactions = &reply.json()["draft"]["interactions"];
    assert_eq!(interactions["thesaurus_version"], "test", "{interactions}");
    let alerts = interactions["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{interactions}");
    assert_eq!(alerts[0]["level"], "contre_indication");

    // the page shows the alert with the thesaurus's label
    let mut browser = crate::pages::Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let page = browser
        .go(&server, Method::GET, "/rediger", None, None)
        .await;
    let form = format!(
        "csrf={}&document_type=lettre-de-liaison&notes={}&admission_medications=&discharge_medications={}",
        crate::pages::hidden_csrf(&page.body),
        encoded(NOTES),
        encoded("clarithromycine 500 mg\nsimvastatine 20 mg")
    );
    let done = browser
        .go(&server, Method::POST, "/rediger", Some(&form), None)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("<strong>Contre-indication</strong>"),
        "{}",
        done.body
    );

    // without a thesaurus the draft says the treatment was not checked
    let plain = crate::server();
    let clinician = login(&plain.router, "dr.martin").await;
    let reply = post_json(
        &plain.router,
        "/api/v1/drafts",
        Some(&clinician),
        serde_json::json!({
            "document_type": "lettre-de-liaison",
            "notes": NOTES,
            "discharge_medications": "clarithromycine 500 mg\nsimvastatine 20 mg",
        }),
    )
    .await;
    assert!(
        reply.json()["draft"]["interactions"].is_null(),
        "{}",
        reply.body
    );
}
