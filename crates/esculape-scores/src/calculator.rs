//! What a calculator is (inputs, reference, bands, formula) and how it is evaluated:
//! parse and check every input, convert it to the formula's unit, compute, round, band.

use crate::error::{Error, Result};
use crate::units::{Quantity, Unit, format_number, split_value_and_unit};
use serde::Serialize;

/// One clinical calculator: declared inputs, a cited reference, interpretation bands and
/// one pure formula.
#[derive(Debug)]
pub struct Calculator {
    /// Identifier used on the command line (`cha2ds2-vasc`).
    pub id: &'static str,
    pub name_fr: &'static str,
    pub name_en: &'static str,
    /// What the result estimates, in French (for `esculape score --list`).
    pub estimates_fr: &'static str,
    pub estimates_en: &'static str,
    pub inputs: &'static [Input],
    /// Unit of the result (`mL/min/1.73 m²`, `points`, `m²`).
    pub result_unit: &'static str,
    /// Decimals the result is rounded to; bands apply to the rounded value.
    pub decimals: u8,
    /// Interpretation bands, in ascending order of `min`; empty when the reference states
    /// none.
    pub bands: &'static [Band],
    /// Where the bands come from when it is not the formula's reference.
    pub bands_source: Option<&'static str>,
    pub reference: Reference,
    /// Limits of use a clinician must know (French).
    pub caveat_fr: &'static str,
    pub(crate) compute: fn(&Values) -> Computed,
}

/// One declared input.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Input {
    pub id: &'static str,
    pub label_fr: &'static str,
    pub label_en: &'static str,
    pub kind: InputKind,
}

/// The kind of an input.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputKind {
    /// A measurement. The formula uses `unit`; `min` and `max` (inclusive, in `unit`) are
    /// plausibility limits: outside them the value is almost certainly a typing or unit
    /// error, and it is refused.
    Number {
        #[serde(skip)]
        quantity: Quantity,
        unit: Unit,
        accepted_units: &'static [Unit],
        min: f64,
        max: f64,
    },
    /// Present or absent; absent when not given.
    Flag,
    /// One of a fixed list; required.
    Choice { choices: &'static [Choice] },
}

/// One option of a choice input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Choice {
    pub id: &'static str,
    pub label_fr: &'static str,
    pub label_en: &'static str,
}

/// The publication a formula comes from, and where its numbers were checked.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Reference {
    pub authors: &'static str,
    pub title: &'static str,
    /// Journal, year, volume and pages as printed.
    pub journal: &'static str,
    pub year: u16,
    pub doi: Option<&'static str>,
    pub pmid: Option<u32>,
    /// Pages where the formula, coefficients, points and bands were checked.
    pub checked_at: &'static [&'static str],
}

/// An interpretation band: applies when the rounded value is at least `min` (the lowest
/// band has no `min`) and below the next band's `min`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    pub min: Option<f64>,
    /// The range as the reference writes it (`0–3`, `≥ 7`).
    pub range: &'static str,
    pub label_fr: &'static str,
    pub label_en: &'static str,
}

/// A value given for an input, before checking.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    Number { value: f64, unit: Option<Unit> },
    Flag(bool),
    Choice(String),
}

/// The checked inputs, in the units the formula uses, handed to a formula.
#[derive(Debug)]
pub struct Values {
    entries: Vec<(&'static str, UsedValue)>,
}

impl Values {
    fn get(&self, id: &str) -> Option<&UsedValue> {
        self.entries
            .iter()
            .find(|(input, _)| *input == id)
            .map(|(_, value)| value)
    }

    /// A numeric input, in the formula's unit. Every number is present: `evaluate` refuses
    /// a missing one before any formula runs.
    pub(crate) fn number(&self, id: &str) -> f64 {
        match self.get(id) {
            Some(UsedValue::Number { value, .. }) => *value,
            _ => unreachable!("numeric input `{id}` is checked before the formula runs"),
        }
    }

    pub(crate) fn flag(&self, id: &str) -> bool {
        matches!(self.get(id), Some(UsedValue::Flag(true)))
    }

    /// A choice input's id. Every choice is present: `evaluate` refuses a missing one.
    pub(crate) fn choice(&self, id: &str) -> &'static str {
        match self.get(id) {
            Some(UsedValue::Choice(choice)) => choice.id,
            _ => unreachable!("choice input `{id}` is checked before the formula runs"),
        }
    }
}

/// What a formula returns: the unrounded value and, when the reference defines a band by
/// something other than the total (NEWS2's single red score), that band's index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Computed {
    pub value: f64,
    pub band: Option<usize>,
}

impl Computed {
    pub fn value(value: f64) -> Computed {
        Computed { value, band: None }
    }
}

/// A result a clinician can audit: the value, its band, the reference, and every input as
/// the formula used it.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub calculator: &'static str,
    pub name_fr: &'static str,
    pub name_en: &'static str,
    /// The result rounded to `decimals`.
    pub value: f64,
    pub unit: &'static str,
    pub decimals: u8,
    pub band: Option<Band>,
    pub bands: &'static [Band],
    pub bands_source: Option<&'static str>,
    pub reference: Reference,
    pub caveat_fr: &'static str,
    pub inputs: Vec<UsedInput>,
}

