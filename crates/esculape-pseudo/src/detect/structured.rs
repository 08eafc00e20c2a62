//! Structured identifiers: patterns checked by validators or announced by context words.

use super::context_phrases::{ContextList, ContextPhrases};
use super::line_hits::LineHits;
use crate::label::{Finding, Label};
use crate::lexicon::lexicon;
use crate::validate::{iban_is_valid, luhn_is_valid, nir_is_valid};
use regex::Regex;
use std::sync::LazyLock;

struct Patterns {
    nir: Regex,
    iban: Regex,
    card: Regex,
    email: Regex,
    url: Regex,
    domain: Regex,
    ipv4: Regex,
    ipv6: Regex,
    phone_french: Regex,
    phone_international: Regex,
    phone_north_american: Regex,
    /// Spanish numbers: nine digits from 6 to 9, as "956 203 146" or "630 75 89 15".
    phone_spanish: Regex,
    /// "tlabelle @ medimail . com", "abarasse.jl@fr": addresses typed loosely.
    email_spaced: Regex,
    email_without_domain: Regex,
    /// "28BG04493", "1204UZO201": reference codes mixing digits and letters.
    mixed_code: Regex,
    long_number: Regex,
    /// Digits written one by one ("2 8 1 1 2 0 3 2"), as forms print identifiers and dates.
    spaced_digits: Regex,
    age: Regex,
    /// The identifier after a context word: letters, digits and inner separators.
    identifier_after_context: Regex,
    /// Digits of a phone number after a context word.
    digits_after_phone_context: Regex,
    id_context_labels: Vec<Label>,
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let lexicon = lexicon();
    let compile = |pattern: &str| {
        regex::RegexBuilder::new(pattern)
            .dfa_size_limit(64 << 20)
            .build()
            .expect("built-in pattern")
    };
    Patterns {
        // Sex digit, year, month (or 20-99 for special cases), department (digits, 2A, 2B),
        // commune, order number, optional key; any single space or dot between digits.
        nir: compile(
            r"(?-u:\b)[1-478](?:[ .]?[0-9]){4}[ .]?(?:[0-9][ .]?[0-9]|2[ .]?[ABab])(?:[ .]?[0-9]){6}(?:[ .]?[0-9][ .]?[0-9])?(?-u:\b)",
        ),
        iban: compile(
            r"(?-u:\b)[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?-u:\b)",
        ),
        card: compile(r"(?-u:\b)[0-9]{4}(?:[ \-]?[0-9]{4}){2}[ \-]?[0-9]{1,7}(?-u:\b)"),
        email: compile(
            r"[\p{L}0-9][\p{L}0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
        ),
        url: compile(r#"(?-u:\b)(?:https?://|www\.)[^\s<>"'()\[\]]+"#),
        domain: compile(
            r"(?-u:\b)[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:com|org|net|fr|es|eu|io|info|biz|gov|edu|de|uk|it|be|ch|ca|us|co|ac)(?-u:\b)",
        ),
        ipv4: compile(r"(?-u:\b)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?-u:\b)"),
        ipv6: compile(
            r"(?-u:\b)(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?-u:\b)|(?-u:\b)(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?",
        ),
        // "O1.42.15.93.30": a letter O typed for a zero is still a phone number; so is one
        // glued to the word before it ("le06.98.43.40.20"), checked in `detect`.
        phone_french: compile(
            r"(?:(?:\+|(?-u:\b)00)33[ .\-]?(?:\(0\)[ .\-]?)?|\([0-9]{2,3}\)[ .\-]?0?|[0O])[1-9O](?:[ .\-/]?[0-9O]{2}){4}(?-u:\b)",
        ),
        phone_international: compile(
            r"(?:\+|(?-u:\b)00)[1-9][0-9]{0,2}[ .\-]?(?:\([0-9]{1,4}\)[ .\-]?)?[0-9]{1,4}(?:[ .\-]?[0-9]{2,4}){1,4}(?-u:\b)",
        ),
        phone_north_american: compile(
            r"(?:\([0-9]{3}\)[ \-]?|(?-u:\b)[0-9]{3}[.\-])[0-9]{3}[.\-][0-9]{4}(?-u:\b)",
        ),
        phone_spanish: compile(
            r"(?-u:\b)[6-9][0-9]{2}(?:(?:[ .\-][0-9]{3}){2}|(?:[ .\-][0-9]{2}){3}|[ ][0-9]{6})(?-u:\b)",
        ),
        email_spaced: compile(
            r"(?-u:\b)[A-Za-z0-9][A-Za-z0-9._\-]* ?@ ?[A-Za-z0-9\-]+(?: ?\. ?[A-Za-z0-9\-]+)* ?\. ?(?:com|fr|org|net|eu|es|info|io)(?-u:\b)",
        ),
        email_without_domain: compile(r"[\p{L}0-9][\p{L}0-9._%+\-]*@[A-Za-z]{2,}(?-u:\b)"),
        mixed_code: compile(r"(?-u:\b)[0-9]{2,}[A-Za-z]{1,4}[0-9]{3,}(?-u:\b)"),
        long_number: compile(r"(?-u:\b)[0-9]{8,}(?-u:\b)"),
        spaced_digits: compile(r"(?-u:\b)[0-9](?: [0-9]){5,}(?-u:\b)"),
        age: compile(
            r"(?i)(?-u:\b)(?:9[0-9]|1[0-2][0-9])(?: |-)?(?:ans(?-u:\b)|an(?-u:\b)|años(?-u:\b)|year-old(?-u:\b)|years? old(?-u:\b)|yo(?-u:\b)|y/o(?-u:\b)|-year-old(?-u:\b))",
        ),
        identifier_after_context: compile(
            r"\A(?:[ \t]*(?:[:#=]|n°|nº|no\.|n\.|num(?:éro|ero)?\.?|number|de|du|d'|est|étant|le|la|is|\(|\)|-)?)*[ \t]*([A-Za-z]{0,3}[0-9][0-9A-Za-z]*(?:[ ./\-][0-9A-Za-z]+)*)",
        ),
        digits_after_phone_context: compile(
            r"\A(?:[ \t]*(?:[:#=]|n°|au|:|\(|\)|-|\.)?)*[ \t]*(\+?\(?[0-9][0-9 .\-()]{2,18}[0-9])",
        ),
        id_context_labels: lexicon
            .id_contexts
            .iter()
            .map(|(label, _)| match label.as_str() {
                "IPP" => Label::Ipp,
                "NDA" => Label::Nda,
                "NIR" => Label::Nir,
                "RPPS" => Label::Rpps,
                "ADELI" => Label::Adeli,
                "FINESS" => Label::Finess,
                _ => Label::OtherId,
            })
            .collect(),
    }
});

