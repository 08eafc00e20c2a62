//! Dates in French, Spanish and English forms, birth dates, and date shifting that keeps
//! the written form.

use super::structured::window_after;
use super::words::PhraseMatcher;
use crate::label::{Finding, Label};
use crate::lexicon::lexicon;
use esculape_text::fold;
use regex::Regex;
use std::sync::LazyLock;

struct Patterns {
    /// 03/04/1956, 3.4.56, 03-04-56.
    numeric: Regex,
    /// 1956-04-03.
    iso: Regex,
    /// 04/1956.
    month_year_numeric: Regex,
    /// 3 avril 1956, 1er avril, avril 2019, 3 de abril de 1956, 3rd April 1956.
    textual: Regex,
    /// April 3, 1956.
    textual_english: Regex,
    /// A lone year after a context word ("en 2019").
    year_after_context: Regex,
    year_contexts: PhraseMatcher,
    birth_contexts: PhraseMatcher,
}

fn month_alternation() -> String {
    let mut words: Vec<&str> = lexicon()
        .month_words
        .iter()
        .map(|(word, _, _)| word.as_str())
        .collect();
    // Longest first, so "septembre" is preferred to "sept".
    words.sort_by_key(|word| std::cmp::Reverse(word.len()));
    words.join("|")
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let months = month_alternation();
    let compile = |pattern: &str| {
        regex::RegexBuilder::new(pattern)
            .dfa_size_limit(64 << 20)
            .build()
            .expect("built-in date pattern")
    };
    Patterns {
        numeric: compile(
            r"(?-u:\b)([0-9]{1,2})([/.\-|])([0-9]{1,2})([/.\-|])([0-9]{4}|[0-9]{2})(?-u:\b)",
        ),
        iso: compile(r"(?-u:\b)([0-9]{4})-([0-9]{2})-([0-9]{2})(?-u:\b)"),
        month_year_numeric: compile(r"(?-u:\b)(0?[1-9]|1[0-2])/((?:19|20)[0-9]{2})(?-u:\b)"),
        textual: compile(&format!(
            r"(?i)(?-u:\b)(?:(1er|[0-9]{{1,2}})(?:er|st|nd|rd|th)?[ \t]+(?:de[ \t]+)?)?({months})(?-u:\b)\.?(?:[ \t]+(?:de[ \t]+|del[ \t]+)?((?:1[89]|20)[0-9]{{2}}))?(?-u:\b)"
        )),
        textual_english: compile(&format!(
            r"(?i)(?-u:\b)({months})(?-u:\b)\.?[ \t]+([0-9]{{1,2}})(?:st|nd|rd|th)?,?[ \t]+((?:1[89]|20)[0-9]{{2}})(?-u:\b)"
        )),
        year_after_context: compile(r"\A[ \t]+((?:19|20)[0-9]{2})(?-u:\b)"),
        year_contexts: PhraseMatcher::new(&lexicon().year_contexts, true),
        birth_contexts: PhraseMatcher::new(&lexicon().birth_contexts, true),
    }
});

/// Appends the dates of `text` to `findings`; those announced as birth dates get
/// [`Label::BirthDate`].
pub(crate) fn detect(text: &str, findings: &mut Vec<Finding>) {
    let patterns = &*PATTERNS;
    let first = findings.len();
    for captures in patterns.numeric.captures_iter(text) {
        let whole = captures.get(0).expect("group 0");
        if captures[2] != captures[4] {
            continue;
        }
        let (Ok(day), Ok(month)) = (captures[1].parse::<u32>(), captures[3].parse::<u32>()) else {
            continue;
        };
        // Day first (French, Spanish); month first is accepted when the day cannot be one.
        let valid = ((1..=31).contains(&day) && (1..=12).contains(&month))
            || ((1..=12).contains(&day) && (13..=31).contains(&month));
        if valid {
            findings.push(Finding::new(Label::Date, whole.start(), whole.end(), 0.95));
        }
    }
    for found in patterns.iso.find_iter(text) {
        if parse_date(found.as_str()).is_some() {
            findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.95));
        }
    }
    for found in patterns.month_year_numeric.find_iter(text) {
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.8));
    }
    for captures in patterns.textual.captures_iter(text) {
        let whole = captures.get(0).expect("group 0");
        if captures.get(1).is_none() && captures.get(3).is_none() {
            continue;
        }
        let end = whole.start() + whole.as_str().trim_end_matches('.').len();
        findings.push(Finding::new(Label::Date, whole.start(), end, 0.9));
    }
    for found in patterns.textual_english.find_iter(text) {
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.9));
    }
    for (_, context_end, _) in patterns.year_contexts.find_words(text) {
        let window = window_after(text, context_end, 8);
        if let Some(captures) = patterns.year_after_context.captures(window) {
            let year = captures.get(1).expect("group 1");
            let start = context_end + year.start();
            findings.push(Finding::new(
                Label::Date,
                start,
                context_end + year.end(),
                0.6,
            ));
        }
    }
    // Birth dates: a birth phrase ending at most 30 bytes before the date, on its line.
    let birth_phrase_ends: Vec<usize> = patterns
        .birth_contexts
        .find_words(text)
        .map(|(_, end, _)| end)
        .collect();
    if birth_phrase_ends.is_empty() {
        return;
    }
    for finding in &mut findings[first..] {
        let index = birth_phrase_ends.partition_point(|&end| end <= finding.start);
        if index > 0 {
            let phrase_end = birth_phrase_ends[index - 1];
            let between = &text[phrase_end..finding.start];
            if finding.start - phrase_end <= 30 && !between.contains('\n') {
                finding.label = Label::BirthDate;
            }
        }
    }
}

