//! The medication engine's error type.

/// Everything that can go wrong while loading drug data. Messages name the thing and the fix.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "cannot read the ANSM interaction thesaurus ({file}): {reason}; reinstall the pack with `esculape sources update ansm-interactions`"
    )]
    Thesaurus { file: &'static str, reason: String },

    #[error(
        "cannot read the BDPM table {table}, line {line}: {reason}; reinstall the pack with `esculape sources update bdpm`"
    )]
    Bdpm {
        table: &'static str,
        line: usize,
        reason: String,
    },

    #[error(
        "cannot read the CIM-10 table, line {line}: {reason}; reinstall the pack with `esculape sources update cim10`"
    )]
    Cim10 { line: usize, reason: String },
}

/// Result with the medication engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
