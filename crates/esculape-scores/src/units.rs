//! Units and the one place where quantities are converted between them.
//!
//! Every numeric input belongs to a [`Quantity`]; a quantity lists the units it accepts and
//! converts any of them into the unit its formula uses. Conversion factors and the sources
//! they were checked against:
//!
//! - creatinine: molar mass 113.12 g/mol, so 1 mg/dL = 10 000 / 113.12 = 88.40 µmol/L
//!   (molar mass and the 88.4 factor checked on calculator.academy/mg-dl-to-umol-l-calculator
//!   and cal53.calculator.city/creatinine-units-calculator, which cite NIDDK);
//! - bilirubin: molar mass 584.66 g/mol, so 1 mg/dL = 17.10 µmol/L (checked on
//!   health3.app/tools/convert/1-mg-dl-to-umol-l-bilirubin; 584.67 and 17.1 on
//!   calculator.academy);
//! - calcium: atomic mass 40.08 g/mol, so 1 mmol/L = 4.008 mg/dL (calculator.academy table);
//! - albumin: 1 g/dL = 10 g/L (definition of the prefixes);
//! - weight: 1 lb = 0.453 592 37 kg exactly (international yard and pound agreement, 1959);
//!   height: 1 in = 2.54 cm exactly (same agreement), 1 m = 100 cm;
//! - sodium, chloride, bicarbonate: monovalent ions, so 1 mEq/L = 1 mmol/L;
//! - QT interval: 1 s = 1000 ms.

use serde::Serialize;
use std::fmt;

/// Creatinine molar mass (g/mol); see the module documentation for the source.
pub const CREATININE_MOLAR_MASS_G_PER_MOL: f64 = 113.12;
/// Bilirubin molar mass (g/mol); see the module documentation for the source.
pub const BILIRUBIN_MOLAR_MASS_G_PER_MOL: f64 = 584.66;
/// Calcium atomic mass (g/mol); see the module documentation for the source.
pub const CALCIUM_MOLAR_MASS_G_PER_MOL: f64 = 40.08;
/// Kilograms in one international avoirdupois pound (exact by definition).
pub const KILOGRAMS_PER_POUND: f64 = 0.453_592_37;
/// Centimetres in one inch (exact by definition).
pub const CENTIMETRES_PER_INCH: f64 = 2.54;

/// A unit of measurement an input may be given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "&'static str")]
pub enum Unit {
    Years,
    Kilogram,
    Pound,
    Centimetre,
    Metre,
    Inch,
    MicromolePerLitre,
    MilligramPerDecilitre,
    MillimolePerLitre,
    MilliequivalentPerLitre,
    GramPerLitre,
    GramPerDecilitre,
    Millisecond,
    Second,
    BeatsPerMinute,
    BreathsPerMinute,
    MillimetreOfMercury,
    Percent,
    DegreeCelsius,
    /// A ratio without unit (INR).
    Ratio,
}

impl Unit {
    /// The symbol printed after a value.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Years => "ans",
            Unit::Kilogram => "kg",
            Unit::Pound => "lb",
            Unit::Centimetre => "cm",
            Unit::Metre => "m",
            Unit::Inch => "in",
            Unit::MicromolePerLitre => "µmol/L",
            Unit::MilligramPerDecilitre => "mg/dL",
            Unit::MillimolePerLitre => "mmol/L",
            Unit::MilliequivalentPerLitre => "mEq/L",
            Unit::GramPerLitre => "g/L",
            Unit::GramPerDecilitre => "g/dL",
            Unit::Millisecond => "ms",
            Unit::Second => "s",
            Unit::BeatsPerMinute => "/min",
            Unit::BreathsPerMinute => "/min",
            Unit::MillimetreOfMercury => "mmHg",
            Unit::Percent => "%",
            Unit::DegreeCelsius => "°C",
            Unit::Ratio => "",
        }
    }

    /// The spelling to type on a command line (ASCII only).
    pub fn ascii(self) -> &'static str {
        match self {
            Unit::MicromolePerLitre => "umol/L",
            Unit::DegreeCelsius => "C",
            Unit::BeatsPerMinute | Unit::BreathsPerMinute => "/min",
            other => other.symbol(),
        }
    }

    /// Reads a unit written after a value, case-insensitively: `umol/L`, `µmol/L`,
    /// `mg/dL`, `kg`, `lb`, `lbs`, `cm`, `m`, `in`, `mmol/L`, `mEq/L`, `g/L`, `g/dL`, `ms`,
    /// `s`, `/min`, `bpm`, `mmHg`, `%`, `C`, `°C`, `y`, `ans`.
    pub fn parse(text: &str) -> Option<Unit> {
        let folded = text
            .trim()
            .replace(['µ', 'μ'], "u")
            .replace(' ', "")
            .to_lowercase();
        let unit = match folded.as_str() {
            "y" | "yr" | "years" | "an" | "ans" => Unit::Years,
            "kg" => Unit::Kilogram,
            "lb" | "lbs" => Unit::Pound,
            "cm" => Unit::Centimetre,
            "m" => Unit::Metre,
            "in" => Unit::Inch,
            "umol/l" => Unit::MicromolePerLitre,
            "mg/dl" => Unit::MilligramPerDecilitre,
            "mmol/l" => Unit::MillimolePerLitre,
            "meq/l" => Unit::MilliequivalentPerLitre,
            "g/l" => Unit::GramPerLitre,
            "g/dl" => Unit::GramPerDecilitre,
            "ms" => Unit::Millisecond,
            "s" => Unit::Second,
            "/min" | "bpm" | "min-1" => Unit::BeatsPerMinute,
            "mmhg" => Unit::MillimetreOfMercury,
            "%" => Unit::Percent,
            "c" | "°c" => Unit::DegreeCelsius,
            _ => return None,
        };
        Some(unit)
    }
}

