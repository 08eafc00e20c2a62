//! Dates in French, Spanish and English forms, birth dates, and date shifting that keeps
//! the written form.

use super::context_phrases::{ContextList, ContextPhrases};
use super::line_hits::LineHits;
use super::structured::window_after;
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
    /// 23022018: eight digits that make a valid day, month and year.
    compact: Regex,
    /// 211017 after "le", "du", "depuis le": six digits, day, month, two-digit year.
    compact_short_after_context: Regex,
    /// 05nov, 01sep2018, dec1993: day, month word and year glued.
    glued: Regex,
    /// A year standing alone in prose ("- 1981 hystérectomie", "(2021)").
    bare_year: Regex,
    /// "vingt quatre août deux mille dix-sept", "Jeudi dix-sept Octobre deux mille dix huit".
    words: Regex,
    /// "vingt-six 02 2012": a day in words, a numeric month and year.
    words_numeric_month: Regex,
    /// The start of a range that ends at a date: "du 18 au", "les 18 et", "08-", "mai à".
    range_start: Regex,
    /// "deux mille dix sept": a year in words alone.
    year_in_words: Regex,
    /// 2021/12/10: year, month, day with slashes.
    year_first: Regex,
    /// "20 12 2003", "en 07 2002": numeric dates with spaces.
    spaced_numeric: Regex,
    /// "fin septembre", "début 2020": a part of a month or year.
    part_of_period: Regex,
    /// "(2013 janvier)": year before month.
    year_month: Regex,
    /// "(27 ans)" right after a date: the date is a birth date.
    age_after: Regex,
    /// "| M | " right before a date: a patient row's sex column, then the birth date.
    sex_column_before: Regex,
}

