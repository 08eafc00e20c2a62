//! Clinical calculators: deterministic formulas with declared inputs, unit conversion,
//! plausibility checks, interpretation bands and the publication each one comes from.
//!
//! Numbers a clinician acts on come from here, never from a language model.
//!
//! Core concepts:
//! - a [`Calculator`] declares its inputs as data ([`Input`]: id, French and English
//!   label, and a kind: a number with its unit, accepted units and plausibility range, a
//!   yes/no flag, or a choice), its [`Reference`] (authors, title, journal, year, DOI or
//!   PMID, and the pages where its numbers were checked), its interpretation [`Band`]s and
//!   one pure formula;
//! - [`Calculator::evaluate`] (or [`Calculator::evaluate_text`] for `90umol/L`-style text)
//!   refuses a missing, impossible or out-of-range value with a typed [`Error`] naming the
//!   input, the value, the valid range and the unit; converts every value into the unit the
//!   formula uses ([`Quantity::convert`], the one place units are converted); and returns an
//!   [`Outcome`]: the rounded value, its band, the reference and every input as used.
//!
//! ```
//! use esculape_scores::calculator;
//! # fn main() -> esculape_scores::Result<()> {
//! let cha2ds2_vasc = calculator("cha2ds2-vasc")?;
//! let outcome = cha2ds2_vasc.evaluate_text(&[
//!     ("age", Some("72")),
//!     ("sex", Some("F")),
//!     ("hypertension", None),
//!     ("diabetes", None),
//! ])?;
//! assert_eq!(outcome.value, 4.0);
//! assert_eq!(outcome.band.unwrap().label_en, "high risk");
//! # Ok(())
//! # }
//! ```

mod acute;
mod body;
mod calculator;
mod cardio;
mod chemistry;
mod error;
mod hepatic;
mod inputs;
mod mention;
mod renal;
mod units;

pub use calculator::{
    Band, Calculator, Choice, Given, Input, InputKind, Outcome, Reference, UsedInput, UsedValue,
    parse_given,
};
pub use error::{Error, Result};
pub use mention::calculators_named_in;
pub use units::{
    BILIRUBIN_MOLAR_MASS_G_PER_MOL, CALCIUM_MOLAR_MASS_G_PER_MOL, CENTIMETRES_PER_INCH,
    CREATININE_MOLAR_MASS_G_PER_MOL, KILOGRAMS_PER_POUND, Quantity, Unit, format_number,
    split_value_and_unit,
};

/// Every calculator, in the order `esculape score --list` prints them.
static CALCULATORS: &[&Calculator] = &[
    &renal::CKD_EPI_2021,
    &renal::COCKCROFT_GAULT,
    &renal::MDRD,
    &body::BMI,
    &body::BSA_MOSTELLER,
    &body::BSA_DU_BOIS,
    &cardio::CHA2DS2_VASC,
    &cardio::HAS_BLED,
    &cardio::HEART,
    &cardio::WELLS_PE,
    &cardio::WELLS_DVT,
    &cardio::QTC_BAZETT,
    &cardio::QTC_FRIDERICIA,
    &acute::GLASGOW,
    &acute::QSOFA,
    &acute::NEWS2,
    &acute::CURB65,
    &acute::MCISAAC,
    &hepatic::CHILD_PUGH,
    &hepatic::MELD_NA,
    &chemistry::CORRECTED_CALCIUM,
    &chemistry::ANION_GAP,
];

/// Every calculator.
pub fn calculators() -> &'static [&'static Calculator] {
    CALCULATORS
}

/// The calculator named `id` (case-insensitive), or an error pointing to the list.
pub fn calculator(id: &str) -> Result<&'static Calculator> {
    CALCULATORS
        .iter()
        .copied()
        .find(|calculator| calculator.id.eq_ignore_ascii_case(id.trim()))
        .ok_or_else(|| Error::UnknownCalculator(id.to_string()))
}
