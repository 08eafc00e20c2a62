//! Medication safety: drug resolution over the BDPM and interaction checks against the
//! ANSM *Thésaurus des interactions médicamenteuses*, plus CIM-10 code labels.
//!
//! Numbers a clinician acts on come from this deterministic code and the cited sources,
//! never from a language model. The engines take data (JSON text, rows of fields, CSV
//! text), not files: the binary reads the installed source packs and hands them over.
//!
//! Core concepts:
//! - [`Thesaurus`]: the thesaurus's entries, one per unordered pair of terms (a substance
//!   or a class: "INHIBITEURS PUISSANTS DU CYP3A4"), and each substance's classes from the
//!   thesaurus index. Multi-level entries keep their levels with the conditions parsed from
//!   their `info` texts ([`Clause`], [`DoseBound`]).
//! - [`Thesaurus::check`]: every pair of lines of a prescription, every pair of their
//!   substances, through their classes; one [`Alert`] per pair of substances at the most
//!   severe [`Level`] that applies (CI > déconseillée > précaution d'emploi > à prendre en
//!   compte), every matching entry kept as a [`Reason`], the thesaurus version cited. A dose
//!   ([`Dose`]) selects among dose-dependent levels; without one, the highest is the
//!   default and every level is shown with its condition.
//! - [`Bdpm`]: one card per specialty (CIS) with its active substances (`SA` rows, with
//!   their `FT` therapeutic fraction), presentations (CIP), HAS opinions and generic
//!   groups; [`Bdpm::resolve`] turns drug text into specialties or a substance, or returns
//!   the candidates when the text is ambiguous.
//! - [`Cim10`]: code → label and label search.
//!
//! ```
//! use esculape_drugs::{Level, PrescriptionLine, Thesaurus};
//! let thesaurus_json = r#"[{"main_drug": "INHIBITEURS PUISSANTS DU CYP3A4",
//!   "between_main_and_plus_drug": "", "plus_drug": "SIMVASTATINE",
//!   "severity_levels": [{"level": "CONTRE-INDICATION", "info": ""}],
//!   "interaction_mechanism": "Risque majoré d'effets indésirables.", "description": ""}]"#;
//! let index_json = r#"[{"substance": "clarithromycine", "drug_classes": ["inhibiteurs puissants du CYP3A4"]},
//!   {"substance": "simvastatine", "drug_classes": []}]"#;
//! let thesaurus = Thesaurus::from_json(thesaurus_json, index_json, "example").unwrap();
//! let line = |name: &str| PrescriptionLine { label: name.into(), substances: vec![name.into()], dose: None };
//! let report = thesaurus.check(&[line("CLARITHROMYCINE"), line("SIMVASTATINE")]);
//! assert_eq!(report.alerts[0].level, Level::ContreIndication);
//! assert_eq!(report.alerts[0].reasons[0].via[0], "INHIBITEURS PUISSANTS DU CYP3A4");
//! ```

mod bdpm;
mod check;
mod cim10;
mod codes;
mod conditions;
mod error;
mod names;
mod resolve;
mod thesaurus;

pub use bdpm::{Bdpm, BdpmTables, Component, GenericGroup, HasOpinion, Presentation, Specialty};
pub use check::{
    Alert, CheckReport, LevelAssessment, PrescriptionLine, Reason, UnmatchedSubstance,
};
pub use cim10::{Cim10, Cim10Code};
pub use conditions::{Applies, Basis, Clause, Dose, DoseBound, Side};
pub use error::{Error, Result};
pub use names::{bridge_keys, name_key};
pub use resolve::{Candidate, Outcome, Resolution};
pub use thesaurus::{Entry, Level, LevelRule, Term, TermId, TermKind, Thesaurus};
