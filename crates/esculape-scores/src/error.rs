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

impl Error {
    /// The message in French, as the user interface shows it first (the `Display` text is
    /// the English one).
    pub fn message_fr(&self) -> String {
        match self {
            Error::UnknownCalculator(id) => format!(
                "calculateur inconnu « {id} » : `esculape score --list` donne la liste des calculateurs"
            ),
            Error::UnknownInput {
                calculator,
                input,
                valid,
            } => format!(
                "le calculateur « {calculator} » n'a pas d'entrée « {input} » ; ses entrées sont : {valid}"
            ),
            Error::DuplicateInput { input } => {
                format!("l'entrée « {input} » est donnée deux fois : donnez-la une seule fois")
            }
            Error::MissingInput { input, label } => {
                format!("l'entrée « {input} » ({label}) manque : donnez-la avec --{input} VALEUR")
            }
            Error::InvalidNumber { input, text } => format!(
                "entrée « {input} » : « {text} » n'est pas un nombre (écrivez par exemple 1,2 ou 1.2)"
            ),
            Error::MissingUnit {
                input,
                example,
                valid,
            } => format!(
                "l'entrée « {input} » a besoin de son unité, car plusieurs sont acceptées : écrivez par exemple « {example} » (unités acceptées : {valid})"
            ),
            Error::UnknownUnit { input, unit, valid } => format!(
                "entrée « {input} » : l'unité « {unit} » n'est pas acceptée ; utilisez l'une de : {valid}"
            ),
            Error::OutOfRange {
                input,
                value,
                unit,
                min,
                max,
            } => format!(
                "entrée « {input} » = {value} {unit} est hors de la plage admise {min}–{max} {unit} : vérifiez la valeur et son unité"
            ),
            Error::InvalidChoice { input, text, valid } => {
                format!("entrée « {input} » : « {text} » n'est pas l'un de {valid}")
            }
            Error::InvalidFlag { input, text } => format!(
                "l'entrée « {input} » est une case oui/non : donnez-la seule (--{input}) ou par oui/non, pas « {text} »"
            ),
        }
    }
}