impl Outcome {
    /// The value as it should be printed (`1.85`, `62`).
    pub fn value_text(&self) -> String {
        format!("{:.*}", usize::from(self.decimals), self.value)
    }

    /// The unit as a sentence writes it after the value: "points" in the singular for one
    /// point, and in French for zero too ("0 point", "1 point"; "0 points" in English).
    pub fn unit_text(&self, english: bool) -> &'static str {
        let singular = if english {
            self.value == 1.0
        } else {
            self.value.abs() < 2.0
        };
        if self.unit == "points" && singular {
            "point"
        } else {
            self.unit
        }
    }
}

/// One input as the formula used it.
#[derive(Debug, Clone, Serialize)]
pub struct UsedInput {
    pub id: &'static str,
    pub label_fr: &'static str,
    pub label_en: &'static str,
    pub value: UsedValue,
    /// What was given, when it differs from `value` (another unit).
    pub given: Option<String>,
}

/// An input's value as used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UsedValue {
    Number { value: f64, unit: Unit },
    Flag(bool),
    Choice(Choice),
}

impl UsedValue {
    /// Short French text (`1.02 mg/dL`, `oui`, `femme`).
    pub fn text_fr(&self) -> String {
        match self {
            UsedValue::Number { value, unit } => {
                let number = format_number(*value, 3);
                if unit.symbol().is_empty() {
                    number
                } else {
                    format!("{number} {unit}")
                }
            }
            UsedValue::Flag(true) => "oui".to_string(),
            UsedValue::Flag(false) => "non".to_string(),
            UsedValue::Choice(choice) => choice.label_fr.to_string(),
        }
    }
}

impl Calculator {
    /// Checks every given input, converts it, runs the formula and bands the result.
    pub fn evaluate(&self, given: &[(&str, Given)]) -> Result<Outcome> {
        for (index, (id, _)) in given.iter().enumerate() {
            let input = self.input(id)?;
            if given[..index].iter().any(|(other, _)| other == id) {
                return Err(Error::DuplicateInput { input: input.id });
            }
        }
        let mut entries = Vec::with_capacity(self.inputs.len());
        let mut used = Vec::with_capacity(self.inputs.len());
        for input in self.inputs {
            let value = given
                .iter()
                .find(|(id, _)| *id == input.id)
                .map(|(_, value)| value);
            let (used_value, given_text) = check(input, value)?;
            entries.push((input.id, used_value.clone()));
            used.push(UsedInput {
                id: input.id,
                label_fr: input.label_fr,
                label_en: input.label_en,
                value: used_value,
                given: given_text,
            });
        }
        let computed = (self.compute)(&Values { entries });
        let value = round(computed.value, self.decimals);
        let band = match computed.band {
            Some(index) => self.bands.get(index).copied(),
            None => band_for(self.bands, value),
        };
        Ok(Outcome {
            calculator: self.id,
            name_fr: self.name_fr,
            name_en: self.name_en,
            value,
            unit: self.result_unit,
            decimals: self.decimals,
            band,
            bands: self.bands,
            bands_source: self.bands_source,
            reference: self.reference,
            caveat_fr: self.caveat_fr,
            inputs: used,
        })
    }

    /// Parses textual arguments (`("creatinine", Some("90umol/L"))`, `("diabetes", None)`)
    /// against the declared inputs, then evaluates. The command line and tests use this.
    pub fn evaluate_text(&self, arguments: &[(&str, Option<&str>)]) -> Result<Outcome> {
        let mut given = Vec::with_capacity(arguments.len());
        for (id, text) in arguments {
            let input = self.input(id)?;
            given.push((input.id, parse_given(input, *text)?));
        }
        self.evaluate(&given)
    }

