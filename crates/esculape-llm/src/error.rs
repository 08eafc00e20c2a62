//! The model crate's error type.

use std::path::PathBuf;

/// What can go wrong when loading or running a model, or calling a model server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot load the model from `{path}`: {reason}")]
    Model { path: PathBuf, reason: String },

    #[error("the embedding server at {url} failed: {reason}")]
    Server { url: String, reason: String },

    #[error("the embedding server at {url} is busy; retry after {retry_after_s} s")]
    Busy { url: String, retry_after_s: u64 },

    #[error("invalid embedding settings: {0}")]
    Settings(String),
}

/// Result with the model crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
