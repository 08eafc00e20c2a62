//! OpenAI-compatible `/v1/chat/completions` and `/v1/embeddings` on the local models, for
//! other software on the site: bearer session required (clinician role), every input
//! pseudonymized before the model sees it, replies re-identified, model queue shared with
//! answers (429 with `Retry-After` when full). Streaming is not offered.

use crate::api::ApiJson;
use crate::error::{ApiError, ErrorBody};
use crate::session::{ApiChangeAuth, blocking};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
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
    /// Must be absent or false: streaming is not offered.
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
        pseudonymized before the model sees them and the reply is re-identified.",
    responses((status = 200, body = ChatCompletionResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn chat_completions(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    ApiJson(request): ApiJson<ChatCompletionRequest>,
) -> Result<Json<ChatCompletionResponse>, ApiError> {
    if request.stream == Some(true) {
        return Err(esculape_app::Error::Invalid(
            "stream is not offered here: leave it out or set it to false".into(),
        )
        .into());
    }
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
    let reply =
        blocking(move || app.chat_completion(auth.identity(), &messages, max_tokens, temperature))
            .await?;
    let created = esculape_app::now_s();
    Ok(Json(ChatCompletionResponse {
        id: format!(
            "chatcmpl-{}",
            esculape_app::random_token(12).unwrap_or_default()
        ),
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
    }))
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
