//! The crate's error type.

/// What can go wrong while drafting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("pseudonymization failed, nothing was drafted: {0}")]
    Pseudonymization(#[from] esculape_pseudo::Error),
    #[error("unknown document type `{id}`: choose one of {known}")]
    UnknownType { id: String, known: String },
    #[error("document type file `{file}` is invalid: {reason}")]
    InvalidType { file: String, reason: String },
    #[error("cannot read document types folder `{folder}`: {reason}")]
    TypesFolder { folder: String, reason: String },
    #[error("the notes are empty: give the clinician's notes or a dictation transcript")]
    EmptyNotes,
    #[error("synthesis needs at least one non-empty document")]
    NoDocuments,
}

pub type Result<T> = std::result::Result<T, Error>;