/// A date as written, parsed enough to write it again shifted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDate {
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub day: Option<u32>,
    form: Form,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Form {
    Numeric {
        day_width: usize,
        month_width: usize,
        separator: char,
        year_digits: usize,
        month_first: bool,
    },
    Iso,
    MonthYearNumeric {
        month_width: usize,
    },
    Textual {
        language: &'static str,
        case: Case,
        day_first: bool,
        premier: bool,
        spanish_de: bool,
        english_comma: bool,
    },
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Capitalised,
    Upper,
}

static ANCHORED: LazyLock<[Regex; 5]> = LazyLock::new(|| {
    let months = month_alternation();
    let compile = |pattern: &str| {
        regex::RegexBuilder::new(pattern)
            .dfa_size_limit(64 << 20)
            .build()
            .expect("built-in date pattern")
    };
    [
        compile(r"\A([0-9]{1,2})([/.\-|])([0-9]{1,2})[/.\-|]([0-9]{4}|[0-9]{2})\z"),
        compile(r"\A([0-9]{4})-([0-9]{2})-([0-9]{2})\z"),
        compile(r"\A([0-9]{1,2})/([0-9]{4})\z"),
        compile(&format!(
            r"(?i)\A(?:(1er|[0-9]{{1,2}})(?:er|st|nd|rd|th)?[ \t]+(de[ \t]+)?)?({months})\.?(?:[ \t]+(?:de[ \t]+|del[ \t]+)?([0-9]{{4}}))?\z"
        )),
        compile(&format!(
            r"(?i)\A({months})\.?[ \t]+([0-9]{{1,2}})(?:st|nd|rd|th)?(,?)[ \t]+([0-9]{{4}})\z"
        )),
    ]
});

/// Parses a date found by the detector. `None` for text that is not a valid date.
pub fn parse_date(text: &str) -> Option<ParsedDate> {
    let [numeric, iso, month_year, textual, english] = &*ANCHORED;
    if let Some(captures) = numeric.captures(text) {
        let first: u32 = captures[1].parse().ok()?;
        let second: u32 = captures[3].parse().ok()?;
        let month_first = first <= 12 && second > 12;
        let (day, month) = if month_first {
            (second, first)
        } else {
            (first, second)
        };
        let year_text = &captures[4];
        let mut year: i32 = year_text.parse().ok()?;
        if year_text.len() == 2 {
            year += if year <= 30 { 2000 } else { 1900 };
        }
        let (day_width, month_width) = if month_first {
            (captures[3].len(), captures[1].len())
        } else {
            (captures[1].len(), captures[3].len())
        };
        return valid(ParsedDate {
            year: Some(year),
            month: Some(month),
            day: Some(day),
            form: Form::Numeric {
                day_width,
                month_width,
                separator: captures[2].chars().next()?,
                year_digits: year_text.len(),
                month_first,
            },
        });
    }
    if let Some(captures) = iso.captures(text) {
        return valid(ParsedDate {
            year: Some(captures[1].parse().ok()?),
            month: Some(captures[2].parse().ok()?),
            day: Some(captures[3].parse().ok()?),
            form: Form::Iso,
        });
    }
    if let Some(captures) = month_year.captures(text) {
        return valid(ParsedDate {
            year: Some(captures[2].parse().ok()?),
            month: Some(captures[1].parse().ok()?),
            day: None,
            form: Form::MonthYearNumeric {
                month_width: captures[1].len(),
            },
        });
    }
    if let Some(captures) = textual.captures(text) {
        let (month, language) = *lexicon().months.get(&fold(&captures[3]))?;
        let day = captures.get(1).map(|day| {
            if day.as_str().eq_ignore_ascii_case("1er") {
                Some(1)
            } else {
                day.as_str().parse().ok()
            }
        });
        let day = match day {
            Some(Some(day)) => Some(day),
            Some(None) => return None,
            None => None,
        };
        return valid(ParsedDate {
            year: captures.get(4).and_then(|year| year.as_str().parse().ok()),
            month: Some(month),
            day,
            form: Form::Textual {
                language,
                case: case_of(&captures[3]),
                day_first: true,
                premier: captures
                    .get(1)
                    .is_some_and(|day| day.as_str().eq_ignore_ascii_case("1er")),
                spanish_de: captures.get(2).is_some(),
                english_comma: false,
            },
        });
    }
    if let Some(captures) = english.captures(text) {
        let (month, language) = *lexicon().months.get(&fold(&captures[1]))?;
        return valid(ParsedDate {
            year: Some(captures[4].parse().ok()?),
            month: Some(month),
            day: Some(captures[2].parse().ok()?),
            form: Form::Textual {
                language,
                case: case_of(&captures[1]),
                day_first: false,
                premier: false,
                spanish_de: false,
                english_comma: !captures[3].is_empty(),
            },
        });
    }
    if text.len() == 4 && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Some(ParsedDate {
            year: Some(text.parse().ok()?),
            month: None,
            day: None,
            form: Form::Year,
        });
    }
    None
}

