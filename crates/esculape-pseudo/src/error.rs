//! The pseudonymization engine's error type. Messages never hold patient text.

use std::path::PathBuf;

/// Everything that can go wrong while pseudonymizing, storing a vault or restoring text.
/// Messages name the thing and the fix, and never quote the text being processed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the input is not valid UTF-8 (first bad byte at offset {byte_offset}): convert it to UTF-8 first"
    )]
    InvalidUtf8 { byte_offset: u64 },

    #[error("cannot read the input: {0}")]
    Read(std::io::Error),

    #[error("cannot write the output: {0}")]
    Write(std::io::Error),

    #[error("detector `{detector}` failed, so nothing is sent on (fail closed): {reason}")]
    Detector {
        detector: &'static str,
        reason: String,
    },

    #[error(
        "invalid pseudonymization key: {0}; give 32 random bytes as 64 hex digits or base64 (for example `openssl rand -hex 32`)"
    )]
    InvalidKey(String),

    #[error(
        "invalid scope id `{0}`: use 1 to 64 letters, digits, `-` or `_` (it names a file of the vault)"
    )]
    InvalidScopeId(String),

    #[error(
        "no vault entry for scope `{0}`: it was never saved, has expired and been purged, or the data folder changed"
    )]
    UnknownScope(String),

    #[error(
        "scope `{scope}` expired at {expired_at_unix_s} (Unix time): its mapping can no longer be used; start a new scope"
    )]
    Expired {
        scope: String,
        expired_at_unix_s: u64,
    },

    #[error(
        "the vault file `{path}` is corrupt or was tampered with, or the key changed ({reason}); it cannot be decrypted"
    )]
    CorruptVault { path: PathBuf, reason: String },

    #[error("cannot {action} `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Result with the pseudonymization engine's [`Error`].
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
