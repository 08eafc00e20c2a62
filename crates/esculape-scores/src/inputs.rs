//! Inputs that several calculators declare in the same way, with their plausibility limits.
//!
//! Limits are plausibility limits, not normal ranges: a value outside them is almost
//! certainly a typing or unit error (90 entered as mg/dL instead of µmol/L), so it is
//! refused rather than computed. Each limit says what it rests on.

use crate::calculator::{Choice, Input, choice, number, option};
use crate::units::{Quantity, Unit};

pub(crate) const SEXES: &[Choice] = &[option("F", "femme", "female"), option("M", "homme", "male")];

pub(crate) const SEX: Input = choice("sex", "sexe (F ou M)", "sex (F or M)", SEXES);

/// Adults only: the renal equations and the adult scores were derived in adults (≥ 18
/// years); 125 years is above the longest documented human life.
pub(crate) const AGE_ADULT: Input =
    number("age", "âge", "age", Quantity::Age, Unit::Years, 18.0, 125.0);

/// Serum creatinine, in mg/dL as the equations use it. 0.1–25 mg/dL (≈ 9–2210 µmol/L)
/// spans the lowest values measured in wasted patients to severe acute kidney failure;
/// outside it the value is a unit or typing error.
pub(crate) const CREATININE_MG_PER_DL: Input = number(
    "creatinine",
    "créatinine sérique",
    "serum creatinine",
    Quantity::Creatinine,
    Unit::MilligramPerDecilitre,
    0.1,
    25.0,
);

/// Body weight: 2–400 kg (newborn to the heaviest patients cared for in hospital).
pub(crate) const WEIGHT: Input = number(
    "weight",
    "poids",
    "weight",
    Quantity::Weight,
    Unit::Kilogram,
    2.0,
    400.0,
);

/// Height: 40–250 cm (newborn to the tallest adults).
pub(crate) const HEIGHT: Input = number(
    "height",
    "taille",
    "height",
    Quantity::Height,
    Unit::Centimetre,
    40.0,
    250.0,
);

/// Respiratory rate: 1–80 /min (the score needs a breathing patient; 80 is above any
/// adult rate recorded at the bedside).
pub(crate) const RESPIRATORY_RATE: Input = number(
    "respiratory-rate",
    "fréquence respiratoire",
    "respiratory rate",
    Quantity::RespiratoryRate,
    Unit::BreathsPerMinute,
    1.0,
    80.0,
);

/// Systolic blood pressure: 20–300 mmHg (profound shock to hypertensive crisis).
pub(crate) const SYSTOLIC: Input = number(
    "systolic",
    "pression artérielle systolique",
    "systolic blood pressure",
    Quantity::BloodPressure,
    Unit::MillimetreOfMercury,
    20.0,
    300.0,
);

/// Heart rate: 20–300 /min (extreme bradycardia to the fastest tachyarrhythmias).
pub(crate) const HEART_RATE: Input = number(
    "heart-rate",
    "fréquence cardiaque",
    "heart rate",
    Quantity::HeartRate,
    Unit::BeatsPerMinute,
    20.0,
    300.0,
);

/// INR: 0.5–20 (below 0.8 is not seen in practice; above 20 analysers stop reporting).
pub(crate) const INR: Input = number("inr", "INR", "INR", Quantity::Inr, Unit::Ratio, 0.5, 20.0);

/// Serum albumin, g/L: 5–70 g/L (severe protein loss to haemoconcentration).
pub(crate) const ALBUMIN_G_PER_L: Input = number(
    "albumin",
    "albumine sérique",
    "serum albumin",
    Quantity::Albumin,
    Unit::GramPerLitre,
    5.0,
    70.0,
);

/// Serum sodium: 100–180 mmol/L (compatible with life only briefly at either end).
pub(crate) const SODIUM: Input = number(
    "sodium",
    "natrémie",
    "serum sodium",
    Quantity::MonovalentIon,
    Unit::MillimolePerLitre,
    100.0,
    180.0,
);