    /// The declared input named `id`, or an error listing the valid ones.
    pub fn input(&self, id: &str) -> Result<&'static Input> {
        self.inputs
            .iter()
            .find(|input| input.id == id)
            .ok_or_else(|| Error::UnknownInput {
                calculator: self.id,
                input: id.to_string(),
                valid: self
                    .inputs
                    .iter()
                    .map(|input| input.id)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Parses the text given for `input`: a number with or without unit, a flag (bare, or
/// yes/no/oui/non/true/false), or a choice id (case-insensitive).
pub fn parse_given(input: &Input, text: Option<&str>) -> Result<Given> {
    match input.kind {
        InputKind::Flag => match text.map(|text| text.trim().to_lowercase()).as_deref() {
            None | Some("yes" | "oui" | "true" | "1") => Ok(Given::Flag(true)),
            Some("no" | "non" | "false" | "0") => Ok(Given::Flag(false)),
            Some(other) => Err(Error::InvalidFlag {
                input: input.id,
                text: other.to_string(),
            }),
        },
        InputKind::Choice { .. } => Ok(Given::Choice(text.unwrap_or_default().to_string())),
        InputKind::Number {
            quantity,
            accepted_units,
            ..
        } => {
            let text = text.unwrap_or_default();
            let (value, unit_text) =
                split_value_and_unit(text).ok_or_else(|| Error::InvalidNumber {
                    input: input.id,
                    text: text.to_string(),
                })?;
            let unit = match unit_text {
                None => None,
                Some(unit_text) => Some(
                    Unit::parse(unit_text)
                        .filter(|unit| quantity.accepts(*unit))
                        .ok_or_else(|| Error::UnknownUnit {
                            input: input.id,
                            unit: unit_text.to_string(),
                            valid: unit_list(accepted_units),
                        })?,
                ),
            };
            Ok(Given::Number { value, unit })
        }
    }
}

fn unit_list(units: &[Unit]) -> String {
    units
        .iter()
        .map(|unit| unit.ascii())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks one input and returns its value as used, plus what was given when it differs.
fn check(input: &Input, given: Option<&Given>) -> Result<(UsedValue, Option<String>)> {
    let missing = || Error::MissingInput {
        input: input.id,
        label: input.label_fr,
    };
    match (input.kind, given) {
        (InputKind::Flag, None) => Ok((UsedValue::Flag(false), None)),
        (InputKind::Flag, Some(Given::Flag(value))) => Ok((UsedValue::Flag(*value), None)),
        (InputKind::Choice { choices }, Some(Given::Choice(text))) => choices
            .iter()
            .find(|choice| choice.id.eq_ignore_ascii_case(text.trim()))
            .map(|choice| (UsedValue::Choice(*choice), None))
            .ok_or_else(|| Error::InvalidChoice {
                input: input.id,
                text: text.clone(),
                valid: choices
                    .iter()
                    .map(|choice| format!("{} ({})", choice.id, choice.label_fr))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        (
            InputKind::Number {
                quantity,
                unit,
                accepted_units,
                min,
                max,
            },
            Some(Given::Number {
                value,
                unit: given_unit,
            }),
        ) => {
            let given_unit = match given_unit {
                Some(given_unit) => *given_unit,
                // A bare number is unambiguous when every accepted unit gives the same
                // number (mmol/L and mEq/L for a monovalent ion).
                None if accepted_units
                    .iter()
                    .all(|accepted| quantity.convert(*value, *accepted, unit) == *value) =>
                {
                    unit
                }
                None => {
                    return Err(Error::MissingUnit {
                        input: input.id,
                        example: format!(
                            "{}{}",
                            format_number(*value, 3),
                            accepted_units[0].ascii()
                        ),
                        valid: unit_list(accepted_units),
                    });
                }
            };
            let converted = quantity.convert(*value, given_unit, unit);
            // Compare in the formula's unit; report the range in the unit the user wrote.
            if !(min..=max).contains(&converted) {
                return Err(Error::OutOfRange {
                    input: input.id,
                    value: format_number(*value, 3),
                    unit: given_unit.symbol(),
                    min: format_number(quantity.convert(min, unit, given_unit), 2),
                    max: format_number(quantity.convert(max, unit, given_unit), 2),
                });
            }
            let given_text = (given_unit != unit)
                .then(|| format!("{} {}", format_number(*value, 3), given_unit.symbol()));
            Ok((
                UsedValue::Number {
                    value: converted,
                    unit,
                },
                given_text,
            ))
        }
        (_, None) => Err(missing()),
        (_, Some(_)) => Err(Error::InvalidFlag {
            input: input.id,
            text: "a value of another kind".to_string(),
        }),
    }
}

/// Rounds half away from zero to `decimals` decimals.
fn round(value: f64, decimals: u8) -> f64 {
    let factor = 10f64.powi(i32::from(decimals));
    // Adding 0.0 turns a negative zero (an empty sum) into 0.
    (value * factor).round() / factor + 0.0
}

/// The last band whose `min` the value reaches.
fn band_for(bands: &[Band], value: f64) -> Option<Band> {
    bands
        .iter()
        .rev()
        .find(|band| band.min.is_none_or(|min| value >= min))
        .copied()
}

/// Shorthand for declaring a numeric input.
pub(crate) const fn number(
    id: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
    quantity: Quantity,
    unit: Unit,
    min: f64,
    max: f64,
) -> Input {
    Input {
        id,
        label_fr,
        label_en,
        kind: InputKind::Number {
            quantity,
            unit,
            accepted_units: quantity.units(),
            min,
            max,
        },
    }
}

/// Shorthand for declaring a flag input.
pub(crate) const fn flag(
    id: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
) -> Input {
    Input {
        id,
        label_fr,
        label_en,
        kind: InputKind::Flag,
    }
}

/// Shorthand for declaring a choice input.
pub(crate) const fn choice(
    id: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
    choices: &'static [Choice],
) -> Input {
    Input {
        id,
        label_fr,
        label_en,
        kind: InputKind::Choice { choices },
    }
}

/// Shorthand for a band.
pub(crate) const fn band(
    min: Option<f64>,
    range: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
) -> Band {
    Band {
        min,
        range,
        label_fr,
        label_en,
    }
}

/// Shorthand for a choice option.
pub(crate) const fn option(
    id: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
) -> Choice {
    Choice {
        id,
        label_fr,
        label_en,
    }
}
