//! The local models for other software on the site (the OpenAI-compatible endpoints):
//! chat completions and embeddings, every input pseudonymized before the model sees it,
//! the reply re-identified for the caller, through the bounded model queue, audited.

use crate::app::{App, Outcome};
use crate::ask::ModelQueue;
use crate::identity::{Identity, Permission};
use crate::{Error, Result};
use esculape_llm::{
    ChatMessage, EmbedKind, Embedder, FinishReason, GenerateRequest, Generator, Role, StreamEvent,
};
use esculape_pseudo::Scope;
use std::sync::Arc;

/// Most messages in one chat request, and most characters in all of them together.
pub const MAX_CHAT_MESSAGES: usize = 64;
pub const MAX_MODEL_INPUT_CHARS: usize = 100_000;
/// Most tokens one completion may ask for.
pub const MAX_COMPLETION_TOKENS: usize = 2048;
/// Most texts in one embeddings request.
pub const MAX_EMBEDDING_INPUTS: usize = 256;

/// The models offered to site tools, each optional, sharing the answers' queue.
pub struct ModelEngine {
    pub generator: Option<Arc<dyn Generator>>,
    pub embedder: Option<Arc<dyn Embedder>>,
    pub queue: Arc<ModelQueue>,
}

impl std::fmt::Debug for ModelEngine {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ModelEngine")
            .field(
                "generator",
                &self.generator.as_ref().map(|model| model.id()),
            )
            .field("embedder", &self.embedder.as_ref().map(|model| model.id()))
            .finish_non_exhaustive()
    }
}

/// One message of a site tool's chat request, as the tool sent it (raw: it may hold
/// patient text). It becomes a model's [`ChatMessage`] only once pseudonymized.
#[derive(Clone)]
pub struct ChatInput {
    pub role: Role,
    pub content: String,
}

impl std::fmt::Debug for ChatInput {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ChatInput")
            .field("role", &self.role)
            .field("content", &"[redacted]")
            .finish()
    }
}

/// Runs `request`, restoring the text as it streams; the completion's text is the whole
/// restored reply.
fn stream_restored(
    generator: &dyn Generator,
    request: GenerateRequest,
    scope: &Scope,
    on_text: &mut dyn FnMut(&str),
) -> esculape_llm::Result<esculape_llm::Completion> {
    let mut restorer = esculape_pseudo::StreamRestorer::new(scope);
    for event in generator.generate(request)? {
        match event? {
            StreamEvent::Text(piece) => {
                let shown = restorer.push(&piece);
                if !shown.is_empty() {
                    on_text(&shown);
                }
            }
            StreamEvent::Done {
                text,
                finish_reason,
                usage,
            } => {
                let rest = restorer.finish();
                if !rest.is_empty() {
                    on_text(&rest);
                }
                return Ok(esculape_llm::Completion {
                    text: esculape_pseudo::reidentify(&text, scope),
                    finish_reason,
                    usage,
                });
            }
        }
    }
    Err(esculape_llm::Error::Inference(
        "the model stopped without finishing its answer".into(),
    ))
}

/// A completion, re-identified for the caller.
#[derive(Debug, Clone)]
pub struct ChatReply {
    pub model: String,
    pub content: String,
    pub finish_reason: FinishReason,
    pub prompt_tokens: usize,
    pub completion_tokens: usize,
}

/// Vectors of the pseudonymized inputs, in order.
#[derive(Debug, Clone)]
pub struct EmbeddingsReply {
    pub model: String,
    pub vectors: Vec<Vec<f32>>,
}

impl App {
    /// A chat completion on the local model. Every message is pseudonymized in one scope
    /// before the model sees it (a detector failure fails the request) and the reply is
    /// re-identified. [`Error::Busy`] when the model queue is full.
    pub fn chat_completion(
        &self,
        identity: &Identity,
        messages: &[ChatInput],
        max_tokens: usize,
        temperature: f32,
    ) -> Result<ChatReply> {
        self.chat_completion_streamed(identity, messages, max_tokens, temperature, &mut |_| {})
    }

