//! The model crate's error type.

use std::path::PathBuf;

/// What can go wrong when loading or running a model, or calling a model server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot load the model from `{path}`: {reason}")]
    Model { path: PathBuf, reason: String },

    #[error("the model server at {url} failed: {reason}")]
    Server { url: String, reason: String },

    /// Every slot and queue place is taken: the caller should retry later, never pile up.
    #[error("the {what} is busy; retry after {retry_after_s} s")]
    Busy { what: String, retry_after_s: u64 },

    #[error(
        "the prompt takes {prompt_tokens} tokens and {max_tokens} more are asked for, but the context holds {context_tokens}: shorten the prompt, lower max_tokens or raise llm.context_tokens"
    )]
    PromptTooLong {
        prompt_tokens: usize,
        max_tokens: usize,
        context_tokens: usize,
    },

    #[error("invalid generation request: {0}")]
    Request(String),

    #[error("the model failed while computing: {0}")]
    Inference(String),

    #[error("invalid model settings: {0}")]
    Settings(String),
}

/// Result with the model crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
