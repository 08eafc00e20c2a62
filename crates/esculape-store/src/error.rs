//! The store's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the store. Messages name the thing and the fix; they
/// never carry a password, a token or a record's details.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open the database `{path}`: {source}; check the folder exists and is writable")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error(
        "the database was written by a newer Esculape (schema {found}, this build knows {known}): upgrade Esculape"
    )]
    NewerSchema { found: i64, known: i64 },

    #[error("cannot apply database migration {version}: {source}")]
    Migration {
        version: usize,
        source: rusqlite::Error,
    },

    #[error("{0}")]
    Conflict(String),

    #[error("{0}")]
    NotFound(String),

    #[error("the audit trail refused the change: {0}")]
    AppendOnly(String),

    #[error("the database is busy with another writer; retry in a moment")]
    Busy,

    #[error("{0}")]
    Sealing(String),

    #[error("database error: {0}")]
    Database(rusqlite::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(sqlite_error: rusqlite::Error) -> Error {
        match sqlite_error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Busy
            }
            _ => Error::Database(sqlite_error),
        }
    }
}

/// Result with the store's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
