//! The generation interface: chat messages in, a stream of text pieces out.

use crate::error::{Error, Result};
pub use esculape_pseudo::ModelText;

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One chat message. Its content is a [`ModelText`], which only `esculape-pseudo` builds
/// (pseudonymized text, the program's fixed instructions, or non-patient text with direct
/// identifiers masked): raw patient text cannot reach a model through this type. Its
/// `Debug` never shows the content.
///
/// Raw text does not compile:
///
/// ```compile_fail
/// let note = String::from("Mme Jeanne DUPONT, née le 03/04/1956");
/// let message = esculape_llm::ChatMessage::user(note);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: Role,
    pub content: ModelText,
}

impl std::fmt::Debug for ChatMessage {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ChatMessage")
            .field("role", &self.role)
            .field("content", &"[redacted]")
            .finish()
    }
}

impl ChatMessage {
    pub fn system(content: ModelText) -> ChatMessage {
        ChatMessage {
            role: Role::System,
            content,
        }
    }

    pub fn user(content: ModelText) -> ChatMessage {
        ChatMessage {
            role: Role::User,
            content,
        }
    }

    pub fn assistant(content: ModelText) -> ChatMessage {
        ChatMessage {
            role: Role::Assistant,
            content,
        }
    }
}

/// How the next token is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// 0 picks the most likely token every time (greedy, reproducible without a seed).
    pub temperature: f32,
    /// Nucleus sampling: keep the smallest set of tokens whose probabilities reach `top_p`
    /// (1 keeps them all).
    pub top_p: f32,
    /// Seed of the random draw, so that a sampled answer can be reproduced.
    pub seed: u32,
    /// Penalty on tokens seen in the last `repeat_last_tokens` tokens (1 turns it off).
    pub repeat_penalty: f32,
    pub repeat_last_tokens: usize,
}

impl Default for Sampling {
    fn default() -> Sampling {
        Sampling {
            temperature: 0.0,
            top_p: 1.0,
            seed: 0,
            repeat_penalty: 1.0,
            repeat_last_tokens: 64,
        }
    }
}

/// A structure the output must follow.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// A llama.cpp GBNF grammar whose start rule is `root`.
    Grammar(String),
    /// A JSON schema; the output is a JSON value that satisfies it.
    JsonSchema(serde_json::Value),
}

/// One generation.
#[derive(Debug, Clone)]
pub struct GenerateRequest {
    pub messages: Vec<ChatMessage>,
    /// Most tokens to generate.
    pub max_tokens: usize,
    pub sampling: Sampling,
    /// Generation stops before the first of these strings, which is not returned.
    pub stop: Vec<String>,
    pub constraint: Option<Constraint>,
    /// Keep generating past the model's end-of-text token, to exactly `max_tokens` tokens
    /// (benchmarks only).
    pub ignore_end_of_text: bool,
}

impl GenerateRequest {
    /// A greedy request with no stop sequence.
    pub fn new(messages: Vec<ChatMessage>, max_tokens: usize) -> GenerateRequest {
        GenerateRequest {
            messages,
            max_tokens,
            sampling: Sampling::default(),
            stop: Vec::new(),
            constraint: None,
            ignore_end_of_text: false,
        }
    }
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model ended its answer, or a stop sequence appeared.
    Stop,
    /// `max_tokens` were generated.
    Length,
}

/// Token counts and timings of one generation.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Usage {
    pub prompt_tokens: usize,
    /// Prompt tokens whose state was reused from an earlier request (shared prefix).
    pub cached_prompt_tokens: usize,
    pub completion_tokens: usize,
    /// From the request's arrival to its first text piece (queueing included).
    pub time_to_first_token_ms: f64,
    /// Time spent computing the prompt (uncached part) and generating.
    pub prompt_ms: f64,
    pub generation_ms: f64,
}

impl Usage {
    /// Prompt tokens computed per second (cached tokens excluded).
    pub fn prompt_tokens_per_s(&self) -> f64 {
        let computed = self.prompt_tokens - self.cached_prompt_tokens.min(self.prompt_tokens);
        rate(computed, self.prompt_ms)
    }

    /// Generated tokens per second, the first one (which comes with the prompt) excluded.
    pub fn generation_tokens_per_s(&self) -> f64 {
        rate(self.completion_tokens.saturating_sub(1), self.generation_ms)
    }
}

fn rate(tokens: usize, milliseconds: f64) -> f64 {
    if milliseconds > 0.0 {
        tokens as f64 * 1000.0 / milliseconds
    } else {
        0.0
    }
}

/// What a stream yields: pieces of text, then one `Done`.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    Text(String),
    Done {
        /// The whole completion, as the backend decoded it at once; equals the pieces joined.
        text: String,
        finish_reason: FinishReason,
        usage: Usage,
    },
}

/// A finished generation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Completion {
    pub text: String,
    pub finish_reason: FinishReason,
    pub usage: Usage,
}

/// Text pieces as the model produces them. Dropping the stream cancels the generation and
/// frees its slot.
pub struct TokenStream {
    events: Box<dyn Iterator<Item = Result<StreamEvent>> + Send>,
    finished: bool,
}

impl std::fmt::Debug for TokenStream {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TokenStream")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl TokenStream {
    pub fn new(events: impl Iterator<Item = Result<StreamEvent>> + Send + 'static) -> TokenStream {
        TokenStream {
            events: Box::new(events),
            finished: false,
        }
    }

    /// Reads the stream to its end.
    pub fn collect_completion(self) -> Result<Completion> {
        let mut pieces = String::new();
        for event in self {
            match event? {
                StreamEvent::Text(piece) => pieces.push_str(&piece),
                StreamEvent::Done {
                    text,
                    finish_reason,
                    usage,
                } => {
                    return Ok(Completion {
                        text,
                        finish_reason,
                        usage,
                    });
                }
            }
        }
        Err(Error::Inference(format!(
            "the stream ended without its final event after {} bytes of text",
            pieces.len()
        )))
    }
}

impl Iterator for TokenStream {
    type Item = Result<StreamEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let event = self.events.next();
        if matches!(
            event,
            None | Some(Err(_)) | Some(Ok(StreamEvent::Done { .. }))
        ) {
            self.finished = true;
        }
        event
    }
}

/// A language model, local or remote.
pub trait Generator: Send + Sync {
    /// Names the model and backend (for logs and benchmark tables).
    fn id(&self) -> &str;
    /// Tokens the model can attend to in one sequence (prompt and answer together).
    fn context_tokens(&self) -> usize;
    /// Tokens the prompt built from `messages` takes, so callers can budget the context.
    fn count_tokens(&self, messages: &[ChatMessage]) -> Result<usize>;
    /// Starts a generation; fails at once with [`Error::Busy`] when the queue is full.
    fn generate(&self, request: GenerateRequest) -> Result<TokenStream>;
    /// Generates to the end (non-streaming).
    fn complete(&self, request: GenerateRequest) -> Result<Completion> {
        self.generate(request)?.collect_completion()
    }
}