/// The patterns searched only in the lines where [`LineHits`] finds them: those that
/// match in few lines. None matches across a line break or matches the empty string.
pub(crate) fn line_patterns() -> Vec<&'static Regex> {
    let patterns = &*PATTERNS;
    vec![
        &patterns.nir,
        &patterns.iban,
        &patterns.card,
        &patterns.url,
        &patterns.ipv4,
        &patterns.ipv6,
        &patterns.phone_french,
        &patterns.phone_international,
        &patterns.phone_north_american,
        &patterns.phone_spanish,
        &patterns.mixed_code,
        &patterns.spaced_digits,
        &patterns.age,
    ]
}

/// Appends the structured identifiers of `text` to `findings`.
pub(crate) fn detect(
    text: &str,
    lines: &LineHits<'_>,
    contexts: &ContextPhrases,
    findings: &mut Vec<Finding>,
) {
    let patterns = &*PATTERNS;
    for found in lines.find_iter(&patterns.nir) {
        // Digits written one by one are cut into their fields below.
        if is_spaced_single_digits(found.as_str()) {
            continue;
        }
        let digits = found
            .as_str()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .count();
        let confidence = if digits == 15 && nir_is_valid(&found.as_str().replace('.', " ")) {
            0.99
        } else if nir_grouping(found.as_str())
            || (digits == 15 && !inside_number_run(text, found.start(), found.end()))
        {
            // Fifteen digits without a valid key, in no NIR grouping, inside a longer run
            // of numbers ("(1)15:41 22 2038 399 209 283 828 2 …"): a row of measures.
            0.6
        } else {
            // Thirteen digits with spaces anywhere and no key: rows of a table of measures
            // ("102 102 03 039 02"), not a NIR. Fifteen digits are kept whatever their
            // grouping: a mistyped NIR must not slip through.
            continue;
        };
        findings.push(Finding::new(
            Label::Nir,
            found.start(),
            found.end(),
            confidence,
        ));
    }
    for found in lines.find_iter(&patterns.iban) {
        if iban_is_valid(found.as_str()) {
            findings.push(Finding::new(Label::Iban, found.start(), found.end(), 0.99));
        }
    }
    for found in lines.find_iter(&patterns.card) {
        let digits = found.as_str().chars().filter(char::is_ascii_digit).count();
        if (13..=19).contains(&digits) && luhn_is_valid(found.as_str()) {
            findings.push(Finding::new(
                Label::CardNumber,
                found.start(),
                found.end(),
                0.95,
            ));
        }
    }
    for found in patterns.email.find_iter(text) {
        findings.push(Finding::new(Label::Email, found.start(), found.end(), 0.99));
    }
    for found in lines.find_iter(&patterns.url) {
        let trimmed = found
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', '!', '?']);
        findings.push(Finding::new(
            Label::Url,
            found.start(),
            found.start() + trimmed.len(),
            0.95,
        ));
    }
    for found in patterns.domain.find_iter(text) {
        findings.push(Finding::new(Label::Url, found.start(), found.end(), 0.7));
    }
    for found in lines.find_iter(&patterns.ipv4) {
        if found
            .as_str()
            .split('.')
            .all(|octet| octet.parse::<u16>().is_ok_and(|value| value <= 255))
        {
            findings.push(Finding::new(
                Label::IpAddress,
                found.start(),
                found.end(),
                0.9,
            ));
        }
    }
    for found in lines.find_iter(&patterns.ipv6) {
        if found.as_str().matches(':').count() >= 3 {
            findings.push(Finding::new(
                Label::IpAddress,
                found.start(),
                found.end(),
                0.9,
            ));
        }
    }
    for found in lines.find_iter(&patterns.phone_french) {
        let number = found.as_str();
        let digits = number.bytes().filter(u8::is_ascii_digit).count();
        let letters_o = number.bytes().filter(|byte| *byte == b'O').count();
        let glued_to_number = text[..found.start()]
            .bytes()
            .next_back()
            .is_some_and(|byte| byte.is_ascii_digit() || byte == b'O');
        if !glued_to_number && letters_o <= 1 && digits >= 9 {
            findings.push(Finding::new(Label::Phone, found.start(), found.end(), 0.95));
        }
    }
    for found in patterns.email_spaced.find_iter(text) {
        if found.as_str().contains(' ') {
            findings.push(Finding::new(Label::Email, found.start(), found.end(), 0.8));
        }
    }
    for found in patterns.email_without_domain.find_iter(text) {
        findings.push(Finding::new(Label::Email, found.start(), found.end(), 0.7));
    }
    for found in lines.find_iter(&patterns.mixed_code) {
        let digits = found.as_str().bytes().filter(u8::is_ascii_digit).count();
        if digits >= 5 {
            findings.push(Finding::new(
                Label::OtherId,
                found.start(),
                found.end(),
                0.5,
            ));
        }
    }
    for found in lines.find_iter(&patterns.phone_international) {
        let digits = found.as_str().chars().filter(char::is_ascii_digit).count();
        if (8..=15).contains(&digits) {
            findings.push(Finding::new(Label::Phone, found.start(), found.end(), 0.85));
        }
    }
    for found in lines.find_iter(&patterns.phone_spanish) {
        findings.push(Finding::new(Label::Phone, found.start(), found.end(), 0.7));
    }
    for found in lines.find_iter(&patterns.phone_north_american) {
        findings.push(Finding::new(Label::Phone, found.start(), found.end(), 0.8));
    }
    for found in patterns.long_number.find_iter(text) {
        findings.push(Finding::new(
            Label::OtherId,
            found.start(),
            found.end(),
            0.5,
        ));
    }
    for found in lines.find_iter(&patterns.spaced_digits) {
        spaced_fields(found.start(), found.as_str(), findings);
    }
    for found in lines.find_iter(&patterns.age) {
        let digits = found
            .as_str()
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        findings.push(Finding::new(
            Label::Age,
            found.start(),
            found.start() + digits,
            0.9,
        ));
    }
    for (_, context_end, pattern) in contexts.find_words(ContextList::Id) {
        let label = patterns.id_context_labels[pattern];
        let window = window_after(text, context_end, 40);
        if let Some(captures) = patterns.identifier_after_context.captures(window) {
            let identifier = captures.get(1).expect("group 1 always takes part");
            if identifier
                .as_str()
                .chars()
                .filter(char::is_ascii_digit)
                .count()
                >= 3
            {
                let start = context_end + identifier.start();
                findings.push(Finding::new(
                    label,
                    start,
                    context_end + identifier.end(),
                    0.9,
                ));
            }
        }
    }
    for (_, context_end, _) in contexts.find_words(ContextList::Phone) {
        let window = window_after(text, context_end, 40);
        if let Some(captures) = patterns.digits_after_phone_context.captures(window) {
            let number = captures.get(1).expect("group 1 always takes part");
            if number.as_str().chars().filter(char::is_ascii_digit).count() >= 4 {
                let start = context_end + number.start();
                findings.push(Finding::new(
                    Label::Phone,
                    start,
                    context_end + number.end(),
                    0.85,
                ));
            }
        }
    }
}

