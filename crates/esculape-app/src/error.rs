//! The application's semantic error: what went wrong, in terms every transport can map.

use tracing::error;

/// What a use case can answer instead of a result. The server maps each variant to an
/// HTTP status in one exhaustive `match`; the CLI prints the message.
///
/// Messages of every variant but [`Error::Internal`] are meant for the caller and never
/// carry patient text, passwords or tokens; the `Internal` message is for the log only.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Invalid(String),
    /// A calculator's input is missing, malformed or out of range: the message exists in
    /// French ([`esculape_scores::Error::message_fr`]) and in English (`Display`).
    #[error("{0}")]
    InvalidScoreInput(esculape_scores::Error),
    #[error("{0}")]
    Conflict(String),
    #[error("{reason}; retry after {retry_after_s} s")]
    Unavailable { retry_after_s: u64, reason: String },
    /// The model queue is full: nothing was done; retry after the given delay.
    #[error("the model queue is full; retry after {retry_after_s} s")]
    Busy { retry_after_s: u64 },
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result with the application's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<esculape_store::Error> for Error {
    fn from(store_error: esculape_store::Error) -> Error {
        match store_error {
            esculape_store::Error::Conflict(message) => Error::Conflict(message),
            esculape_store::Error::NotFound(message) => Error::NotFound(message),
            esculape_store::Error::Busy => Error::Unavailable {
                retry_after_s: 2,
                reason: "the database is busy".into(),
            },
            other => Error::Internal(format!("store: {other}")),
        }
    }
}

impl From<esculape_kb::Error> for Error {
    fn from(kb_error: esculape_kb::Error) -> Error {
        match kb_error {
            esculape_kb::Error::InvalidQuery(message) => Error::Invalid(message),
            esculape_kb::Error::UnknownPack(_) | esculape_kb::Error::NotInstalled(_) => {
                Error::NotFound(kb_error.to_string())
            }
            esculape_kb::Error::Busy => Error::Unavailable {
                retry_after_s: 30,
                reason: "the sources are being updated".into(),
            },
            other => Error::Internal(format!("knowledge base: {other}")),
        }
    }
}

impl Error {
    /// Logs an internal error once, where it is handled; other variants are the caller's
    /// business and are not logged.
    pub fn log_if_internal(&self, context: &'static str) {
        if let Error::Internal(message) = self {
            error!(context, message, "internal error");
        }
    }
}
