//! Drafting and synthesis: a lettre de liaison, a compte rendu de consultation or a
//! courrier d'adressage from the clinician's notes, and a structured summary of several
//! documents about one patient. Every sentence is traceable; nothing is signed without
//! the clinician.
//!
//! Core concepts:
//! - a [`DocumentType`] is data (`data/types/*.toml`, or a site's folder): sections in
//!   order, mandatory items, French and English titles, the headings and cue words that
//!   place note sentences, and the reference of its content criteria;
//! - [`draft`] pseudonymizes every input first (fail closed), places note sentences in
//!   sections (extractive, always available), lets a model rewrite a section only from
//!   `Pseudonymized` excerpts ([`DraftMode::Generative`]), verifies every output sentence
//!   against the input spans it links to (support, numbers, drug names, with the verifier
//!   of `esculape-answer`), keeps unsupported sentences out of the sections
//!   ([`Draft::flagged`]), writes an uncovered mandatory item as "non renseigné dans les
//!   notes", reconciles the treatment lists and checks interactions (`esculape-drugs`),
//!   then re-identifies for the clinician;
//! - with several documents, every sentence links to its document and span, and
//!   [`Contradiction`]s between documents are pointed out;
//! - each [`Draft`] carries its [`AiUseRecord`]; [`patient_notice`] words the patient
//!   information notice in French and English; [`draft_markdown`], [`markdown_to_text`]
//!   and [`markdown_to_html`] render it.
//!
//! ```
//! use esculape_drafting::{DocumentTypes, DraftConfig, DraftRequest, InputDocument, Resources, draft};
//! let types = DocumentTypes::built_in();
//! let request = DraftRequest {
//!     document_type: types.get("compte-rendu-consultation").unwrap(),
//!     documents: vec![InputDocument::new("notes", "Motif : douleur thoracique depuis 2 jours.\nExamen : auscultation normale.")],
//!     medications: None,
//! };
//! let draft = draft(&request, &DraftConfig::default(), Resources::default()).unwrap();
//! assert_eq!(draft.sections[0].sentences[0].text, "douleur thoracique depuis 2 jours.");
//! assert_eq!(draft.sections[3].missing.as_deref(), Some("non renseigné dans les notes"));
//! ```

mod contradictions;
mod doctype;
mod draft;
mod error;
mod generative;
mod inputs;
mod record;
mod render;
mod select;
mod treatments;

pub use contradictions::{Contradiction, Mention};
pub use doctype::{DocumentType, DocumentTypes, SectionKind, SectionSpec};
pub use draft::{
    Draft, DraftConfig, DraftMode, DraftRequest, DraftSection, DraftSentence, DraftTimings,
    FlaggedSentence, MISSING_FR, MedicationLists, Origin, Resources, SourceDocument, SubstancesOf,
    TreatmentChange, draft,
};
pub use error::{Error, Result};
pub use inputs::{InputDocument, Span};
pub use record::{AiStep, AiUseRecord, DraftSettings, Validation, patient_notice};
pub use render::{change_reasons, draft_markdown, markdown_to_html, markdown_to_text};
pub use select::sections_with_cues;
pub use treatments::ChangeKind;
