//! The knowledge base's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the knowledge base. Messages name the thing and the fix.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "unknown source pack `{0}`: run `esculape sources list --available` to see the built-in packs"
    )]
    UnknownPack(String),

    #[error("source pack `{0}` is not installed: run `esculape sources add {0}` first")]
    NotInstalled(String),

    #[error("cannot fetch source pack `{pack}`: {reason}")]
    Fetch { pack: String, reason: String },

    #[error(
        "source pack `{pack}` gave no usable document ({reason}); the previous version, if any, is kept"
    )]
    Empty { pack: String, reason: String },

    #[error(
        "another esculape process is updating the sources (the index writer lock is held); wait for it to finish and retry"
    )]
    Busy,

    #[error(
        "the search index at `{path}` cannot be used: {reason}; remove that folder and run `esculape sources update` to rebuild it"
    )]
    CorruptIndex { path: PathBuf, reason: String },

    #[error("invalid query: {0}")]
    InvalidQuery(String),

    #[error("embedding backend failed: {0}")]
    Embedding(String),

    #[error("cannot load the embedding model from `{path}`: {reason}")]
    Model { path: PathBuf, reason: String },

    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// Result with the knowledge base's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io_error(
    action: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io {
        action,
        path,
        source,
    }
}