impl From<Unit> for &'static str {
    fn from(unit: Unit) -> &'static str {
        unit.symbol()
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.symbol())
    }
}

/// What a numeric input measures; decides which units it accepts and how they convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Age,
    Weight,
    Height,
    Creatinine,
    Bilirubin,
    Calcium,
    Albumin,
    /// Sodium, chloride, bicarbonate.
    MonovalentIon,
    Urea,
    Inr,
    QtInterval,
    HeartRate,
    RespiratoryRate,
    BloodPressure,
    OxygenSaturation,
    Temperature,
}

impl Quantity {
    /// The units this quantity may be given in; the first is the French laboratory usage.
    pub const fn units(self) -> &'static [Unit] {
        match self {
            Quantity::Age => &[Unit::Years],
            Quantity::Weight => &[Unit::Kilogram, Unit::Pound],
            Quantity::Height => &[Unit::Centimetre, Unit::Metre, Unit::Inch],
            Quantity::Creatinine => &[Unit::MicromolePerLitre, Unit::MilligramPerDecilitre],
            Quantity::Bilirubin => &[Unit::MicromolePerLitre, Unit::MilligramPerDecilitre],
            Quantity::Calcium => &[Unit::MillimolePerLitre, Unit::MilligramPerDecilitre],
            Quantity::Albumin => &[Unit::GramPerLitre, Unit::GramPerDecilitre],
            Quantity::MonovalentIon => &[Unit::MillimolePerLitre, Unit::MilliequivalentPerLitre],
            Quantity::Urea => &[Unit::MillimolePerLitre],
            Quantity::Inr => &[Unit::Ratio],
            Quantity::QtInterval => &[Unit::Millisecond, Unit::Second],
            Quantity::HeartRate => &[Unit::BeatsPerMinute],
            Quantity::RespiratoryRate => &[Unit::BreathsPerMinute],
            Quantity::BloodPressure => &[Unit::MillimetreOfMercury],
            Quantity::OxygenSaturation => &[Unit::Percent],
            Quantity::Temperature => &[Unit::DegreeCelsius],
        }
    }

    /// Whether `unit` is one this quantity accepts. A rate accepts both `/min` spellings.
    pub fn accepts(self, unit: Unit) -> bool {
        self.units().contains(&unit)
            || (matches!(self, Quantity::RespiratoryRate) && unit == Unit::BeatsPerMinute)
    }

    /// Converts `value` from `from` to `to`; both must be units of this quantity.
    pub fn convert(self, value: f64, from: Unit, to: Unit) -> f64 {
        if from == to {
            return value;
        }
        self.base_to(self.to_base(value, from), to)
    }

    /// Factor that turns one `unit` into the quantity's base unit (the first of `units`).
    fn base_per(self, unit: Unit) -> f64 {
        match (self, unit) {
            (Quantity::Weight, Unit::Pound) => KILOGRAMS_PER_POUND,
            (Quantity::Height, Unit::Metre) => 100.0,
            (Quantity::Height, Unit::Inch) => CENTIMETRES_PER_INCH,
            // 1 mg/dL = 10 mg/L; divided by g/mol gives mmol/L, times 1000 gives µmol/L.
            (Quantity::Creatinine, Unit::MilligramPerDecilitre) => {
                10_000.0 / CREATININE_MOLAR_MASS_G_PER_MOL
            }
            (Quantity::Bilirubin, Unit::MilligramPerDecilitre) => {
                10_000.0 / BILIRUBIN_MOLAR_MASS_G_PER_MOL
            }
            // 1 mg/dL = 10 mg/L = 10 / 40.08 mmol/L.
            (Quantity::Calcium, Unit::MilligramPerDecilitre) => 10.0 / CALCIUM_MOLAR_MASS_G_PER_MOL,
            (Quantity::Albumin, Unit::GramPerDecilitre) => 10.0,
            (Quantity::QtInterval, Unit::Second) => 1000.0,
            _ => 1.0,
        }
    }

    fn to_base(self, value: f64, unit: Unit) -> f64 {
        value * self.base_per(unit)
    }

    fn base_to(self, value: f64, unit: Unit) -> f64 {
        value / self.base_per(unit)
    }
}

/// Splits `90umol/L`, `90 µmol/L`, `1,1mg/dL` or `72` into a number and an optional unit
/// text. A decimal comma is accepted, since French laboratories print one.
pub fn split_value_and_unit(text: &str) -> Option<(f64, Option<&str>)> {
    let text = text.trim();
    let number_end = text
        .char_indices()
        .find(|&(index, character)| {
            !(character.is_ascii_digit()
                || character == '.'
                || character == ','
                || ((character == '-' || character == '+') && index == 0))
        })
        .map_or(text.len(), |(index, _)| index);
    let number: f64 = text[..number_end].replace(',', ".").parse().ok()?;
    if !number.is_finite() {
        return None;
    }
    let unit = text[number_end..].trim();
    Some((number, (!unit.is_empty()).then_some(unit)))
}

/// Formats a number with at most `decimals` decimals and no trailing zeros.
pub fn format_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}