/// A run of French number words ("dix-sept", "mille neuf cent soixante dix huit").
const NUMBER_WORDS: &str = r"(?:z[ée]ro|une?|premier|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|mille|mil)s{0,2}(?:(?:[ \t]+|-)(?:et|z[ée]ro|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|mille|mil)s{0,2})*(?-u:\b)";

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
            r"(?-u:\b)([0-9]{1,2}) ?([/.\-|]) ?([0-9]{1,2}) ?([/.\-|]) ?([0-9]{4}|[0-9]{2})",
        ),
        iso: compile(r"(?-u:\b)([0-9]{4})-([0-9]{2})-([0-9]{2})(?-u:\b)"),
        month_year_numeric: compile(r"(?-u:\b)(0?[1-9]|1[0-2])/((?:19|20)[0-9]{2})(?-u:\b)"),
        textual: compile(&format!(
            r"(?i)(?-u:\b)(?:(1er|[0-9]{{1,2}})(?:er|st|nd|rd|th)?(?:,?[ \t]+|-)(?:de[ \t]+)?)?({months})(?-u:\b)\.?(?:(?:,?[ \t]+|-)(?:de[ \t]+|del[ \t]+)?((?:1[89]|20)[0-9]{{2}}|[0-9]{{2}}))?(?-u:\b)"
        )),
        textual_english: compile(&format!(
            r"(?i)(?-u:\b)({months})(?-u:\b)\.?[ \t]+([0-9]{{1,2}})(?:st|nd|rd|th)?(?:,[ \t]*|[ \t]+)((?:1[89]|20)[0-9]{{2}})(?-u:\b)"
        )),
        year_after_context: compile(r"\A[ \t]+((?:19|20)[0-9]{2})(?-u:\b)"),
        compact: compile(
            r"(?-u:\b)(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])((?:19|20)[0-9]{2})(?-u:\b)",
        ),
        compact_short_after_context: compile(
            r"(?i)(?-u:\b)(?:le|du|au|depuis le|depuis)[ \t]+((0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{2})(?-u:\b)",
        ),
        glued: compile(&format!(
            r"(?i)(?-u:\b)(?:([0-9]{{1,2}})({months})((?:19|20)[0-9]{{2}})?|({months})((?:19|20)[0-9]{{2}}))(?-u:\b)"
        )),
        bare_year: compile(r"(?-u:\b)(?:19[0-9]{2}|20[0-4][0-9])(?-u:\b)"),
        words: compile(&format!(
            r"(?i)(?-u:\b)(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)[ \t]+)?(?:({number})[ \t]+)?({months})(?-u:\b)(?:[ \t]+({number}|[0-9]{{4}}|[0-9]{{2}}))?(?-u:\b)",
            number = NUMBER_WORDS,
        )),
        words_numeric_month: compile(&format!(
            r"(?i)(?-u:\b)({number})[ \t]+(0?[1-9]|1[0-2])[ \t]+((?:19|20)[0-9]{{2}})(?-u:\b)",
            number = NUMBER_WORDS,
        )),
        range_start: compile(&format!(
            r"(?i)(?:(?-u:\b)(?:du|les|le|entre|des|de)[ \t]+([0-9]{{1,2}})(?:[ \t]+(?:au|à|et)[ \t]+|[ \t]*-[ \t]*)|(?-u:\b)([0-9]{{1,2}})-|(?-u:\b)({months})\.?(?:[ \t]+(?:au|à|et)[ \t]+|-))\z"
        )),
        year_in_words: compile(&format!(
            r"(?i)(?-u:\b)(?:deux[ \t-]+milles?|mille[ \t-]+neuf[ \t-]+cents?|dix[ \t-]+neuf[ \t-]+cents?)(?:(?:[ \t]+|-){number})?",
            number = NUMBER_WORDS,
        )),
        year_first: compile(
            r"(?-u:\b)((?:19|20)[0-9]{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12][0-9]|3[01])(?-u:\b)",
        ),
        spaced_numeric: compile(
            r"(?i)(?-u:\b)(?:(0?[1-9]|[12][0-9]|3[01]) (0[1-9]|1[0-2]) ((?:19|20)[0-9]{2})|(?:en|depuis|du|le|de)[ \t]+((0[1-9]|1[0-2]) (?:19|20)[0-9]{2}))(?-u:\b)",
        ),
        part_of_period: compile(&format!(
            r"(?i)(?-u:\b)(?:fin|début|debut|courant)[ \t]+(?:({months})(?-u:\b)(?:[ \t]+(?:19|20)[0-9]{{2}}(?-u:\b))?|(?:19|20)[0-9]{{2}}(?-u:\b))"
        )),
        year_month: compile(&format!(
            r"(?i)(?-u:\b)(?:19|20)[0-9]{{2}}[ \t]+({months})(?-u:\b)"
        )),
        age_after: compile(r"\A[ \t,]*\([ \t]*[0-9]{1,3}[ \t]*ans?[ \t]*\)"),
        sex_column_before: compile(r"\|[ \t]*[MFH][ \t]*\|[ \t]*\z"),
    }
});

/// The patterns searched only in the lines where [`LineHits`] finds them: those that
/// match in few lines. None matches across a line break or matches the empty string.
pub(crate) fn line_patterns() -> Vec<&'static Regex> {
    let patterns = &*PATTERNS;
    vec![
        &patterns.iso,
        &patterns.textual,
        &patterns.textual_english,
        &patterns.compact,
        &patterns.compact_short_after_context,
        &patterns.glued,
        &patterns.words,
        &patterns.words_numeric_month,
        &patterns.year_in_words,
        &patterns.year_first,
        &patterns.spaced_numeric,
        &patterns.part_of_period,
        &patterns.year_month,
    ]
}

