//! The OpenAI-compatible chat client against a loopback server that answers with recorded
//! responses in the OpenAI wire format (JSON and server-sent events).

use esculape_llm::{
    ChatMessage, Error, FinishReason, GenerateRequest, Generator, OpenAiChatConfig,
    OpenAiGenerator, StreamEvent,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A recorded answer: status line code, extra headers, body, and a delay before answering.
struct Answer {
    status: u16,
    headers: &'static str,
    body: String,
    delay: Duration,
}

fn answer(status: u16, headers: &'static str, body: impl Into<String>) -> Answer {
    Answer {
        status,
        headers,
        body: body.into(),
        delay: Duration::ZERO,
    }
}

/// Serves `script`, one answer per connection, and records the requests it saw.
fn server(script: Vec<Answer>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for answer in script {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                request.push_str(&line);
            }
            let mut payload = vec![0u8; length];
            let _ = reader.read_exact(&mut payload);
            request.push_str(&String::from_utf8_lossy(&payload));
            record.lock().unwrap().push(request);
            std::thread::sleep(answer.delay);
            let mut stream = stream;
            let response = format!(
                "HTTP/1.1 {} X\r\n{}Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                answer.status,
                answer.headers,
                answer.body.len(),
                answer.body
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (address, seen)
}

fn client(base_url: String) -> OpenAiGenerator {
    OpenAiGenerator::new(client_config(base_url)).unwrap()
}

fn request() -> GenerateRequest {
    GenerateRequest::new(
        vec![ChatMessage::user(text("La capitale de la France est"))],
        16,
    )
}

/// A streamed answer as vLLM and llama.cpp server send it.
fn events(pieces: &[&str], finish_reason: &str) -> String {
    let mut body = String::new();
    for piece in pieces {
        body.push_str(&format!(
            "data: {}\n\n",
            serde_json::json!({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]})
        ));
    }
    body.push_str(&format!(
        "data: {}\n\n",
        serde_json::json!({"choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]})
    ));
    body.push_str(&format!(
        "data: {}\n\ndata: [DONE]\n\n",
        serde_json::json!({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": pieces.len()}})
    ));
    body
}

fn whole(text: &str, finish_reason: &str) -> String {
    serde_json::json!({
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 3}
    })
    .to_string()
}

const SSE: &str = "Content-Type: text/event-stream\r\n";

#[test]
fn streaming_and_non_streaming_give_the_same_text() {
    let (address, seen) = server(vec![
        answer(
            200,
            SSE,
            events(&[" Paris", ", en", " Île-de-France."], "stop"),
        ),
        answer(200, "", whole(" Paris, en Île-de-France.", "stop")),
    ]);
    let generator = client(address);
    let mut pieces = Vec::new();
    let mut done = None;
    for event in generator.generate(request()).unwrap() {
        match event.unwrap() {
            StreamEvent::Text(piece) => pieces.push(piece),
            StreamEvent::Done {
                text,
                finish_reason,
                usage,
            } => done = Some((text, finish_reason, usage)),
        }
    }
    let (text, finish_reason, usage) = done.unwrap();
    assert_eq!(pieces.concat(), text);
    assert_eq!(finish_reason, FinishReason::Stop);
    assert_eq!((usage.prompt_tokens, usage.completion_tokens), (9, 3));
    let completion = generator.complete(request()).unwrap();
    assert_eq!(completion.text, text);
    let requests = seen.lock().unwrap();
    assert!(
        requests[0].starts_with("POST /v1/chat/completions"),
        "{}",
        requests[0]
    );
    assert!(requests[0].contains("\"stream\":true"), "{}", requests[0]);
    assert!(requests[1].contains("\"stream\":false"), "{}", requests[1]);
    assert!(
        requests[0]
            .to_ascii_lowercase()
            .contains("authorization: bearer secret-key")
    );
}

#[test]
fn a_length_limit_is_reported() {
    let (address, _) = server(vec![answer(200, SSE, events(&["un", " deux"], "length"))]);
    let completion = client(address)
        .generate(request())
        .unwrap()
        .collect_completion();
    assert_eq!(completion.unwrap().finish_reason, FinishReason::Length);
}

#[test]
fn a_busy_server_is_retried_after_the_delay_it_asks_for() {
    let (address, seen) = server(vec![
        answer(429, "Retry-After: 1\r\n", "{}"),
        answer(503, "", "{}"),
        answer(200, "", whole("Paris", "stop")),
    ]);
    let started = Instant::now();
    let completion = client(address).complete(request()).unwrap();
    assert_eq!(completion.text, "Paris");
    assert_eq!(seen.lock().unwrap().len(), 3);
    // 1 s asked for by Retry-After, then the 1 s backoff of the second attempt.
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_server_still_busy_after_the_last_attempt_gives_a_typed_busy_error() {
    let (address, _) = server(vec![
        answer(429, "Retry-After: 1\r\n", "{}"),
        answer(429, "Retry-After: 1\r\n", "{}"),
        answer(429, "Retry-After: 7\r\n", "{}"),
    ]);
    let error = client(address).complete(request()).unwrap_err();
    assert!(
        matches!(
            error,
            Error::Busy {
                retry_after_s: 7,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn a_malformed_answer_is_a_clear_error() {
    let (address, _) = server(vec![
        answer(200, SSE, "data: {not json\n\n"),
        answer(200, "", "{\"choices\": []}"),
        answer(
            200,
            SSE,
            "data: {\"choices\":[{\"delta\":{\"content\":\"Par\"}}]}\n\n",
        ),
    ]);
    let generator = client(address);
    let error = generator
        .generate(request())
        .unwrap()
        .collect_completion()
        .unwrap_err();
    assert!(
        error.to_string().contains("malformed stream event"),
        "{error}"
    );
    let error = generator.complete(request()).unwrap_err();
    assert!(error.to_string().contains("no choice"), "{error}");
    let error = generator
        .generate(request())
        .unwrap()
        .collect_completion()
        .unwrap_err();
    assert!(
        error.to_string().contains("ended before the answer"),
        "{error}"
    );
}

#[test]
fn a_refused_key_is_not_retried_and_never_shown() {
    let (address, seen) = server(vec![answer(401, "", "{\"error\":\"bad key\"}")]);
    let generator = client(address);
    let error = generator.complete(request()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("HTTP 401") && message.contains("API key"),
        "{message}"
    );
    assert!(!message.contains("secret-key") && !format!("{generator:?}").contains("secret-key"));
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn a_dead_server_is_a_clear_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let config = OpenAiChatConfig {
        attempts: 1,
        ..client_config(address.clone())
    };
    let error = OpenAiGenerator::new(config)
        .unwrap()
        .complete(request())
        .unwrap_err();
    assert!(error.to_string().contains(&address), "{error}");
    assert!(
        error.to_string().contains("check that the server runs"),
        "{error}"
    );
}

#[test]
fn a_slow_server_times_out_instead_of_hanging() {
    let (address, _) = server(vec![Answer {
        delay: Duration::from_secs(5),
        ..answer(200, "", whole("Paris", "stop"))
    }]);
    let config = OpenAiChatConfig {
        attempts: 1,
        response_timeout: Duration::from_millis(500),
        ..client_config(address)
    };
    let started = Instant::now();
    let error = OpenAiGenerator::new(config)
        .unwrap()
        .complete(request())
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error.to_string().to_lowercase().contains("timeout"),
        "{error}"
    );
}

#[test]
fn requests_in_flight_are_bounded() {
    let (address, _) = server(vec![
        answer(200, SSE, events(&["a"], "stop")),
        answer(200, SSE, events(&["b"], "stop")),
        answer(200, SSE, events(&["c"], "stop")),
    ]);
    let generator = client(address);
    let first = generator.generate(request()).unwrap();
    let second = generator.generate(request()).unwrap();
    let error = generator.generate(request()).unwrap_err();
    assert!(matches!(error, Error::Busy { .. }), "{error}");
    drop(first);
    assert_eq!(
        generator
            .generate(request())
            .unwrap()
            .collect_completion()
            .unwrap()
            .text,
        "c"
    );
    assert_eq!(second.collect_completion().unwrap().text, "b");
}

fn client_config(base_url: String) -> OpenAiChatConfig {
    OpenAiChatConfig {
        base_url,
        model: "mistral-small".into(),
        api_key: Some("secret-key".into()),
        response_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(10),
        attempts: 3,
        max_concurrent_requests: 2,
        context_tokens: 8192,
    }
}

/// Test prompts are not patient text.
fn text(prompt: &str) -> esculape_llm::ModelText {
    esculape_llm::ModelText::non_patient(prompt).expect("the rule detectors run")
}
