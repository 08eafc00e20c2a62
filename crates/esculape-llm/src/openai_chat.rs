//! Generation on an OpenAI-compatible server (`POST /v1/chat/completions`): vLLM, llama.cpp
//! server, TGI or a sovereign cloud endpoint. Server-sent-event streaming, timeouts, retries
//! with backoff honouring `Retry-After`, a bound on requests in flight, and an API key that
//! is never logged.

use crate::error::{Error, Result};
use crate::generate::{
    ChatMessage, Completion, Constraint, FinishReason, GenerateRequest, Generator, StreamEvent,
    TokenStream, Usage,
};
use crate::retry::Endpoint;
use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Settings of a chat-completion server.
#[derive(Clone)]
pub struct OpenAiChatConfig {
    /// Base address, for example `http://gpu-server:8000` (with or without `/v1`).
    pub base_url: String,
    /// Model name the server expects.
    pub model: String,
    /// Bearer token, if the server wants one; never printed.
    pub api_key: Option<String>,
    /// Longest wait for the connection and for the answer's first bytes.
    pub response_timeout: Duration,
    /// Longest time for a whole request, generation included.
    pub total_timeout: Duration,
    /// Attempts for one request, the first included (only before any text arrived).
    pub attempts: u32,
    /// Requests in flight from this process; one more is refused with [`Error::Busy`].
    pub max_concurrent_requests: usize,
    /// Context of the served model, in tokens (the server does not say it).
    pub context_tokens: usize,
}

impl std::fmt::Debug for OpenAiChatConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OpenAiChatConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

/// A client of an OpenAI-compatible chat-completion endpoint.
#[derive(Debug)]
pub struct OpenAiGenerator {
    config: OpenAiChatConfig,
    agent: ureq::Agent,
    url: String,
    id: String,
    in_flight: Arc<AtomicUsize>,
}

impl OpenAiGenerator {
    /// Checks the settings; no request is sent until the first generation.
    pub fn new(config: OpenAiChatConfig) -> Result<OpenAiGenerator> {
        if config.base_url.trim().is_empty() || config.model.trim().is_empty() {
            return Err(Error::Settings(
                "a model server needs both a base address (llm.base_url) and a model name (llm.remote_model)".into(),
            ));
        }
        if config.max_concurrent_requests == 0 {
            return Err(Error::Settings(
                "max_concurrent_requests must be at least 1".into(),
            ));
        }
        let base = config.base_url.trim().trim_end_matches('/');
        let url = if base.ends_with("/v1") {
            format!("{base}/chat/completions")
        } else {
            format!("{base}/v1/chat/completions")
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(config.response_timeout))
            .timeout_recv_response(Some(config.response_timeout))
            .timeout_global(Some(config.total_timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let id = format!("openai:{}@{base}", config.model);
        Ok(OpenAiGenerator {
            config,
            agent,
            url,
            id,
            in_flight: Arc::new(AtomicUsize::new(0)),
        })
    }

    fn permit(&self) -> Result<Permit> {
        let limit = self.config.max_concurrent_requests;
        let taken = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
                (count < limit).then_some(count + 1)
            });
        if taken.is_err() {
            return Err(Error::Busy {
                what: format!("model server at {} ({limit} requests in flight)", self.url),
                retry_after_s: 1,
            });
        }
        Ok(Permit(self.in_flight.clone()))
    }

    fn body(&self, request: &GenerateRequest, stream: bool) -> serde_json::Value {
        let sampling = &request.sampling;
        let mut body = serde_json::json!({
            "model": self.config.model,
            "messages": request
                .messages
                .iter()
                .map(|message| serde_json::json!({
                    "role": message.role.as_str(),
                    "content": message.content.as_str(),
                }))
                .collect::<Vec<_>>(),
            "max_tokens": request.max_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "seed": sampling.seed,
            "stream": stream,
        });
        if !request.stop.is_empty() {
            body["stop"] = serde_json::json!(request.stop);
        }
        if stream {
            body["stream_options"] = serde_json::json!({ "include_usage": true });
        }
        if sampling.repeat_penalty != 1.0 {
            // vLLM and TGI call it `repetition_penalty`, llama.cpp server `repeat_penalty`.
            body["repetition_penalty"] = serde_json::json!(sampling.repeat_penalty);
            body["repeat_penalty"] = serde_json::json!(sampling.repeat_penalty);
        }
        if request.ignore_end_of_text {
            body["ignore_eos"] = serde_json::json!(true);
        }
        match &request.constraint {
            None => {}
            Some(Constraint::JsonSchema(schema)) => {
                body["response_format"] = serde_json::json!({
                    "type": "json_schema",
                    "json_schema": { "name": "output", "schema": schema },
                });
            }
            // llama.cpp server's extension; other servers refuse or ignore it.
            Some(Constraint::Grammar(grammar)) => body["grammar"] = serde_json::json!(grammar),
        }
        body
    }

    /// Sends `body`, retrying refusals (429, 5xx) and failed connections with backoff.
    fn send(&self, body: &serde_json::Value) -> Result<ureq::http::Response<ureq::Body>> {
        Endpoint {
            agent: &self.agent,
            url: &self.url,
            api_key: self.config.api_key.as_deref(),
            attempts: self.config.attempts,
            what: "model server",
            refused_hint: "check llm.base_url, llm.remote_model and the API key",
            unreachable_hint: "check that the server runs and llm.base_url",
        }
        .post(&body.to_string())
    }