/// Appends the dates of `text` to `findings`; those announced as birth dates get
/// [`Label::BirthDate`].
pub(crate) fn detect(
    text: &str,
    lines: &LineHits<'_>,
    contexts: &ContextPhrases,
    findings: &mut Vec<Finding>,
) {
    let patterns = &*PATTERNS;
    let first = findings.len();
    let mut from = 0;
    while let Some(captures) = patterns.numeric.captures_at(text, from) {
        let whole = captures.get(0).expect("group 0");
        // A rejected match may hide a date that starts inside it ("08-09/08/07").
        from = whole.start() + 1;
        // "12/12/2012RAPPORT" is a date glued to a heading; "12/12/20123" is not a date.
        let slash_or_bar = |separator: &str| matches!(separator, "/" | "|");
        let same_separator = captures[2] == captures[4]
            || (slash_or_bar(&captures[2]) && slash_or_bar(&captures[4]));
        if !same_separator || text[whole.end()..].starts_with(|c: char| c.is_ascii_digit()) {
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
            from = whole.end();
        }
    }
    for found in lines.find_iter(&patterns.iso) {
        if parse_date(found.as_str()).is_some() {
            findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.95));
        }
    }
    for found in patterns.month_year_numeric.find_iter(text) {
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.8));
    }
    for captures in lines.captures_iter(&patterns.textual) {
        let whole = captures.get(0).expect("group 0");
        if captures.get(1).is_none() && captures.get(3).is_none() {
            continue;
        }
        let end = whole.start() + whole.as_str().trim_end_matches('.').len();
        findings.push(Finding::new(Label::Date, whole.start(), end, 0.9));
    }
    for found in lines.find_iter(&patterns.textual_english) {
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.9));
    }
    for captures in lines.captures_iter(&patterns.compact) {
        let whole = captures.get(0).expect("group 0");
        if parse_compact(whole.as_str()).is_some() {
            findings.push(Finding::new(Label::Date, whole.start(), whole.end(), 0.7));
        }
    }
    for captures in lines.captures_iter(&patterns.compact_short_after_context) {
        let date = captures.get(1).expect("group 1");
        findings.push(Finding::new(Label::Date, date.start(), date.end(), 0.6));
    }
    detect_day_month(text, findings);
    for captures in lines.captures_iter(&patterns.glued) {
        let whole = captures.get(0).expect("group 0");
        let day_ok = captures.get(1).is_none_or(|day| {
            day.as_str()
                .parse::<u32>()
                .is_ok_and(|day| (1..=31).contains(&day))
        });
        if day_ok {
            findings.push(Finding::new(Label::Date, whole.start(), whole.end(), 0.7));
        }
    }
    detect_bare_years(text, findings);
    for captures in lines.captures_iter(&patterns.words) {
        let whole = captures.get(0).expect("group 0");
        if parse_word_date(whole.as_str()).is_some() {
            findings.push(Finding::new(Label::Date, whole.start(), whole.end(), 0.85));
        }
    }
    for captures in lines.captures_iter(&patterns.words_numeric_month) {
        let whole = captures.get(0).expect("group 0");
        let day = super::number_words::words_value(&captures[1]);
        if day.is_some_and(|day| (1..=31).contains(&day)) {
            findings.push(Finding::new(Label::Date, whole.start(), whole.end(), 0.8));
        }
    }
    for found in lines.find_iter(&patterns.year_in_words) {
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.7));
    }
    for found in lines.find_iter(&patterns.year_first) {
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.9));
    }
    for captures in lines.captures_iter(&patterns.spaced_numeric) {
        let date = captures.get(4).or(captures.get(0)).expect("group 0");
        if let (Some(day), Some(month), Some(year)) =
            (captures.get(1), captures.get(2), captures.get(3))
        {
            let (Ok(day), Ok(month), Ok(year)) = (
                day.as_str().parse::<u32>(),
                month.as_str().parse::<u32>(),
                year.as_str().parse::<i32>(),
            ) else {
                continue;
            };
            if day > days_in_month(year, month) {
                continue;
            }
        }
        findings.push(Finding::new(Label::Date, date.start(), date.end(), 0.6));
    }
    for found in lines.find_iter(&patterns.part_of_period) {
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.6));
    }
    for found in lines.find_iter(&patterns.year_month) {
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.7));
    }
    let starts = range_starts(text, &findings[first..]);
    findings.extend(starts);
    // Layout cues of birth dates: "22/01/1965 (27 ans)", "| M | 22/02/1962".
    for finding in &mut findings[first..] {
        let before = &text[floor_boundary(text, finding.start.saturating_sub(12))..finding.start];
        if patterns.age_after.is_match(&text[finding.end..])
            || patterns.sex_column_before.is_match(before)
        {
            finding.label = Label::BirthDate;
        }
    }
    for (_, context_end, _) in contexts.find_words(ContextList::Year) {
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
    let birth_phrase_ends: Vec<usize> = contexts
        .find_words(ContextList::Birth)
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

/// dd/mm and dd.mm without a year: two digits each ("16/09", "28.09"), or one after a
/// date word or a numbered session ("le 3/9", "C3 2/8"); never a decimal or a fraction
/// followed by a unit ("2.5 mg", "3/4 cp").
fn detect_day_month(text: &str, findings: &mut Vec<Finding>) {
    for found in day_month_candidates(text) {
        let (day, month) = (&text[found.day.clone()], &text[found.month.clone()]);
        let (Ok(day_value), Ok(month_value)) = (day.parse::<u32>(), month.parse::<u32>()) else {
            continue;
        };
        if !(1..=31).contains(&day_value) || !(1..=12).contains(&month_value) {
            continue;
        }
        let two_digits = day.len() == 2 && month.len() == 2;
        if !(two_digits || (found.announced && found.separator == b'/')) {
            continue;
        }
        // Part of a longer number or date ("1.25", "12/08/2020", "10/10/10").
        let before = text[..found.day.start].bytes().next_back();
        let after = &text.as_bytes()[found.month.end..];
        if before
            .is_some_and(|byte| byte.is_ascii_digit() || matches!(byte, b'/' | b'.' | b',' | b'-'))
            || after.first().is_some_and(|&byte| {
                matches!(byte, b'/' | b'.' | b',' | b'-')
                    && after.get(1).is_some_and(u8::is_ascii_digit)
            })
        {
            continue;
        }
        if followed_by_unit(&text[found.month.end..]) {
            continue;
        }
        findings.push(Finding::new(
            Label::Date,
            found.day.start,
            found.month.end,
            0.6,
        ));
    }
}

/// A day and a month as [`day_month_candidates`] finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DayMonth {
    /// Whether a date word or a session number comes before ("le 3/9", "C3 2/8").
    announced: bool,
    day: std::ops::Range<usize>,
    separator: u8,
    month: std::ops::Range<usize>,
}

