//! Dose conditions of multi-level thesaurus entries, parsed from their `info` texts, and
//! the doses of a prescription line they are compared with.
//!
//! The thresholds are the thesaurus's own words, never constants of this code: "doses
//! anti-inflammatoires d'acide acétylsalicylique (>=1g par prise et/ou >=3g par jour)",
//! "des doses antiagrégantes (de 50 mg à 375 mg par jour)", "méthotrexate utilisé à des
//! doses =< 20 mg/semaine". Each `- ` bullet (with the header before it) is a clause; each
//! comparison in a clause is a [`DoseBound`] on one side of the entry. A clause holds when
//! one of its lower bounds and all of its upper bounds hold ("et/ou" between two floors is
//! an alternative; a floor and a ceiling make a range). With a dose missing, a bound is
//! undecided, and undecided never hides a level.

use crate::names::name_key;
use serde::{Deserialize, Serialize};

/// The dose of one prescription line, in milligrams of its (first) active substance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Dose {
    pub per_intake_mg: Option<f64>,
    pub per_day_mg: Option<f64>,
    pub per_week_mg: Option<f64>,
}

impl Dose {
    /// Finds "75 mg/j", "3 g par jour", "500 mg par prise", "15 mg/semaine" in a line of a
    /// prescription. A bare strength ("kardegic 75 mg") is not a dose: `None`.
    pub fn parse(text: &str) -> Option<Dose> {
        let folded = collapse(&esculape_text::fold(text));
        let mut dose = Dose::default();
        for quantity in quantities(&folded) {
            let Some(basis) = quantity.basis else {
                continue;
            };
            let slot = match basis {
                Basis::Intake => &mut dose.per_intake_mg,
                Basis::Day => &mut dose.per_day_mg,
                Basis::Week => &mut dose.per_week_mg,
            };
            *slot = Some(quantity.milligrams);
        }
        (dose != Dose::default()).then_some(dose)
    }
}

/// What a dose is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Intake,
    Day,
    Week,
}

/// Which substance of an entry a bound speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Main,
    Plus,
}

/// One comparison of a clause: "≥ 1000 mg per intake of the main substance".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoseBound {
    pub side: Option<Side>,
    pub basis: Basis,
    pub lower: bool,
    pub inclusive: bool,
    pub milligrams: f64,
}

/// One condition of a level: its text and the dose bounds found in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clause {
    pub text: String,
    pub bounds: Vec<DoseBound>,
    /// The clause adds a condition that is not a dose ("et en cas d'antécédent d'ulcère
    /// gastro-duodénal"): a dose alone can only make it [`Applies::Conditional`].
    pub contextual: bool,
}

/// Words that join a non-dose condition to a dose in a clause ("… par jour) et en cas
/// d'antécédent d'ulcère", "… en l'absence d'antécédent …"); "surveillance accrue en cas
/// d'altération…" is advice, not a condition, and does not count.
const CONTEXT_MARKERS: &[&str] = &["et en cas d", "en l'absence d"];

/// Whether a condition holds for the doses of a prescription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    /// The doses given exclude it.
    No,
    /// The doses given satisfy it, and it adds a condition code cannot judge (a history):
    /// shown as an escalation, not chosen by default over a level the doses satisfy.
    Conditional,
    /// A dose it depends on is not given (or not precise enough): it may apply.
    Undecided,
    /// The condition is not about doses (an indication, a history): the clinician judges.
    NotDoseDependent,
    /// The doses given satisfy it.
    Yes,
}

/// Cuts a level's `info` into clauses and finds their dose bounds; `main_name` and
/// `plus_name` are the entry's two names, to tell which one a dose speaks of, and
/// `unnamed_side` the side a dose belongs to when the clause names neither (the side that is
/// a substance when the other is a class: "des doses antalgiques (>=500 mg par prise…)").
pub fn parse_clauses(
    info: &str,
    main_name: &str,
    plus_name: &str,
    unnamed_side: Option<Side>,
) -> Vec<Clause> {
    let main_key = name_key(main_name);
    let plus_key = name_key(plus_name);
    let mut clauses = Vec::new();
    for paragraph in paragraphs(info) {
        let mut parts = split_bullets(&paragraph);
        let header = parts.remove(0);
        if parts.is_empty() {
            clauses.push(header);
        } else {
            for bullet in parts {
                clauses.push(format!("{header} {bullet}"));
            }
        }
    }
    clauses
        .into_iter()
        .map(|text| collapse(&text))
        .filter(|text| text.chars().any(char::is_alphanumeric))
        .map(|text| {
            let folded = collapse(&esculape_text::fold(&text));
            let bounds = bounds(&folded, &main_key, &plus_key, unnamed_side);
            let contextual = CONTEXT_MARKERS.iter().any(|marker| folded.contains(marker));
            Clause {
                text,
                bounds,
                contextual,
            }
        })
        .collect()
}

