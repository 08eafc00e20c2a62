//! Numbers with their units, normalised so that "1 000,50 mg" and "1000.5 mg" compare
//! equal: the unit of comparison of the verifier.

use serde::Serialize;

/// A number as written in a sentence, with its normalised value and unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct NumberMention {
    /// As written ("1 000,5").
    pub written: String,
    /// Decimal point, no thousands separator, no useless zeros ("1000.5").
    pub value: String,
    /// Folded unit right after the number ("mg/kg/j", "mmhg", "%"), when there is one.
    pub unit: Option<String>,
}

/// Unit words recognised after a number (folded). The first segment of a compound unit
/// ("mg" in "mg/kg/j") is looked up here; other words after a number are not units.
const UNITS: &[&str] = &[
    "%", "g", "mg", "ug", "mcg", "ng", "kg", "l", "dl", "cl", "ml", "ul", "mol", "mmol", "umol",
    "nmol", "meq", "ui", "iu", "u", "mui", "mmhg", "cmh2o", "kpa", "mm", "cm", "m", "m2", "km",
    "h", "min", "mn", "s", "ms", "j", "jour", "jours", "day", "days", "semaine", "semaines",
    "week", "weeks", "sa", "mois", "month", "months", "an", "ans", "year", "years", "kcal", "cal",
    "bpm", "gy", "mgy", "mbq", "ua", "ppm", "°c", "c",
];

/// Every number of `text`, in order. Digits glued to letters ("HbA1c", "CO2") are part of
/// a word, not numbers; "MARKER-7731" holds the number 7731.
pub fn numbers(text: &str) -> Vec<NumberMention> {
    let characters: Vec<(usize, char)> = text.char_indices().collect();
    let mut mentions = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let (start, character) = characters[index];
        let glued = index > 0 && characters[index - 1].1.is_alphabetic();
        if !character.is_ascii_digit() || glued {
            index += 1;
            continue;
        }
        // Integer part, with thousands groups separated by a (narrow) space.
        let mut integer = String::new();
        let mut end = index;
        while end < characters.len() && characters[end].1.is_ascii_digit() {
            integer.push(characters[end].1);
            end += 1;
        }
        if integer.len() <= 3 {
            while characters
                .get(end)
                .is_some_and(|(_, space)| matches!(space, ' ' | '\u{a0}' | '\u{202f}'))
                && (1..=3).all(|offset| {
                    characters
                        .get(end + offset)
                        .is_some_and(|(_, digit)| digit.is_ascii_digit())
                })
                && !characters
                    .get(end + 4)
                    .is_some_and(|(_, next)| next.is_ascii_digit())
            {
                for offset in 1..=3 {
                    integer.push(characters[end + offset].1);
                }
                end += 4;
            }
        }
        // Decimal part after a comma or a point.
        let mut fraction = String::new();
        if end + 1 < characters.len()
            && matches!(characters[end].1, ',' | '.')
            && characters[end + 1].1.is_ascii_digit()
        {
            end += 1;
            while end < characters.len() && characters[end].1.is_ascii_digit() {
                fraction.push(characters[end].1);
                end += 1;
            }
        }
        // Glued to letters after ("3D", "5FU"): part of a word.
        if characters
            .get(end)
            .is_some_and(|(_, next)| next.is_alphabetic())
            && unit_at(&characters, end).is_none()
        {
            index = end;
            continue;
        }
        let written_end = characters
            .get(end)
            .map_or(text.len(), |(offset, _)| *offset);
        let unit = unit_at(&characters, end).or_else(|| {
            characters
                .get(end)
                .filter(|(_, space)| matches!(space, ' ' | '\u{a0}' | '\u{202f}'))
                .and_then(|_| unit_at(&characters, end + 1))
        });
        mentions.push(NumberMention {
            written: text[start..written_end].to_string(),
            value: normalise(&integer, &fraction),
            unit,
        });
        index = end;
    }
    mentions
}

/// Whether `needle` is supported by `haystack`: the same value, and the same unit when the
/// needle has one.
pub fn number_is_supported(needle: &NumberMention, haystack: &[NumberMention]) -> bool {
    haystack.iter().any(|candidate| {
        candidate.value == needle.value && (needle.unit.is_none() || candidate.unit == needle.unit)
    })
}

fn normalise(integer: &str, fraction: &str) -> String {
    let integer: String = integer.chars().filter(char::is_ascii_digit).collect();
    let integer = integer.trim_start_matches('0');
    let integer = if integer.is_empty() { "0" } else { integer };
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        integer.to_string()
    } else {
        format!("{integer}.{fraction}")
    }
}

/// The unit starting at `index`, folded, when its first segment is a known unit.
fn unit_at(characters: &[(usize, char)], index: usize) -> Option<String> {
    let mut token = String::new();
    let mut position = index;
    while let Some((_, character)) = characters.get(position) {
        if matches!(character, 'µ' | 'μ') {
            // Micro, as the sign or the Greek letter: "µg" and "ug" are the same unit.
            token.push('u');
            position += 1;
        } else if character.is_alphanumeric() || matches!(character, '/' | '%' | '°' | '²') {
            esculape_text::fold_char_into(*character, &mut token);
            position += 1;
        } else {
            break;
        }
    }
    let token = token.replace('²', "2");
    let first = token.split('/').next().unwrap_or_default();
    (!first.is_empty() && UNITS.contains(&first)).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: &[(&str, Option<&str>)]) {
        let found: Vec<(String, Option<String>)> = numbers(text)
            .into_iter()
            .map(|mention| (mention.value, mention.unit))
            .collect();
        let expect: Vec<(String, Option<String>)> = expect
            .iter()
            .map(|(value, unit)| (value.to_string(), unit.map(str::to_string)))
            .collect();
        assert_eq!(found, expect, "{text}");
    }

    #[test]
    fn decimal_comma_and_point_are_equal() {
        check("1,5 mg", &[("1.5", Some("mg"))]);
        check("1.50 mg", &[("1.5", Some("mg"))]);
    }

    #[test]
    fn thousands_separated_by_spaces() {
        check("1 000 patients", &[("1000", None)]);
        check("12\u{202f}500 UI", &[("12500", Some("ui"))]);
    }

    #[test]
    fn compound_units_and_pressures() {
        check(
            "200 mg/j et 140/90 mmHg",
            &[("200", Some("mg/j")), ("140", None), ("90", Some("mmhg"))],
        );
        check("10%", &[("10", Some("%"))]);
    }

    #[test]
    fn digits_inside_words_are_not_numbers() {
        check("HbA1c et CO2", &[]);
        check("MARKER-7731", &[("7731", None)]);
    }
}
