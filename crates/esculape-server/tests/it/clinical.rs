//! The clinical endpoints and pages: ask (streamed, queued, audited), interactions,
//! drugs, scores, pseudonymize; each with its authorization failures.

use crate::pages::{Browser, hidden_csrf};
use crate::*;
use axum::http::{Method, StatusCode, header};

const QUESTION: &str = "Sur quoi repose la surveillance de la glianorex ?";

/// The server-sent events of a body: (event name, JSON data).
fn events(body: &str) -> Vec<(String, serde_json::Value)> {
    body.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut name = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event: ") {
                    name = value.to_string();
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data.push_str(value);
                }
            }
            (name, serde_json::from_str(&data).unwrap())
        })
        .collect()
}

async fn ask(server: &TestServer, session: &Session, question: &str) -> Reply {
    post_json(
        &server.router,
        "/api/v1/ask",
        Some(session),
        serde_json::json!({ "question": question }),
    )
    .await
}

/// The audit records, newest first, as the auditor reads them.
async fn audit_trail(server: &TestServer) -> Vec<serde_json::Value> {
    let auditor = login(&server.router, "auditrice").await;
    let reply = get(&server.router, "/api/v1/audit?limit=500", Some(&auditor)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_array().unwrap().clone()
}

#[tokio::test]
async fn ask_streams_verified_sentences_then_the_cited_answer() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = ask(&server, &clinician, QUESTION).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events = events(&reply.body);
    let (last_name, answer) = events.last().unwrap();
    assert_eq!(last_name, "answer", "{}", reply.body);
    let sentences: Vec<_> = events
        .iter()
        .filter(|(name, _)| name == "sentence")
        .collect();
    assert!(!sentences.is_empty(), "{}", reply.body);
    assert_eq!(answer["abstained"], false);
    assert_eq!(answer["ai_generated"], true);
    assert_eq!(answer["calculators"], serde_json::json!([]));
    assert_eq!(
        sentences.len(),
        answer["sentences"].as_array().unwrap().len()
    );
    assert!(
        answer["sentences"][0]["text"]
            .as_str()
            .unwrap()
            .contains("dosage fictif")
    );
    let cited = answer["sentences"][0]["citations"][0].as_u64().unwrap() as usize;
    let passage = &answer["passages"][cited - 1];
    assert_eq!(passage["source_title"], "Protocoles du service");
    assert!(!passage["version"].as_str().unwrap().is_empty());
    // The citation opens the passage in context.
    let id = passage["id"].as_str().unwrap();
    let encoded: String = id
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    let opened = get(
        &server.router,
        &format!("/api/v1/passages/{encoded}"),
        Some(&clinician),
    )
    .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
}

#[tokio::test]
async fn an_answer_is_audited_with_model_settings_and_source_versions_not_the_question() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = ask(&server, &clinician, QUESTION).await;
    assert_eq!(reply.status, StatusCode::OK);
    let trail = audit_trail(&server).await;
    let record = trail
        .iter()
        .find(|record| record["action"] == "ask")
        .expect("an ask record");
    assert_eq!(record["actor"], "dr.martin");
    assert_eq!(record["outcome"], "success");
    let details = &record["details"];
    assert_eq!(details["mode"], "extractive");
    assert!(details.get("model").is_some());
    assert!(details["settings"]["min_question_coverage"].is_number());
    let versions = details["source_versions"].as_object().unwrap();
    assert!(!versions.is_empty());
    assert!(!record.to_string().contains("glianorex ?"));
}

#[tokio::test]
async fn a_question_the_sources_do_not_answer_abstains_with_the_closest_passages() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = ask(
        &server,
        &clinician,
        "Quel est le traitement de la glianorex chez le nourrisson prématuré ?",
    )
    .await;
    let events = events(&reply.body);
    let (name, answer) = events.last().unwrap();
    assert_eq!(name, "answer");
    assert_eq!(answer["abstained"], true, "{answer}");
    assert!(answer["sentences"].as_array().unwrap().is_empty());
    assert!(!answer["abstention_message"].as_str().unwrap().is_empty());
    assert!(
        answer["closest_passages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|number| number.as_u64().unwrap() as usize
                <= answer["passages"].as_array().unwrap().len())
    );
}

#[tokio::test]
async fn a_full_model_queue_answers_429_with_retry_after_and_frees_its_place() {
    let server = server_with_engines(1, 0);
    let outcome = server
        .app
        .login("dr.martin", &esculape_app::Password::new(PASSWORD))
        .unwrap();
    let held = server
        .app
        .admit_question(outcome.auth.identity(), QUESTION)
        .unwrap();
    let clinician = login(&server.router, "dr.martin").await;
    let refused = ask(&server, &clinician, QUESTION).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    assert_eq!(refused.code(), "busy");
    assert_eq!(refused.headers[header::RETRY_AFTER], "7");
    drop(held);
    let answered = ask(&server, &clinician, QUESTION).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
}

