//! Pseudonymization: the trust boundary between patient text and any language model.
//!
//! Core concepts:
//! - a [`Detector`] finds identifiers ([`Finding`]: [`Label`], offsets, confidence). The
//!   default [`RuleDetector`] combines validated patterns (NIR with its key, IBAN, cards),
//!   context rules (IPP, NDA, RPPS…), dates in French, Spanish and English forms, places,
//!   and names from titles, gazetteers and layout, with eponyms excepted. Word lists live
//!   in `data/` with their source and licence;
//! - a [`Scope`] (one document or conversation) holds a secret, a date offset and the
//!   mapping: the same original always gets the same surrogate within it;
//! - [`pseudonymize`] returns a [`Pseudonymized`] value, which only this crate can build:
//!   code that sends text to a model takes that type, so raw text cannot reach it;
//!   [`reidentify`] puts the originals back into a model's answer;
//! - the [`Vault`] stores scopes encrypted (XChaCha20-Poly1305), with expiry.
//!
//! Detection is linear in the text's length; [`pseudonymize_stream`] handles inputs of any
//! size in bounded memory. Any detector error fails the request (fail closed).
//!
//! ```
//! use esculape_pseudo::{Config, Scope, pseudonymize, reidentify};
//! # fn main() -> esculape_pseudo::Result<()> {
//! let mut scope = Scope::new("consultation-1", 3600)?;
//! let note = "Mme Jeanne DUPONT, née le 03/04/1956, tél 06 12 34 56 78";
//! let pseudonymized = pseudonymize(note, &mut scope, &Config::default())?;
//! assert!(!pseudonymized.value().contains("DUPONT"));
//! assert_eq!(reidentify(pseudonymized.value(), &scope), note);
//! # Ok(())
//! # }
//! ```

mod detect;
mod error;
mod label;
mod lexicon;
mod model_text;
mod pseudonymize;
mod restore_stream;
mod scope;
mod surrogate;
mod validate;
mod vault;

pub use detect::{
    DetectionContext, Detector, ParsedDate, RuleDetector, parse_date, resolve_overlaps,
};
pub use error::{Error, Result};
pub use label::{Finding, Label};
pub use model_text::ModelText;
pub use pseudonymize::{
    CHUNK_BYTES, Config, Pseudonymized, StreamReport, detect, pseudonymize, pseudonymize_stream,
    reidentify,
};
pub use restore_stream::StreamRestorer;
pub use scope::{Mode, Scope, validate_scope_id};
pub use validate::{
    iban_check_digits, iban_is_valid, luhn_check_digit, luhn_is_valid, nir_is_valid, nir_key,
};
pub use vault::{Vault, VaultKey};