/// Whether a NIR without a valid key is written as NIRs are: no separators, or the
/// fields "S YY MM DD CCC OOO [KK]" ("1 80 12 75 123 456 78").
fn nir_grouping(text: &str) -> bool {
    let groups: Vec<usize> = text
        .split([' ', '.'])
        .filter(|group| !group.is_empty())
        .map(str::len)
        .collect();
    groups.len() == 1
        || groups == [1, 2, 2, 2, 3, 3, 2]
        || groups == [1, 2, 2, 2, 3, 3]
        || groups == [1, 2, 2, 5, 3, 2]
        || groups == [1, 2, 2, 5, 3]
}

/// Whether `text[start..end]` continues a run of numbers: a digit just before it, or just
/// after it across one space or dot.
fn inside_number_run(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '.']);
    let after = text[end..].trim_start_matches([' ', '.']);
    let gap_before = start - before.len();
    let gap_after = text.len() - end - after.len();
    (gap_before <= 1 && before.ends_with(|c: char| c.is_ascii_digit()))
        || (gap_after <= 1 && after.starts_with(|c: char| c.is_ascii_digit()))
}

/// Whether `text` is single digits separated by single spaces ("2 8 1 1").
fn is_spaced_single_digits(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 3
        && bytes.iter().enumerate().all(|(index, byte)| {
            if index % 2 == 0 {
                byte.is_ascii_digit()
            } else {
                *byte == b' '
            }
        })
}