#[tokio::test]
async fn clinical_endpoints_are_for_clinicians() {
    let server = server_with_engines(1, 1);
    let cases: [(Method, &str, serde_json::Value); 5] = [
        (
            Method::POST,
            "/api/v1/ask",
            serde_json::json!({ "question": QUESTION }),
        ),
        (
            Method::POST,
            "/api/v1/interactions",
            serde_json::json!({ "lines": ["clarithromycine", "simvastatine"] }),
        ),
        (Method::GET, "/api/v1/scores", serde_json::Value::Null),
        (
            Method::POST,
            "/api/v1/scores/cha2ds2-vasc",
            serde_json::json!({ "inputs": { "age": "72", "sex": "F" } }),
        ),
        (
            Method::POST,
            "/api/v1/pseudonymize",
            serde_json::json!({ "text": "Mme Jeanne DUPONT" }),
        ),
    ];
    for user in ["admin", "auditrice"] {
        let session = login(&server.router, user).await;
        for (method, uri, body) in &cases {
            let body = (!body.is_null()).then(|| body.clone());
            let reply = send(
                &server.router,
                request(
                    method.clone(),
                    uri,
                    Some(Credential::Bearer(&session)),
                    body,
                ),
            )
            .await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, "forbidden".to_string()),
                "{method} {uri} as {user}: {}",
                reply.body
            );
        }
    }
    let trail = audit_trail(&server).await;
    assert!(
        trail
            .iter()
            .any(|record| record["action"] == "ask" && record["outcome"] == "denied")
    );
}

#[tokio::test]
async fn a_cookie_session_needs_the_csrf_header_to_ask() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let body = serde_json::json!({ "question": QUESTION });
    let refused = send(
        &server.router,
        request(
            Method::POST,
            "/api/v1/ask",
            Some(Credential::Cookie(&clinician, None)),
            Some(body.clone()),
        ),
    )
    .await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (StatusCode::FORBIDDEN, "csrf")
    );
    let accepted = send(
        &server.router,
        request(
            Method::POST,
            "/api/v1/ask",
            Some(Credential::Cookie(&clinician, Some(&clinician.csrf))),
            Some(body),
        ),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
}

#[tokio::test]
async fn an_empty_or_oversized_question_is_refused() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    for question in ["   ".to_string(), "glianorex ".repeat(300)] {
        let reply = ask(&server, &clinician, &question).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            "{}",
            reply.body
        );
    }
}

#[tokio::test]
async fn without_the_answer_engine_ask_is_not_found() {
    let server = server();
    let clinician = login(&server.router, "dr.martin").await;
    let reply = ask(&server, &clinician, QUESTION).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
}