fn valid(date: ParsedDate) -> Option<ParsedDate> {
    let month_ok = date.month.is_none_or(|month| (1..=12).contains(&month));
    let day_ok = match (date.day, date.month) {
        (Some(day), Some(month)) => {
            day >= 1 && day <= days_in_month(date.year.unwrap_or(2000), month)
        }
        (Some(_), None) => false,
        (None, _) => true,
    };
    (month_ok && day_ok).then_some(date)
}

fn case_of(word: &str) -> Case {
    if word.chars().all(|c| !c.is_lowercase()) {
        Case::Upper
    } else if word.chars().next().is_some_and(char::is_uppercase) {
        Case::Capitalised
    } else {
        Case::Lower
    }
}

impl ParsedDate {
    /// The same date moved by `days`, written in the same form. A date without a day moves
    /// from the middle of its month; one without a year, within a leap year.
    pub fn shifted(&self, days: i64) -> String {
        let year = self.year.unwrap_or(2000);
        let month = self.month.unwrap_or(7);
        let day = self
            .day
            .unwrap_or(if self.month.is_some() { 15 } else { 1 });
        let (new_year, new_month, new_day) =
            civil_from_days(days_from_civil(year, month, day) + days);
        match &self.form {
            Form::Numeric {
                day_width,
                month_width,
                separator,
                year_digits,
                month_first,
            } => {
                let day_text = format!("{new_day:0day_width$}");
                let month_text = format!("{new_month:0month_width$}");
                let year_text = if *year_digits == 2 {
                    format!("{:02}", new_year.rem_euclid(100))
                } else {
                    format!("{new_year:04}")
                };
                if *month_first {
                    format!("{month_text}{separator}{day_text}{separator}{year_text}")
                } else {
                    format!("{day_text}{separator}{month_text}{separator}{year_text}")
                }
            }
            Form::Iso => format!("{new_year:04}-{new_month:02}-{new_day:02}"),
            Form::MonthYearNumeric { month_width } => {
                format!("{new_month:0month_width$}/{new_year:04}")
            }
            Form::Year => format!("{new_year:04}"),
            Form::Textual {
                language,
                case,
                day_first,
                premier,
                spanish_de,
                english_comma,
            } => {
                let word = month_word(language, new_month, *case);
                let day_text = if *premier && new_day == 1 {
                    "1er".to_string()
                } else {
                    new_day.to_string()
                };
                let de = if *spanish_de { "de " } else { "" };
                match (self.day.is_some(), self.year.is_some(), day_first) {
                    (true, true, true) => {
                        format!("{day_text} {de}{word} {de}{new_year}")
                    }
                    (true, false, _) => format!("{day_text} {de}{word}"),
                    (false, true, _) => format!("{word} {de}{new_year}"),
                    (false, false, _) => word,
                    (true, true, false) => {
                        let comma = if *english_comma { "," } else { "" };
                        format!("{word} {day_text}{comma} {new_year}")
                    }
                }
            }
        }
    }
}

fn month_word(language: &str, month: u32, case: Case) -> String {
    // The first (full) word of the language for this month in months.tsv.
    let word = lexicon()
        .month_words
        .iter()
        .find(|(_, number, word_language)| *number == month && *word_language == language)
        .map(|(word, _, _)| word.as_str())
        .unwrap_or("janvier");
    match case {
        Case::Lower => word.to_string(),
        Case::Upper => word.to_uppercase(),
        Case::Capitalised => {
            let mut characters = word.chars();
            characters
                .next()
                .map(|first| first.to_uppercase().chain(characters).collect())
                .unwrap_or_default()
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}
