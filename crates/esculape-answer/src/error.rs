//! The answer pipeline's error type.

/// Everything that stops an answer. Messages name the thing and the fix; none carries
/// question or passage text.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot pseudonymize the question, so it was not searched nor sent to a model: {0}")]
    Pseudonymization(#[from] esculape_pseudo::Error),

    #[error("cannot search the sources: {0}")]
    Retrieval(#[from] esculape_kb::Error),

    #[error("cannot embed the question and passages for the support check: {0}")]
    Embedding(#[from] esculape_llm::Error),

    #[error("cannot check the interactions between the drugs of the question: {0}")]
    Interactions(String),

    #[error("invalid answer setting `{setting}`: {reason}")]
    InvalidSetting {
        setting: &'static str,
        reason: String,
    },

    #[error("the question is empty: ask a clinical question in French, English or Spanish")]
    EmptyQuestion,
}

/// Result with the answer pipeline's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
