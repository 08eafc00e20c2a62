//! The OpenAI-compatible endpoints. The model here is a recording stand-in, the boundary
//! these tests are about: what reaches a model must be pseudonymized, what comes back is
//! re-identified. The real models are exercised by esculape-llm's own tests.

use crate::*;
use axum::http::{Method, StatusCode};
use esculape_llm::{
    ChatMessage, EmbedKind, Embedder, FinishReason, GenerateRequest, Generator, StreamEvent,
    TokenStream, Usage,
};
use std::sync::{Arc, Mutex};

/// Echoes the last message it received, and keeps every prompt it saw.
#[derive(Default)]
struct RecordingModel {
    seen: Mutex<Vec<String>>,
}

impl Generator for RecordingModel {
    fn id(&self) -> &str {
        "recording-model"
    }
    fn context_tokens(&self) -> usize {
        4096
    }
    fn count_tokens(&self, messages: &[ChatMessage]) -> esculape_llm::Result<usize> {
        Ok(messages.iter().map(|message| message.content.len()).sum())
    }
    fn generate(&self, request: GenerateRequest) -> esculape_llm::Result<TokenStream> {
        let prompt: Vec<String> = request
            .messages
            .iter()
            .map(|message| message.content.as_str().to_string())
            .collect();
        self.seen.lock().unwrap().extend(prompt.iter().cloned());
        let text = format!("Reçu : {}", prompt.last().cloned().unwrap_or_default());
        // Pieces of 3 characters, cutting surrogates anywhere, as a model's tokens do.
        let characters: Vec<char> = text.chars().collect();
        let mut events: Vec<esculape_llm::Result<StreamEvent>> = characters
            .chunks(3)
            .map(|piece| Ok(StreamEvent::Text(piece.iter().collect())))
            .collect();
        events.push(Ok(StreamEvent::Done {
            text,
            finish_reason: FinishReason::Stop,
            usage: Usage::default(),
        }));
        Ok(TokenStream::new(events.into_iter()))
    }
}

impl Embedder for RecordingModel {
    fn id(&self) -> &str {
        "recording-embedder"
    }
    fn dimension(&self) -> usize {
        2
    }
    fn embed(&self, texts: &[&str], _kind: EmbedKind) -> esculape_llm::Result<Vec<Vec<f32>>> {
        self.seen
            .lock()
            .unwrap()
            .extend(texts.iter().map(|text| text.to_string()));
        Ok(texts
            .iter()
            .map(|text| vec![text.len() as f32, 1.0])
            .collect())
    }
}

fn server_with_model(model: Arc<RecordingModel>, waiting: usize) -> TestServer {
    server_with_model_queue(
        model,
        Arc::new(esculape_app::ModelQueue::new(1, waiting, 5)),
    )
}

fn server_with_model_queue(
    model: Arc<RecordingModel>,
    queue: Arc<esculape_app::ModelQueue>,
) -> TestServer {
    server_configured(move |app| {
        app.with_models(esculape_app::ModelEngine {
            generator: Some(model.clone()),
            embedder: Some(model),
            queue,
        })
        .with_pseudonymization(esculape_pseudo::Config::default())
    })
}

const NOTE: &str = "Mme Jeanne DUPONT, née le 03/04/1956, tél 06 12 34 56 78";