    fn server_error(&self, reason: String) -> Error {
        Error::Server {
            url: self.url.clone(),
            reason,
        }
    }
}

struct Permit(Arc<AtomicUsize>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(serde::Deserialize)]
struct ChunkMessage {
    #[serde(default)]
    choices: Vec<ChunkChoice>,
    #[serde(default)]
    usage: Option<ServerUsage>,
}

#[derive(serde::Deserialize)]
struct ChunkChoice {
    #[serde(default)]
    delta: Option<Content>,
    #[serde(default)]
    message: Option<Content>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(serde::Deserialize)]
struct Content {
    #[serde(default)]
    content: Option<String>,
}

#[derive(serde::Deserialize)]
struct ServerUsage {
    #[serde(default)]
    prompt_tokens: usize,
    #[serde(default)]
    completion_tokens: usize,
}

fn finish_reason(reason: Option<&str>) -> FinishReason {
    match reason {
        Some("length") => FinishReason::Length,
        _ => FinishReason::Stop,
    }
}

impl Generator for OpenAiGenerator {
    fn id(&self) -> &str {
        &self.id
    }

    fn context_tokens(&self) -> usize {
        self.config.context_tokens
    }

    /// An upper estimate (one token per three bytes): the OpenAI protocol has no way to
    /// count tokens.
    fn count_tokens(&self, messages: &[ChatMessage]) -> Result<usize> {
        Ok(messages
            .iter()
            .map(|message| message.content.len().div_ceil(3) + 4)
            .sum())
    }

    fn generate(&self, request: GenerateRequest) -> Result<TokenStream> {
        let permit = self.permit()?;
        let arrived = Instant::now();
        let response = self.send(&self.body(&request, true))?;
        let reader = std::io::BufReader::new(response.into_body().into_reader());
        let mut lines = reader.lines();
        let url = self.url.clone();
        let mut text = String::new();
        let mut usage = Usage::default();
        let mut reason: Option<String> = None;
        let mut first_token: Option<Instant> = None;
        let mut done = false;
        let events = std::iter::from_fn(move || {
            let _permit = &permit;
            if done {
                return None;
            }
            let fail = |reason: String| {
                Some(Err(Error::Server {
                    url: url.clone(),
                    reason,
                }))
            };
            loop {
                let line = match lines.next() {
                    Some(Ok(line)) => line,
                    Some(Err(error)) => {
                        done = true;
                        return fail(format!("the stream broke: {error}"));
                    }
                    None if reason.is_some() => "data: [DONE]".to_string(),
                    None => {
                        done = true;
                        return fail("the stream ended before the answer did".into());
                    }
                };
                let Some(data) = line.strip_prefix("data:").map(str::trim) else {
                    continue;
                };
                if data == "[DONE]" {
                    done = true;
                    let now = Instant::now();
                    usage.time_to_first_token_ms =
                        first_token.map_or(0.0, |first| (first - arrived).as_secs_f64() * 1000.0);
                    usage.prompt_ms = usage.time_to_first_token_ms;
                    usage.generation_ms =
                        first_token.map_or(0.0, |first| (now - first).as_secs_f64() * 1000.0);
                    return Some(Ok(StreamEvent::Done {
                        text: std::mem::take(&mut text),
                        finish_reason: finish_reason(reason.as_deref()),
                        usage: std::mem::take(&mut usage),
                    }));
                }
                let chunk: ChunkMessage = match serde_json::from_str(data) {
                    Ok(chunk) => chunk,
                    Err(error) => {
                        done = true;
                        return fail(format!("malformed stream event: {error}"));
                    }
                };
                if let Some(server_usage) = chunk.usage {
                    usage.prompt_tokens = server_usage.prompt_tokens;
                    usage.completion_tokens = server_usage.completion_tokens;
                }
                let mut piece = String::new();
                for choice in chunk.choices {
                    if let Some(content) = choice.delta.and_then(|delta| delta.content) {
                        piece.push_str(&content);
                    }
                    if choice.finish_reason.is_some() {
                        reason = choice.finish_reason;
                    }
                }
                if !piece.is_empty() {
                    first_token.get_or_insert_with(Instant::now);
                    text.push_str(&piece);
                    return Some(Ok(StreamEvent::Text(piece)));
                }
            }
        });
        Ok(TokenStream::new(events))
    }

    fn complete(&self, request: GenerateRequest) -> Result<Completion> {
        let _permit = self.permit()?;
        let arrived = Instant::now();
        let mut response = self.send(&self.body(&request, false))?;
        let answer: ChunkMessage = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_json()
            .map_err(|error| self.server_error(format!("malformed answer: {error}")))?;
        let elapsed_ms = arrived.elapsed().as_secs_f64() * 1000.0;
        let choice = answer
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| self.server_error("malformed answer: no choice".into()))?;
        let text = choice
            .message
            .and_then(|message| message.content)
            .ok_or_else(|| self.server_error("malformed answer: no message content".into()))?;
        let server_usage = answer.usage.unwrap_or(ServerUsage {
            prompt_tokens: 0,
            completion_tokens: 0,
        });
        Ok(Completion {
            text,
            finish_reason: finish_reason(choice.finish_reason.as_deref()),
            usage: Usage {
                prompt_tokens: server_usage.prompt_tokens,
                cached_prompt_tokens: 0,
                completion_tokens: server_usage.completion_tokens,
                time_to_first_token_ms: elapsed_ms,
                prompt_ms: 0.0,
                generation_ms: elapsed_ms,
            },
        })
    }
}