impl Clause {
    /// Evaluates the clause for the doses of the entry's main and plus sides.
    pub fn applies(&self, main_dose: Option<&Dose>, plus_dose: Option<&Dose>) -> Applies {
        if self.bounds.is_empty() {
            return Applies::NotDoseDependent;
        }
        let outcome = |bound: &DoseBound| {
            let dose = match bound.side {
                Some(Side::Main) => main_dose,
                Some(Side::Plus) => plus_dose,
                None => None,
            };
            dose.map_or(Applies::Undecided, |dose| bound.check(dose))
        };
        let lowers: Vec<Applies> = self
            .bounds
            .iter()
            .filter(|b| b.lower)
            .map(outcome)
            .collect();
        let uppers = self.bounds.iter().filter(|b| !b.lower).map(outcome);
        let floor = lowers.into_iter().max().unwrap_or(Applies::Yes);
        let ceiling = uppers.min().unwrap_or(Applies::Yes);
        match floor.min(ceiling) {
            Applies::Yes if self.contextual => Applies::Conditional,
            applies => applies,
        }
    }
}

impl DoseBound {
    fn check(&self, dose: &Dose) -> Applies {
        let (low, high) = interval(dose, self.basis);
        let threshold = self.milligrams;
        let (certainly, possibly) = if self.lower {
            if self.inclusive {
                (low >= threshold, high >= threshold)
            } else {
                (low > threshold, high > threshold)
            }
        } else if self.inclusive {
            (high <= threshold, low <= threshold)
        } else {
            (high < threshold, low < threshold)
        };
        match (certainly, possibly) {
            (true, _) => Applies::Yes,
            (false, true) => Applies::Undecided,
            (false, false) => Applies::No,
        }
    }
}

/// The interval a dose allows on `basis`, from what the prescription states: an intake is
/// at most a day's dose, a day's dose at most a week's, a week holds seven days.
fn interval(dose: &Dose, basis: Basis) -> (f64, f64) {
    let exact = |value: f64| (value, value);
    match basis {
        Basis::Intake => match (dose.per_intake_mg, dose.per_day_mg, dose.per_week_mg) {
            (Some(intake), _, _) => exact(intake),
            (None, Some(day), _) => (0.0, day),
            (None, None, Some(week)) => (0.0, week),
            (None, None, None) => (0.0, f64::INFINITY),
        },
        Basis::Day => match (dose.per_day_mg, dose.per_week_mg, dose.per_intake_mg) {
            (Some(day), _, _) => exact(day),
            (None, Some(week), _) => (0.0, week),
            (None, None, Some(intake)) => (intake, f64::INFINITY),
            (None, None, None) => (0.0, f64::INFINITY),
        },
        Basis::Week => match (dose.per_week_mg, dose.per_day_mg, dose.per_intake_mg) {
            (Some(week), _, _) => exact(week),
            (None, Some(day), _) => (day, 7.0 * day),
            (None, None, Some(intake)) => (intake, f64::INFINITY),
            (None, None, None) => (0.0, f64::INFINITY),
        },
    }
}

struct Quantity {
    start: usize,
    end: usize,
    milligrams: f64,
    basis: Option<Basis>,
}

/// Masses ("1g", "375 mg", "12,5 mg") with the basis written right after them, if any.
fn quantities(folded: &str) -> Vec<Quantity> {
    let bytes = folded.as_bytes();
    let mut found = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let starts_number = bytes[index].is_ascii_digit()
            && (index == 0 || !bytes[index - 1].is_ascii_alphanumeric());
        if !starts_number {
            index += 1;
            continue;
        }
        let start = index;
        let mut end = index;
        while end < bytes.len()
            && (bytes[end].is_ascii_digit()
                || ((bytes[end] == b',' || bytes[end] == b'.')
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)))
        {
            end += 1;
        }
        let Ok(value) = folded[start..end].replace(',', ".").parse::<f64>() else {
            index = end.max(index + 1);
            continue;
        };
        let rest = folded[end..].trim_start();
        let (factor, unit_len) = if starts_with_word(rest, "mg") {
            (1.0, 2)
        } else if starts_with_word(rest, "g") {
            (1000.0, 1)
        } else {
            index = end;
            continue;
        };
        let after_unit_offset = folded.len() - rest.len() + unit_len;
        let (basis, basis_len) = basis_at(&folded[after_unit_offset..]);
        found.push(Quantity {
            start,
            end: after_unit_offset + basis_len,
            milligrams: value * factor,
            basis,
        });
        index = after_unit_offset;
    }
    found
}

