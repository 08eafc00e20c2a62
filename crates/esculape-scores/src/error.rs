//! The calculators' error type.

/// Everything that can go wrong when a calculator is asked for a result. Messages name the
/// input, what was wrong and how to fix it; they carry the offending number (a lone
/// measurement, never a name or an identifier) so that the clinician can correct it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("unknown calculator `{0}`: run `esculape score --list` to see the calculators")]
    UnknownCalculator(String),

    #[error("calculator `{calculator}` has no input `{input}`; its inputs are: {valid}")]
    UnknownInput {
        calculator: &'static str,
        input: String,
        valid: String,
    },

    #[error("input `{input}` is given twice; give it once")]
    DuplicateInput { input: &'static str },

    #[error("input `{input}` ({label}) is missing: give it with --{input} VALUE")]
    MissingInput {
        input: &'static str,
        label: &'static str,
    },

    #[error("input `{input}`: `{text}` is not a number (write a decimal point, e.g. 1.2)")]
    InvalidNumber { input: &'static str, text: String },

    #[error(
        "input `{input}` needs its unit, because it is accepted in several: write e.g. `{example}` (accepted units: {valid})"
    )]
    MissingUnit {
        input: &'static str,
        example: String,
        valid: String,
    },

    #[error("input `{input}`: unit `{unit}` is not accepted; use one of: {valid}")]
    UnknownUnit {
        input: &'static str,
        unit: String,
        valid: String,
    },

    #[error(
        "input `{input}` = {value} {unit} is outside the valid range {min}–{max} {unit}; check the value and its unit"
    )]
    OutOfRange {
        input: &'static str,
        value: String,
        unit: &'static str,
        min: String,
        max: String,
    },

    #[error("input `{input}`: `{text}` is not one of {valid}")]
    InvalidChoice {
        input: &'static str,
        text: String,
        valid: String,
    },

    #[error(
        "input `{input}` is a yes/no flag: give it bare (--{input}) or as yes/no, not `{text}`"
    )]
    InvalidFlag { input: &'static str, text: String },
}

/// Result with the calculators' [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