/// Every match, leftmost first and without overlaps, of the pattern
/// `(?i)(?:\b(?:le|du|au|les|et|depuis|[CSDJ][0-9]{1,2})[ \t]+)?\b([0-9]{1,2}) ?([/.]) ?([0-9]{1,2})\b`
/// with ASCII word boundaries (and ASCII case folding), scanned by hand: the pattern
/// matches in almost every line (every decimal number), and a regular expression with
/// captures costs several times this scan.
fn day_month_candidates(text: &str) -> Vec<DayMonth> {
    let bytes = text.as_bytes();
    let is_word = |at: usize| bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_';
    let digits_from = |start: usize| {
        bytes[start..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count()
    };
    let mut found = Vec::new();
    // Where the next match may start: matches do not overlap.
    let mut resume = 0;
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() || (at > 0 && is_word(at - 1)) {
            at += 1;
            continue;
        }
        let day_length = digits_from(at);
        let day = at..at + day_length;
        at += day_length;
        if day_length > 2 {
            continue;
        }
        let mut next = day.end;
        if bytes.get(next) == Some(&b' ') && matches!(bytes.get(next + 1), Some(b'/' | b'.')) {
            next += 1;
        }
        let Some(&separator) = bytes.get(next).filter(|byte| matches!(byte, b'/' | b'.')) else {
            continue;
        };
        next += 1;
        if bytes.get(next) == Some(&b' ') && bytes.get(next + 1).is_some_and(u8::is_ascii_digit) {
            next += 1;
        }
        let month_length = digits_from(next);
        let month = next..next + month_length;
        if !(1..=2).contains(&month_length) || (month.end < bytes.len() && is_word(month.end)) {
            continue;
        }
        let announced = announced_at(bytes, day.start, resume);
        found.push(DayMonth {
            announced,
            day,
            separator,
            month: month.clone(),
        });
        resume = month.end;
        at = month.end;
    }
    found
}