/// Cuts digits written one by one, as forms and flattened tables print them, into their
/// fields: eight digits that make a day, month and year are a date ("2 8 1 1 2 0 3 2"); a
/// longer run starting or ending with such a date is a date beside an identifier (a row
/// "date of prescription, NIR, birth date" printed without separators); what remains is
/// a NIR when it has 13 to 15 digits, another identifier otherwise.
fn spaced_fields(start: usize, run: &str, findings: &mut Vec<Finding>) {
    if !is_spaced_single_digits(run) {
        findings.push(Finding::new(Label::OtherId, start, start + run.len(), 0.5));
        return;
    }
    let digits: Vec<u8> = run.bytes().step_by(2).collect();
    let count = digits.len();
    // Digit i sits at byte 2 i of the run.
    let span = |from: usize, to: usize| (start + 2 * from, start + 2 * to - 1);
    let is_date = |field: &[u8]| {
        let value = |range: std::ops::Range<usize>| {
            field[range]
                .iter()
                .fold(0u32, |total, digit| total * 10 + u32::from(digit - b'0'))
        };
        let (day, month, year) = (value(0..2), value(2..4), value(4..8));
        (1..=31).contains(&day) && (1..=12).contains(&month) && (1900..2050).contains(&year)
    };
    if count == 8 && is_date(&digits) {
        let (from, to) = span(0, 8);
        findings.push(Finding::new(Label::Date, from, to, 0.8));
        return;
    }
    let (mut middle_from, mut middle_to) = (0, count);
    if count >= 16 {
        if is_date(&digits[..8]) {
            let (from, to) = span(0, 8);
            findings.push(Finding::new(Label::Date, from, to, 0.7));
            middle_from = 8;
        }
        if is_date(&digits[count - 8..]) && count - 8 >= middle_from + 8 {
            let (from, to) = span(count - 8, count);
            // After a NIR-length field, the date is the holder's birth date.
            let label = if (12..=16).contains(&(count - 8 - middle_from)) {
                Label::BirthDate
            } else {
                Label::Date
            };
            findings.push(Finding::new(label, from, to, 0.7));
            middle_to = count - 8;
        }
    }
    let (from, to) = span(middle_from, middle_to);
    let length = middle_to - middle_from;
    if (13..=15).contains(&length) {
        let confidence = if length == 15 && nir_is_valid(&text_of(&digits[middle_from..middle_to]))
        {
            0.99
        } else {
            0.6
        };
        findings.push(Finding::new(Label::Nir, from, to, confidence));
    } else {
        findings.push(Finding::new(Label::OtherId, from, to, 0.5));
    }
}

fn text_of(digits: &[u8]) -> String {
    String::from_utf8_lossy(digits).into_owned()
}

/// At most `bytes` bytes of `text` from `start`, cut on a character boundary and at the
/// end of the line.
pub(crate) fn window_after(text: &str, start: usize, bytes: usize) -> &str {
    let mut end = (start + bytes).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let window = &text[start..end];
    match window.find('\n') {
        Some(line_end) => &window[..line_end],
        None => window,
    }
}
