//! OpenAI-compatible `/v1/chat/completions` and `/v1/embeddings` on the local models, for
//! other software on the site: bearer session required (clinician role), every input
//! pseudonymized before the model sees it, replies re-identified, model queue shared with
//! answers (429 with `Retry-After` when full). `stream: true` sends OpenAI's server-sent
//! chunks, each already re-identified.

use crate::api::ApiJson;
use crate::error::{ApiError, ErrorBody};
use crate::session::{ApiChangeAuth, blocking};
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use esculape_llm::{FinishReason, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChatMessageBody {
    /// `system`, `user` or `assistant`.
    pub role: String,
    pub content: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChatCompletionRequest {
    /// Ignored: the server's configured model answers (its id is in the reply).
    pub model: Option<String>,
    pub messages: Vec<ChatMessageBody>,
    /// Default 256, at most 2048.
    pub max_tokens: Option<usize>,
    /// Default 0 (greedy).
    pub temperature: Option<f32>,
    /// `true`: `text/event-stream` of `chat.completion.chunk` objects, then `data: [DONE]`.
    pub stream: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatChoice {
    pub index: usize,
    pub message: ChatReplyMessage,
    /// `stop` or `length`.
    pub finish_reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatReplyMessage {
    pub role: String,
    pub content: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUsage {
    pub prompt_tokens: usize,
    pub completion_tokens: usize,
    pub total_tokens: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatCompletionResponse {
    pub id: String,
    /// `chat.completion`.
    pub object: String,
    pub created: i64,
    pub model: String,
    pub choices: Vec<ChatChoice>,
    pub usage: TokenUsage,
}

#[utoipa::path(post, path = "/v1/chat/completions", tag = "openai", request_body = ChatCompletionRequest,
    description = "OpenAI-compatible chat completion on the local model. Messages are \
        pseudonymized before the model sees them and the reply is re-identified. With \
        `stream: true` the answer is `text/event-stream`: `chat.completion.chunk` objects \
        (their text already re-identified), then `data: [DONE]`; a refusal before the first \
        text keeps its status (422, 429…).",
    responses((status = 200, body = ChatCompletionResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn chat_completions(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    ApiJson(request): ApiJson<ChatCompletionRequest>,
) -> Result<Response, ApiError> {
    let mut messages = Vec::with_capacity(request.messages.len());
    for message in request.messages {
        let role = match message.role.as_str() {
            "system" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(esculape_app::Error::Invalid(format!(
                    "unknown role `{other}`: use system, user or assistant"
                ))
                .into());
            }
        };
        messages.push(esculape_app::ChatInput {
            role,
            content: message.content,
        });
    }
    let max_tokens = request.max_tokens.unwrap_or(256);
    let temperature = request.temperature.unwrap_or(0.0);
    let app = state.app.clone();
    if request.stream == Some(true) {
        return streamed(app, auth, messages, max_tokens, temperature).await;
    }
    let reply =
        blocking(move || app.chat_completion(auth.identity(), &messages, max_tokens, temperature))
            .await?;
    let created = esculape_app::now_s();
    Ok(Json(ChatCompletionResponse {
        id: completion_id(),
        object: "chat.completion".into(),
        created,
        model: reply.model,
        choices: vec![ChatChoice {
            index: 0,
            message: ChatReplyMessage {
                role: "assistant".into(),
                content: reply.content,
            },
            finish_reason: match reply.finish_reason {
                FinishReason::Stop => "stop".into(),
                FinishReason::Length => "length".into(),
            },
        }],
        usage: TokenUsage {
            prompt_tokens: reply.prompt_tokens,
            completion_tokens: reply.completion_tokens,
            total_tokens: reply.prompt_tokens + reply.completion_tokens,
        },
    })
    .into_response())
}

fn completion_id() -> String {
    format!(
        "chatcmpl-{}",
        esculape_app::random_token(12).unwrap_or_default()
    )
}

fn finish_reason_name(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "stop",
        FinishReason::Length => "length",
    }
}

/// What the model thread sends the response stream.
enum Streamed {
    Text(String),
    Done(esculape_app::ChatReply),
    Failed(esculape_app::Error),
}

/// `stream: true`: the completion runs on a blocking thread and its re-identified text
/// goes out as `chat.completion.chunk` events. A refusal before the first text (full
/// queue, bad input, dead model) is an ordinary error response with its status.
async fn streamed(
    app: esculape_app::App,
    auth: esculape_app::Auth,
    messages: Vec<esculape_app::ChatInput>,
    max_tokens: usize,
    temperature: f32,
) -> Result<Response, ApiError> {
    let model = app.chat_model_id().unwrap_or_default();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Streamed>();
    tokio::task::spawn_blocking(move || {
        let pieces = sender.clone();
        let result = app.chat_completion_streamed(
            auth.identity(),
            &messages,
            max_tokens,
            temperature,
            &mut |text| {
                let _ = pieces.send(Streamed::Text(text.to_string()));
            },
        );
        let _ = sender.send(match result {
            Ok(reply) => Streamed::Done(reply),
            Err(error) => Streamed::Failed(error),
        });
    });
    let first = receiver.recv().await;
    let first = match first {
        Some(Streamed::Failed(error)) => return Err(error.into()),
        Some(first) => first,
        None => {
            return Err(esculape_app::Error::Internal("the model thread stopped".into()).into());
        }
    };
    let (id, created) = (completion_id(), esculape_app::now_s());
    let chunk = move |delta: serde_json::Value, finish: Option<&str>, model: &str| {
        let value = serde_json::json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }],
        });
        Bytes::from(format!("data: {value}\n\n"))
    };
    let mut pending = Some(first);
    let mut started = false;
    let mut finished = false;
    let stream = futures_util::stream::poll_fn(move |context| {
        if finished {
            return std::task::Poll::Ready(None);
        }
        let next = match pending.take() {
            Some(next) => next,
            None => match receiver.poll_recv(context) {
                std::task::Poll::Pending => return std::task::Poll::Pending,
                std::task::Poll::Ready(None) => {
                    finished = true;
                    return std::task::Poll::Ready(None);
                }
                std::task::Poll::Ready(Some(next)) => next,
            },
        };
        let mut bytes = Vec::new();
        if !started {
            started = true;
            bytes.extend_from_slice(&chunk(
                serde_json::json!({ "role": "assistant", "content": "" }),
                None,
                &model,
            ));
        }
        match next {
            Streamed::Text(text) => {
                bytes.extend_from_slice(&chunk(
                    serde_json::json!({ "content": text }),
                    None,
                    &model,
                ));
            }
            Streamed::Done(reply) => {
                bytes.extend_from_slice(&chunk(
                    serde_json::json!({}),
                    Some(finish_reason_name(reply.finish_reason)),
                    &model,
                ));
                bytes.extend_from_slice(b"data: [DONE]\n\n");
                finished = true;
            }
            Streamed::Failed(error) => {
                let (_, code, message, _) = crate::error::classify(&ApiError::App(error));
                let value = serde_json::json!({ "error": { "code": code, "message": message } });
                bytes.extend_from_slice(format!("data: {value}\n\ndata: [DONE]\n\n").as_bytes());
                finished = true;
            }
        }
        std::task::Poll::Ready(Some(Ok::<Bytes, std::convert::Infallible>(Bytes::from(
            bytes,
        ))))
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// One text or several.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EmbeddingInput {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmbeddingsRequest {
    /// Ignored: the server's configured embedding model answers.
    pub model: Option<String>,
    pub input: EmbeddingInput,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmbeddingData {
    /// `embedding`.
    pub object: String,
    pub index: usize,
    pub embedding: Vec<f32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmbeddingsResponse {
    /// `list`.
    pub object: String,
    pub model: String,
    pub data: Vec<EmbeddingData>,
}

#[utoipa::path(post, path = "/v1/embeddings", tag = "openai", request_body = EmbeddingsRequest,
    description = "OpenAI-compatible embeddings on the local model; inputs are pseudonymized first.",
    responses((status = 200, body = EmbeddingsResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn embeddings(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    ApiJson(request): ApiJson<EmbeddingsRequest>,
) -> Result<Json<EmbeddingsResponse>, ApiError> {
    let inputs = match request.input {
        EmbeddingInput::One(text) => vec![text],
        EmbeddingInput::Many(texts) => texts,
    };
    let app = state.app.clone();
    let reply = blocking(move || app.embeddings(auth.identity(), &inputs)).await?;
    Ok(Json(EmbeddingsResponse {
        object: "list".into(),
        model: reply.model,
        data: reply
            .vectors
            .into_iter()
            .enumerate()
            .map(|(index, embedding)| EmbeddingData {
                object: "embedding".into(),
                index,
                embedding,
            })
            .collect(),
    }))
}