    /// [`App::chat_completion`], passing the re-identified reply to `on_text` as it is
    /// generated: text is passed on once no surrogate can straddle its end
    /// ([`esculape_pseudo::StreamRestorer`]), so the pieces join into the reply's content.
    pub fn chat_completion_streamed(
        &self,
        identity: &Identity,
        messages: &[ChatInput],
        max_tokens: usize,
        temperature: f32,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<ChatReply> {
        self.require(identity, Permission::Ask, "chat.completions", "")?;
        let engine = self.model_engine()?;
        let generator = engine.generator.as_ref().ok_or_else(|| {
            Error::NotFound("no language model is served here: see llm.backend".into())
        })?;
        if messages.is_empty() || messages.len() > MAX_CHAT_MESSAGES {
            return Err(Error::Invalid(format!(
                "give 1 to {MAX_CHAT_MESSAGES} messages"
            )));
        }
        check_input_size(messages.iter().map(|message| message.content.as_str()))?;
        if max_tokens == 0 || max_tokens > MAX_COMPLETION_TOKENS {
            return Err(Error::Invalid(format!(
                "max_tokens must be 1 to {MAX_COMPLETION_TOKENS}"
            )));
        }
        if !(0.0..=2.0).contains(&temperature) {
            return Err(Error::Invalid("temperature must be between 0 and 2".into()));
        }
        let mut ticket = engine.queue.admit()?;
        let mut scope = Scope::new("openai-chat", 3600).map_err(fail_closed)?;
        let mut replaced = 0;
        let mut pseudonymized = Vec::with_capacity(messages.len());
        for message in messages {
            let value = esculape_pseudo::pseudonymize(
                &message.content,
                &mut scope,
                &self.engines.pseudonymization,
            )
            .map_err(fail_closed)?;
            replaced += value.findings().len();
            pseudonymized.push(ChatMessage {
                role: message.role,
                content: value.into(),
            });
        }
        ticket.wait_for_turn();
        let mut request = GenerateRequest::new(pseudonymized, max_tokens);
        request.sampling.temperature = temperature;
        let completion = stream_restored(generator.as_ref(), request, &scope, on_text);
        drop(ticket);
        let completion = match completion {
            Ok(completion) => completion,
            Err(error) => {
                self.audit(
                    identity.login(),
                    "chat.completions",
                    "",
                    Outcome::Failure,
                    serde_json::json!({ "model": generator.id(), "messages": messages.len() }),
                )?;
                return Err(model_error(error));
            }
        };
        self.audit(
            identity.login(),
            "chat.completions",
            "",
            Outcome::Success,
            serde_json::json!({
                "model": generator.id(),
                "messages": messages.len(),
                "identifiers_replaced": replaced,
                "max_tokens": max_tokens,
                "temperature": temperature,
                "prompt_tokens": completion.usage.prompt_tokens,
                "completion_tokens": completion.usage.completion_tokens,
            }),
        )?;
        Ok(ChatReply {
            model: generator.id().to_string(),
            content: completion.text,
            finish_reason: completion.finish_reason,
            prompt_tokens: completion.usage.prompt_tokens,
            completion_tokens: completion.usage.completion_tokens,
        })
    }

    /// Vectors of `inputs`, each pseudonymized first (so identifiers do not shape them).
    pub fn embeddings(&self, identity: &Identity, inputs: &[String]) -> Result<EmbeddingsReply> {
        self.require(identity, Permission::Ask, "embeddings", "")?;
        let engine = self.model_engine()?;
        let embedder = engine.embedder.as_ref().ok_or_else(|| {
            Error::NotFound("no embedding model is served here: see embeddings.backend".into())
        })?;
        if inputs.is_empty() || inputs.len() > MAX_EMBEDDING_INPUTS {
            return Err(Error::Invalid(format!(
                "give 1 to {MAX_EMBEDDING_INPUTS} inputs"
            )));
        }
        check_input_size(inputs.iter().map(String::as_str))?;
        let mut ticket = engine.queue.admit()?;
        let mut scope = Scope::new("openai-embeddings", 3600).map_err(fail_closed)?;
        let mut texts = Vec::with_capacity(inputs.len());
        for input in inputs {
            let value =
                esculape_pseudo::pseudonymize(input, &mut scope, &self.engines.pseudonymization)
                    .map_err(fail_closed)?;
            texts.push(value.into_value());
        }
        ticket.wait_for_turn();
        let borrowed: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = embedder.embed(&borrowed, EmbedKind::Passage);
        drop(ticket);
        let outcome = if vectors.is_ok() {
            Outcome::Success
        } else {
            Outcome::Failure
        };
        self.audit(
            identity.login(),
            "embeddings",
            "",
            outcome,
            serde_json::json!({ "model": embedder.id(), "inputs": inputs.len() }),
        )?;
        Ok(EmbeddingsReply {
            model: embedder.id().to_string(),
            vectors: vectors.map_err(model_error)?,
        })
    }

    /// The id of the chat model served to site tools, if any.
    pub fn chat_model_id(&self) -> Option<String> {
        let engine = self.engines.models.as_ref()?;
        Some(engine.generator.as_ref()?.id().to_string())
    }

    fn model_engine(&self) -> Result<&Arc<ModelEngine>> {
        self.engines.models.as_ref().ok_or_else(|| {
            Error::NotFound("the OpenAI-compatible endpoints are not enabled here".into())
        })
    }
}

fn check_input_size<'a>(texts: impl Iterator<Item = &'a str>) -> Result<()> {
    let total: usize = texts.map(|text| text.chars().count()).sum();
    if total > MAX_MODEL_INPUT_CHARS {
        return Err(Error::Invalid(format!(
            "the input is longer than {MAX_MODEL_INPUT_CHARS} characters: shorten it"
        )));
    }
    Ok(())
}

fn fail_closed(error: esculape_pseudo::Error) -> Error {
    Error::Internal(format!(
        "pseudonymization failed, so nothing was sent to the model: {error}"
    ))
}

fn model_error(error: esculape_llm::Error) -> Error {
    match error {
        esculape_llm::Error::Busy { retry_after_s, .. } => Error::Busy { retry_after_s },
        other => Error::Unavailable {
            retry_after_s: 30,
            reason: format!("the model failed: {other}"),
        },
    }
}
