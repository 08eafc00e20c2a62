//! Drug interactions in answers: when the question names two drugs or more, the
//! interaction checker's alerts are attached to the answer as they are. They come from the
//! checker alone (deterministic, from the interaction thesaurus), never from a model or the
//! passages, so nothing the answer writes can lower or hide them.

use serde::Serialize;

/// One alert of the interaction checker, as shown with the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InteractionAlert {
    /// The level's label ("Contre-indication", "Association déconseillée", …).
    pub level: String,
    /// Rank of the level, 0 for the least severe: alerts are listed most severe first.
    pub severity: u8,
    /// The two drugs as the question names them.
    pub drugs: [String; 2],
    /// The substances or classes the thesaurus matched.
    pub substances: [String; 2],
    /// What the thesaurus says (mechanism, what to do), as it words it.
    pub summary: String,
    /// The source and its version ("ANSM thesaurus 2020_01").
    pub source: String,
}

/// What the answer pipeline asks of an interaction checker (implemented by the caller over
/// `esculape-drugs`, so that this crate needs no drug data).
pub trait InteractionChecker: Send + Sync {
    /// Alerts between the `drugs` named (folded names, two or more), most severe first.
    /// A name the checker does not know is skipped and reported in `unknown`.
    fn check(&self, drugs: &[String]) -> Result<InteractionCheck, String>;
}

/// The checker's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InteractionCheck {
    pub alerts: Vec<InteractionAlert>,
    /// Names it could not resolve to a substance.
    pub unknown: Vec<String>,
}

/// The interaction part of an answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Interactions {
    /// Drug names found in the question (folded), in order.
    pub drugs_named: Vec<String>,
    /// Whether the checker ran (two drugs or more, and a checker was given).
    pub checked: bool,
    pub alerts: Vec<InteractionAlert>,
    pub unknown: Vec<String>,
}