fn starts_with_word(text: &str, word: &str) -> bool {
    text.starts_with(word)
        && !text[word.len()..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
}

/// "par prise", "par jour", "/jour", "/ j", "/semaine", "par semaine" at the start of `text`.
fn basis_at(text: &str) -> (Option<Basis>, usize) {
    let trimmed = text.trim_start();
    let skipped = text.len() - trimmed.len();
    let (rest, prefix_len) = if let Some(rest) = trimmed.strip_prefix("par ") {
        (rest, 4)
    } else if let Some(rest) = trimmed.strip_prefix('/') {
        let inner = rest.trim_start();
        (inner, 1 + rest.len() - inner.len())
    } else {
        return (None, 0);
    };
    for (word, basis) in [
        ("prise", Basis::Intake),
        ("jour", Basis::Day),
        ("semaine", Basis::Week),
        ("j", Basis::Day),
    ] {
        if starts_with_word(rest, word) {
            return (Some(basis), skipped + prefix_len + word.len());
        }
    }
    (None, 0)
}

/// Comparison words before a number: (lower bound, inclusive).
const OPERATORS: &[(&str, bool, bool)] = &[
    (">=", true, true),
    ("=>", true, true),
    ("≥", true, true),
    ("=<", false, true),
    ("<=", false, true),
    ("≤", false, true),
    (">", true, false),
    ("<", false, false),
    ("superieures ou egales a", true, true),
    ("superieure ou egale a", true, true),
    ("superieures a", true, false),
    ("superieure a", true, false),
    ("inferieures ou egales a", false, true),
    ("inferieure ou egale a", false, true),
    ("inferieures a", false, false),
    ("inferieure a", false, false),
];

fn bounds(
    folded: &str,
    main_key: &str,
    plus_key: &str,
    unnamed_side: Option<Side>,
) -> Vec<DoseBound> {
    let quantities = quantities(folded);
    let mut bounds = Vec::new();
    for (position, quantity) in quantities.iter().enumerate() {
        let before = folded[..quantity.start].trim_end();
        let basis = quantity.basis.or_else(|| {
            quantities[position + 1..]
                .iter()
                .find_map(|later| later.basis)
        });
        let Some(basis) = basis else {
            continue;
        };
        let operator = OPERATORS
            .iter()
            .find(|(word, _, _)| before.ends_with(word))
            .map(|&(_, lower, inclusive)| (lower, inclusive))
            .or_else(|| range_role(before, folded, quantity, &quantities[position + 1..]));
        let Some((lower, inclusive)) = operator else {
            continue;
        };
        bounds.push(DoseBound {
            side: side_of(&folded[..quantity.start], main_key, plus_key).or(unnamed_side),
            basis,
            lower,
            inclusive,
            milligrams: quantity.milligrams,
        });
    }
    bounds
}

/// "de 50 mg à 375 mg", "entre 12,5 mg et 50 mg": the first number is a floor, the second
/// a ceiling, both inclusive.
fn range_role(
    before: &str,
    folded: &str,
    quantity: &Quantity,
    later: &[Quantity],
) -> Option<(bool, bool)> {
    let next_is_joined = |joiner: &str| {
        later.first().is_some_and(|next| {
            folded[quantity.end..next.start].trim() == joiner
                || folded[quantity.end..next.start]
                    .trim()
                    .ends_with(&format!(" {joiner}"))
                    && folded[quantity.end..next.start].trim().len() <= joiner.len() + 12
        })
    };
    if (before.ends_with(" de") || before.ends_with("(de") || before == "de") && next_is_joined("a")
    {
        return Some((true, true));
    }
    if before.ends_with("entre") && next_is_joined("et") {
        return Some((true, true));
    }
    let previous_word = before.rsplit([' ', '(']).next().unwrap_or("");
    if previous_word == "a" || previous_word == "et" {
        let head = before[..before.len() - previous_word.len()].trim_end();
        // Only the second number of a "de … à …" or "entre … et …" range.
        let opened = head.rfind(" de ").max(head.rfind("entre "));
        let head_has_number = head
            .bytes()
            .rev()
            .take(16)
            .any(|byte| byte.is_ascii_digit());
        if opened.is_some() && head_has_number {
            return Some((false, true));
        }
    }
    None
}

/// The side whose name was mentioned last before a number ("Avec le méthotrexate utilisé
/// à des doses > 20 mg/semaine"), or the only side named in the clause.
fn side_of(before: &str, main_key: &str, plus_key: &str) -> Option<Side> {
    let main_at = before.rfind(main_key);
    let plus_at = before.rfind(plus_key);
    match (main_at, plus_at) {
        (Some(main), Some(plus)) => Some(if main >= plus { Side::Main } else { Side::Plus }),
        (Some(_), None) => Some(Side::Main),
        (None, Some(_)) => Some(Side::Plus),
        (None, None) => None,
    }
}

fn paragraphs(info: &str) -> Vec<String> {
    let mut paragraphs = vec![String::new()];
    for line in info.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(". ") {
            paragraphs.push(String::new());
        }
        let current = paragraphs.last_mut().expect("one paragraph at least");
        current.push_str(trimmed.strip_prefix(". ").unwrap_or(trimmed));
        current.push('\n');
    }
    paragraphs
        .into_iter()
        .filter(|paragraph| !paragraph.trim().is_empty())
        .collect()
}

fn split_bullets(paragraph: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for line in paragraph.lines() {
        if let Some(bullet) = line.strip_prefix("- ").or_else(|| line.strip_prefix('-')) {
            parts.push(bullet.to_string());
        } else {
            let current = parts.last_mut().expect("one part at least");
            current.push(' ');
            current.push_str(line);
        }
    }
    parts
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