#[tokio::test]
async fn a_prescription_check_reports_the_thesaurus_alert_and_its_reason() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = post_json(
        &server.router,
        "/api/v1/interactions",
        Some(&clinician),
        serde_json::json!({ "lines": ["clarithromycine 500 mg", "simvastatine 20 mg", "inconnuzol"] }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    let alert = &body["report"]["alerts"][0];
    assert_eq!(alert["level"], "contre_indication", "{body}");
    assert_eq!(
        alert["reasons"][0]["via"][0],
        "INHIBITEURS PUISSANTS DU CYP3A4"
    );
    assert_eq!(body["report"]["thesaurus_version"], "test");
    assert!(
        body["lines"][2]["problem"]
            .as_str()
            .unwrap()
            .contains("inconnuzol")
    );
    let too_short = post_json(
        &server.router,
        "/api/v1/interactions",
        Some(&clinician),
        serde_json::json!({ "lines": ["clarithromycine"] }),
    )
    .await;
    assert_eq!(too_short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let trail = audit_trail(&server).await;
    let record = trail
        .iter()
        .find(|record| record["action"] == "interactions.check")
        .unwrap();
    assert_eq!(record["details"]["alerts"], 1);
    assert!(!record.to_string().contains("simvastatine"));
}

#[tokio::test]
async fn drug_cards_need_the_bdpm() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = get(&server.router, "/api/v1/drugs/doliprane", Some(&clinician)).await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert!(reply.body.contains("bdpm"));
}

#[tokio::test]
async fn a_score_is_computed_as_the_calculator_computes_it_and_bad_values_are_refused() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let list = get(&server.router, "/api/v1/scores", Some(&clinician)).await;
    assert_eq!(list.status, StatusCode::OK);
    let ids: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|calculator| calculator["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), esculape_scores::calculators().len());
    let reply = post_json(
        &server.router,
        "/api/v1/scores/cha2ds2-vasc",
        Some(&clinician),
        serde_json::json!({ "inputs": { "age": 72, "sex": "F", "hypertension": true, "diabetes": true, "stroke": false } }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let expected = esculape_scores::calculator("cha2ds2-vasc")
        .unwrap()
        .evaluate_text(&[
            ("age", Some("72")),
            ("sex", Some("F")),
            ("hypertension", None),
            ("diabetes", None),
        ])
        .unwrap();
    assert_eq!(reply.json()["value"].as_f64().unwrap(), expected.value);
    let impossible = post_json(
        &server.router,
        "/api/v1/scores/cha2ds2-vasc",
        Some(&clinician),
        serde_json::json!({ "inputs": { "age": "300", "sex": "F" } }),
    )
    .await;
    assert_eq!(
        (impossible.status, impossible.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        "{}",
        impossible.body
    );
    let unknown = post_json(
        &server.router,
        "/api/v1/scores/no-such-score",
        Some(&clinician),
        serde_json::json!({ "inputs": {} }),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pseudonymize_lists_what_it_masked_and_audits_counts_only() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let note = "Mme Jeanne DUPONT, née le 03/04/1956, tél 06 12 34 56 78";
    let reply = post_json(
        &server.router,
        "/api/v1/pseudonymize",
        Some(&clinician),
        serde_json::json!({ "text": note }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    assert!(!body["text"].as_str().unwrap().contains("DUPONT"));
    let findings = body["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|finding| finding["original"] == "DUPONT")
    );
    assert!(findings.iter().all(|finding| {
        let (start, end) = (
            finding["start_char"].as_u64().unwrap() as usize,
            finding["end_char"].as_u64().unwrap() as usize,
        );
        note.chars()
            .skip(start)
            .take(end - start)
            .collect::<String>()
            == finding["original"]
    }));
    let trail = audit_trail(&server).await;
    let record = trail
        .iter()
        .find(|record| record["action"] == "pseudonymize")
        .unwrap();
    assert!(!record.to_string().contains("DUPONT"));
    assert!(record["details"]["identifiers"].as_object().unwrap().len() >= 2);
}

#[tokio::test]
async fn the_ask_page_streams_with_its_own_script_and_answers_without_it() {
    let server = server_with_engines(1, 1);
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let page = browser
        .go(&server, Method::GET, "/demander", None, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<script src=\"/static/ask.js\" defer>"));
    assert!(page.body.contains("class=\"ai-banner\""));
    assert!(page.body.contains("<label for=\"question\">"));
    let script = browser
        .go(&server, Method::GET, "/static/ask.js", None, None)
        .await;
    assert!(
        script.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(script.body.contains("/api/v1/ask"));
    let csrf = hidden_csrf(&page.body);
    let form = format!("csrf={csrf}&question=Sur+quoi+repose+la+surveillance+de+la+glianorex+%3F");
    let answered = browser
        .go(&server, Method::POST, "/demander", Some(&form), None)
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert!(
        answered
            .body
            .contains("class=\"citation\" href=\"/passage?id=")
    );
    assert!(answered.body.contains("Protocoles du service"));
    // No calculator named, none shown; a named score points to its calculator.
    assert!(!answered.body.contains("answer-calculators"));
    let form = format!("csrf={csrf}&question=Score+CHA2DS2-VASc+et+glianorex+%3F");
    let scored = browser
        .go(&server, Method::POST, "/demander", Some(&form), None)
        .await;
    assert_eq!(scored.status, StatusCode::OK, "{}", scored.body);
    assert!(
        scored
            .body
            .contains("<a href=\"/scores/cha2ds2-vasc\">CHA₂DS₂-VASc</a>"),
        "{}",
        scored.body
    );
    let forged = browser
        .go(
            &server,
            Method::POST,
            "/demander",
            Some("csrf=x&question=a"),
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_answer_points_to_the_calculators_the_question_names() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = ask(
        &server,
        &clinician,
        "Comment calculer le score HAS-BLED et la clairance de la créatinine ?",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let events = events(&reply.body);
    let (name, answer) = events.last().unwrap();
    assert_eq!(name, "answer", "{}", reply.body);
    let ids: Vec<&str> = answer["calculators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|calculator| calculator["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cockcroft-gault", "has-bled"]);
}

#[tokio::test]
async fn the_ask_page_says_when_the_model_is_busy() {
    let server = server_with_engines(1, 0);
    let outcome = server
        .app
        .login("dr.martin", &esculape_app::Password::new(PASSWORD))
        .unwrap();
    let _held = server
        .app
        .admit_question(outcome.auth.identity(), QUESTION)
        .unwrap();
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let page = browser
        .go(&server, Method::GET, "/demander", None, None)
        .await;
    let form = format!("csrf={}&question=glianorex", hidden_csrf(&page.body));
    let busy = browser
        .go(&server, Method::POST, "/demander", Some(&form), None)
        .await;
    assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(busy.headers[header::RETRY_AFTER], "7");
    assert!(busy.body.contains("Réessayez dans 7 s"), "{}", busy.body);
}

#[tokio::test]
async fn the_prescription_page_colours_alerts_by_severity() {
    let server = server_with_engines(1, 1);
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let page = browser
        .go(&server, Method::GET, "/ordonnance", None, None)
        .await;
    let form = format!(
        "csrf={}&lines=clarithromycine%0Asimvastatine",
        hidden_csrf(&page.body)
    );
    let checked = browser
        .go(&server, Method::POST, "/ordonnance", Some(&form), None)
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(checked.body.contains("class=\"alert level-ci\""));
    assert!(checked.body.contains("CONTRE-INDICATION"));
    assert!(checked.body.contains("Mécanisme de test."));
}

#[tokio::test]
async fn the_score_form_shows_units_and_ranges_and_computes() {
    let server = server_with_engines(1, 1);
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let list = browser
        .go(&server, Method::GET, "/scores", None, None)
        .await;
    assert!(list.body.contains("href=\"/scores/ckd-epi\""));
    let form_page = browser
        .go(&server, Method::GET, "/scores/ckd-epi", None, None)
        .await;
    assert!(form_page.body.contains("name=\"creatinine__unit\""));
    assert!(form_page.body.contains("µmol/L"));
    assert!(form_page.body.contains("id=\"creatinine-range\""));
    let form = format!(
        "csrf={}&age=60&sex=M&creatinine=115&creatinine__unit=umol%2FL",
        hidden_csrf(&form_page.body)
    );
    let computed = browser
        .go(&server, Method::POST, "/scores/ckd-epi", Some(&form), None)
        .await;
    assert_eq!(computed.status, StatusCode::OK, "{}", computed.body);
    let expected = esculape_scores::calculator("ckd-epi")
        .unwrap()
        .evaluate_text(&[
            ("age", Some("60")),
            ("sex", Some("M")),
            ("creatinine", Some("115umol/L")),
        ])
        .unwrap();
    assert!(
        computed.body.contains(&format!(
            "<output class=\"score-value\">{}</output>",
            expected.value_text()
        )),
        "{}",
        computed.body
    );
}

#[tokio::test]
async fn the_score_form_refuses_an_impossible_value_in_french() {
    let server = server_with_engines(1, 1);
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let form_page = browser
        .go(&server, Method::GET, "/scores/ckd-epi", None, None)
        .await;
    let form = format!(
        "csrf={}&age=150&sex=M&creatinine=115&creatinine__unit=umol%2FL",
        hidden_csrf(&form_page.body)
    );
    let refused = browser
        .go(&server, Method::POST, "/scores/ckd-epi", Some(&form), None)
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("entrée « age » = 150 ans est hors de la plage admise 18–125 ans"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("score-value"), "{}", refused.body);
}

#[tokio::test]
async fn the_pseudonymize_page_lists_the_masked_identifiers() {
    let server = server_with_engines(1, 1);
    let mut browser = Browser::default();
    browser.sign_in(&server, "dr.martin").await;
    let page = browser
        .go(&server, Method::GET, "/pseudonymiser", None, None)
        .await;
    let form = format!(
        "csrf={}&text=Mme+Jeanne+DUPONT%2C+t%C3%A9l+06+12+34+56+78",
        hidden_csrf(&page.body)
    );
    let done = browser
        .go(&server, Method::POST, "/pseudonymiser", Some(&form), None)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("class=\"findings\""));
    let output_start = done.body.find("class=\"pseudonymized-text\"").unwrap();
    let output = &done.body[output_start..];
    let output = &output[..output.find("</pre>").unwrap()];
    assert!(!output.contains("DUPONT"), "{output}");
}

#[tokio::test]
async fn an_answer_naming_two_drugs_carries_the_thesaurus_alert() {
    let server = server_with_engines(1, 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = ask(
        &server,
        &clinician,
        "Peut-on associer clarithromycine et simvastatine ?",
    )
    .await;
    let events = events(&reply.body);
    let (name, answer) = events.last().unwrap();
    assert_eq!(name, "answer", "{}", reply.body);
    let interactions = &answer["interactions"];
    assert_eq!(interactions["checked"], true, "{interactions}");
    assert_eq!(interactions["alerts"][0]["level"], "Contre-indication");
    assert!(
        interactions["alerts"][0]["source"]
            .as_str()
            .unwrap()
            .contains("test")
    );
}