/// Whether a date word or a session number ("le", "depuis", "C3"), starting at `resume` or
/// after it at a word boundary, then blanks, comes just before the digit at `day`.
fn announced_at(bytes: &[u8], day: usize, resume: usize) -> bool {
    let mut end = day;
    while end > resume && matches!(bytes[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    if end == day {
        return false;
    }
    let mut start = end;
    while start > resume && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        start -= 1;
    }
    let boundary =
        start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
    if !boundary || start == end {
        return false;
    }
    let word = &bytes[start..end];
    let session = word.len() >= 2
        && word.len() <= 3
        && matches!(word[0].to_ascii_uppercase(), b'C' | b'S' | b'D' | b'J')
        && word[1..].iter().all(u8::is_ascii_digit);
    session
        || ["le", "du", "au", "les", "et", "depuis"]
            .iter()
            .any(|phrase| word.eq_ignore_ascii_case(phrase.as_bytes()))
}

/// Whether a quantity's unit follows ("mg", "ml", "%", "cp", "mmHg").
fn followed_by_unit(after: &str) -> bool {
    let after = after.trim_start_matches([' ', '\t']);
    if after.starts_with(['%', '€', '$', '°']) {
        return true;
    }
    let word: String = after
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '/')
        .collect::<String>()
        .to_lowercase();
    const UNITS: [&str; 24] = [
        "mg", "g", "kg", "µg", "mcg", "ml", "l", "dl", "cl", "ui", "mmhg", "mmol", "mol", "cp",
        "cps", "gel", "gtt", "mm", "cm", "m", "h", "min", "sa", "ans",
    ];
    let word = word.split('/').next().unwrap_or_default();
    UNITS.contains(&word)
}

/// A year between 1900 and 2049 written alone, as clinical histories do ("- 1981
/// hystérectomie", "(2021)", "de 1995"); not a quantity ("2000 mg"), a code ("n°2013-1066")
/// or part of a longer number.
fn detect_bare_years(text: &str, findings: &mut Vec<Finding>) {
    for found in PATTERNS.bare_year.find_iter(text) {
        let before = &text[..found.start()];
        let after = &text[found.end()..];
        let previous = before.chars().next_back();
        let after_year_dash = previous == Some('-')
            && before.len() >= 5
            && before.as_bytes()[before.len() - 5..before.len() - 1]
                .iter()
                .all(u8::is_ascii_digit);
        if !after_year_dash
            && previous.is_some_and(|c| {
                c.is_alphanumeric() || matches!(c, '°' | '/' | '.' | ',' | '-' | '+' | '#' | '_')
            })
        {
            continue;
        }
        let mut next = after.chars();
        let following = next.next();
        if matches!(following, Some('.' | ',' | '/' | ':' | '-'))
            && next.next().is_some_and(|c| c.is_ascii_digit())
        {
            // "1973-1978" is a range of years; "2013-1066" a reference.
            let rest = after[1..].trim_start();
            let is_range = following == Some('-')
                && rest.len() >= 4
                && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                && rest[..4]
                    .parse::<u32>()
                    .is_ok_and(|year| (1900..2050).contains(&year));
            if !is_range {
                continue;
            }
        }
        if following.is_some_and(|c| c.is_alphanumeric()) || followed_by_unit(after) {
            continue;
        }
        findings.push(Finding::new(Label::Date, found.start(), found.end(), 0.5));
    }
}

/// The start of a range that ends at a date, found as a date of its own: "du 18 au
/// 29/03/2020", "les 18 et 19/01/2018", "08-09/08/07", "de mai à juin 2029": the first day
/// or month is as identifying as the last.
fn range_starts(text: &str, findings: &[Finding]) -> Vec<Finding> {
    let mut starts = Vec::new();
    for finding in findings {
        let window_start = floor_boundary(text, finding.start.saturating_sub(24));
        let window = &text[window_start..finding.start];
        let Some(captures) = PATTERNS.range_start.captures(window) else {
            continue;
        };
        let starts_with_day = text[finding.start..].starts_with(|c: char| c.is_ascii_digit());
        if let Some(day) = captures.get(1).or(captures.get(2)) {
            if starts_with_day
                && day
                    .as_str()
                    .parse::<u32>()
                    .is_ok_and(|day| (1..=31).contains(&day))
            {
                starts.push(Finding::new(
                    Label::Date,
                    window_start + day.start(),
                    window_start + day.end(),
                    0.6,
                ));
            }
        } else if let Some(month) = captures.get(3) {
            starts.push(Finding::new(
                Label::Date,
                window_start + month.start(),
                window_start + month.end(),
                0.6,
            ));
        }
    }
    starts
}

fn floor_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Eight digits: day, month, four-digit year (23022018).
fn parse_compact(text: &str) -> Option<(i32, u32, u32)> {
    if text.len() != 8 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let day: u32 = text[..2].parse().ok()?;
    let month: u32 = text[2..4].parse().ok()?;
    let year: i32 = text[4..].parse().ok()?;
    ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
        .then_some((year, month, day))
}