#[tokio::test]
async fn chat_text_is_pseudonymized_before_the_model_and_restored_after() {
    let model = Arc::new(RecordingModel::default());
    let server = server_with_model(model.clone(), 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = post_json(
        &server.router,
        "/v1/chat/completions",
        Some(&clinician),
        serde_json::json!({ "model": "any", "messages": [
            { "role": "system", "content": "Résume." },
            { "role": "user", "content": NOTE } ] }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "recording-model");
    assert_eq!(body["choices"][0]["message"]["role"], "assistant");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    let seen = model.seen.lock().unwrap().join("\n");
    assert!(
        !seen.contains("DUPONT") && !seen.contains("06 12 34 56 78"),
        "{seen}"
    );
    assert_eq!(
        body["choices"][0]["message"]["content"],
        format!("Reçu : {NOTE}")
    );
    let auditor = login(&server.router, "auditrice").await;
    let trail = get(&server.router, "/api/v1/audit", Some(&auditor))
        .await
        .json();
    let record = trail
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["action"] == "chat.completions")
        .unwrap()
        .clone();
    assert_eq!(record["details"]["model"], "recording-model");
    assert!(record["details"]["identifiers_replaced"].as_u64().unwrap() >= 2);
    assert!(!record.to_string().contains("DUPONT"));
}

#[tokio::test]
async fn embeddings_are_of_the_pseudonymized_text() {
    let model = Arc::new(RecordingModel::default());
    let server = server_with_model(model.clone(), 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = post_json(
        &server.router,
        "/v1/embeddings",
        Some(&clinician),
        serde_json::json!({ "input": [NOTE, "la glianorex"] }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"][1]["index"], 1);
    assert!(!model.seen.lock().unwrap().join("\n").contains("DUPONT"));
}

#[tokio::test]
async fn the_openai_endpoints_need_a_clinician_session_and_valid_messages() {
    let model = Arc::new(RecordingModel::default());
    let server = server_with_model(model.clone(), 1);
    let body = serde_json::json!({ "messages": [{ "role": "user", "content": "x" }] });
    let anonymous = post_json(&server.router, "/v1/chat/completions", None, body.clone()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let auditor = login(&server.router, "auditrice").await;
    let refused = post_json(
        &server.router,
        "/v1/embeddings",
        Some(&auditor),
        serde_json::json!({ "input": "x" }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let clinician = login(&server.router, "dr.martin").await;
    let bad_role = post_json(
        &server.router,
        "/v1/chat/completions",
        Some(&clinician),
        serde_json::json!({ "messages": [{ "role": "tool", "content": "x" }] }),
    )
    .await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(model.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn streamed_chat_sends_restored_chunks_that_join_into_the_reply() {
    let model = Arc::new(RecordingModel::default());
    let server = server_with_model(model.clone(), 1);
    let clinician = login(&server.router, "dr.martin").await;
    let reply = post_json(
        &server.router,
        "/v1/chat/completions",
        Some(&clinician),
        serde_json::json!({ "stream": true, "messages": [{ "role": "user", "content": NOTE }] }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events: Vec<&str> = reply
        .body
        .split("\n\n")
        .filter_map(|event| event.strip_prefix("data: "))
        .collect();
    assert_eq!(events.last(), Some(&"[DONE]"), "{}", reply.body);
    let chunks: Vec<serde_json::Value> = events[..events.len() - 1]
        .iter()
        .map(|event| serde_json::from_str(event).unwrap())
        .collect();
    assert!(
        chunks.len() > 3,
        "the reply came in one piece: {}",
        reply.body
    );
    assert!(
        chunks
            .iter()
            .all(|chunk| chunk["object"] == "chat.completion.chunk"
                && chunk["model"] == "recording-model")
    );
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "stop"
    );
    let joined: String = chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str())
        .collect();
    // The pieces are the original text, never a surrogate or half of one.
    assert_eq!(joined, format!("Reçu : {NOTE}"));
    let seen = model.seen.lock().unwrap().join("\n");
    assert!(!seen.contains("DUPONT"), "{seen}");
}

#[tokio::test]
async fn a_streamed_chat_refused_before_it_starts_gets_its_status() {
    let model = Arc::new(RecordingModel::default());
    let queue = Arc::new(esculape_app::ModelQueue::new(1, 0, 5));
    let server = server_with_model_queue(model.clone(), queue.clone());
    let held = queue.admit().unwrap();
    let clinician = login(&server.router, "dr.martin").await;
    let reply = post_json(
        &server.router,
        "/v1/chat/completions",
        Some(&clinician),
        serde_json::json!({ "stream": true, "messages": [{ "role": "user", "content": "x" }] }),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    drop(held);
    let bad = post_json(
        &server.router,
        "/v1/chat/completions",
        Some(&clinician),
        serde_json::json!({ "stream": true, "max_tokens": 0,
            "messages": [{ "role": "user", "content": "x" }] }),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(model.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_full_model_queue_refuses_chat_with_429() {
    let model = Arc::new(RecordingModel::default());
    let queue = Arc::new(esculape_app::ModelQueue::new(1, 0, 5));
    let server = server_with_model_queue(model.clone(), queue.clone());
    let held = queue.admit().unwrap();
    let clinician = login(&server.router, "dr.martin").await;
    let body = serde_json::json!({ "messages": [{ "role": "user", "content": "x" }] });
    let reply = send(
        &server.router,
        request(
            Method::POST,
            "/v1/chat/completions",
            Some(Credential::Bearer(&clinician)),
            Some(body.clone()),
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    assert_eq!(reply.headers["retry-after"], "5");
    assert!(model.seen.lock().unwrap().is_empty());
    drop(held);
    let reply = post_json(
        &server.router,
        "/v1/chat/completions",
        Some(&clinician),
        body,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}