/// A date written in French words, or with the day in words: "vingt quatre aout deux mille
/// dix-sept", "Jeudi dix-sept Octobre deux mille dix huit", "le deux janvier".
fn parse_word_date(text: &str) -> Option<ParsedDate> {
    let captures = PATTERNS.words.captures(text)?;
    if captures.get(0)?.as_str().len() != text.len() {
        return None;
    }
    let (month, _) = *lexicon()
        .months
        .get(&fold(captures[2].trim_end_matches('.')))?;
    let day = match captures.get(1) {
        Some(day) => Some(super::number_words::words_value(day.as_str())?),
        None => None,
    };
    let year = match captures.get(3) {
        Some(year) if year.as_str().bytes().all(|byte| byte.is_ascii_digit()) => {
            let value: i32 = year.as_str().parse().ok()?;
            Some(if year.as_str().len() == 2 {
                2000 + value
            } else {
                value
            })
        }
        Some(year) => Some(super::number_words::words_value(year.as_str())? as i32),
        None => None,
    };
    // Digits alone are the other patterns' business; a lone month is no date.
    let has_words = captures.get(1).is_some()
        || captures
            .get(3)
            .is_some_and(|year| !year.as_str().bytes().all(|byte| byte.is_ascii_digit()));
    // "vingt sept" is twenty-seven, not the 20th of September.
    let ambiguous_month = fold(&captures[2]) == "sept" && year.is_none();
    if !has_words
        || ambiguous_month
        || day.is_some_and(|day| !(1..=31).contains(&day))
        || year.is_some_and(|year| !(1000..=2100).contains(&year))
    {
        return None;
    }
    valid(ParsedDate {
        year,
        month: Some(month),
        day,
        form: Form::Textual {
            language: "fr",
            case: case_of(&captures[2]),
            day_first: true,
            premier: false,
            spanish_de: false,
            english_comma: false,
        },
    })
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
    /// 23022018.
    Compact,
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
    if let Some((year, month, day)) = parse_compact(text) {
        return Some(ParsedDate {
            year: Some(year),
            month: Some(month),
            day: Some(day),
            form: Form::Compact,
        });
    }
    if let Some(date) = parse_word_date(text) {
        return Some(date);
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
            Form::Compact => format!("{new_day:02}{new_month:02}{new_year:04}"),
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

#[cfg(test)]
mod tests {
    use super::{DayMonth, day_month_candidates};

    /// The pattern the scanner stands for, with ASCII case folding as the scanner has it.
    fn by_pattern(text: &str) -> Vec<DayMonth> {
        let pattern = regex::Regex::new(
            r"(?i-u:(?:\b(?:le|du|au|les|et|depuis|[CSDJ][0-9]{1,2})[ \t]+)?\b([0-9]{1,2}) ?([/.]) ?([0-9]{1,2})\b)",
        )
        .expect("pattern");
        pattern
            .captures_iter(text)
            .map(|captures| {
                let (whole, day, month) = (
                    captures.get(0).expect("match"),
                    captures.get(1).expect("day"),
                    captures.get(3).expect("month"),
                );
                DayMonth {
                    announced: whole.start() < day.start(),
                    day: day.range(),
                    separator: captures[2].as_bytes()[0],
                    month: month.range(),
                }
            })
            .collect()
    }

    #[test]
    fn the_day_and_month_scanner_finds_what_the_pattern_finds() {
        for text in crate::detect::random_texts(
            "0123456789012/. .  \t\nleLEdusaitpCSDJcx_é",
            0x2545_F491_4F6C_DD1D,
            3000,
            30,
        ) {
            assert_eq!(day_month_candidates(&text), by_pattern(&text), "{text:?}");
        }
        for text in [
            "le 3/9 et 12.5 mg",
            "C7 13 / 03 C8 13/ 04 C9 01 /09",
            "depuis  le 1/2 LES 03.04",
            "1.2.3 12/345 123/4 é12/03",
            "",
        ] {
            assert_eq!(day_month_candidates(text), by_pattern(text), "{text:?}");
        }
    }
}
