//! Places: street addresses, postcodes with their city, cities and countries from the
//! gazetteer or after a context phrase ("domicilié à"), hospitals named by place or person.

use super::context_phrases::{ContextList, ContextPhrases};
use super::line_hits::LineHits;
use super::words::PhraseMatcher;
use crate::label::{Finding, Label};
use crate::lexicon::lexicon;
use esculape_text::fold;
use regex::Regex;
use std::sync::LazyLock;

/// A capitalised word of a place name, or a linking word inside one. Letters are those of
/// Latin-1 and Latin Extended-A (French, Spanish, English names): small automata, fast scans.
const PLACE_WORD: &str = r"(?:[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’\-]*|[0-9]{1,2}(?:e|ème|er)?)";
const LINK_WORD: &str = r"(?:des|de|du|d'|la|les|le|l'|sur|sous|en|lès|et|del|y|los|las)(?-u:\b)";

struct Patterns {
    street: Regex,
    english_street: Regex,
    postcode_city: Regex,
    hospital: Regex,
    places: PhraseMatcher,
    place_count: usize,
    place_after_context: Regex,
    postcode_after_city: Regex,
}

fn alternation(words: &[String]) -> String {
    let mut escaped: Vec<String> = words.iter().map(|word| regex::escape(word)).collect();
    escaped.sort_by_key(|word| std::cmp::Reverse(word.len()));
    escaped.join("|")
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let lexicon = lexicon();
    let compile = |pattern: &str| {
        regex::RegexBuilder::new(pattern)
            .dfa_size_limit(64 << 20)
            .build()
            .expect("built-in place pattern")
    };
    let street_types = alternation(&lexicon.street_types);
    let street_suffixes = alternation(&lexicon.street_suffixes);
    let hospital_words = alternation(&lexicon.hospital_words);
    let name_word = r"[A-ZÀ-ÖØ-Þ0-9][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ0-9'’.\-]*";
    let mut place_words: Vec<&str> = lexicon.places.iter().map(String::as_str).collect();
    let place_count = place_words.len();
    place_words.extend(lexicon.countries.iter().map(String::as_str));
    Patterns {
        // [number [bis|ter]][,] street-type [link] words… [, number]
        street: compile(&format!(
            r"(?i:(?-u:\b)(?:[0-9]{{1,4}}(?:-[0-9]{{1,4}})?(?:[ \t]?(?:bis|ter|[a-d]))?,?[ \t]+)?(?:{street_types}))(?:[ \t]+(?:{LINK_WORD}|{name_word})){{1,8}}(?:(?:,|[ \t])[ \t]*(?:n[°º]?[ \t]*)?[0-9]{{1,4}}(?:[ \t]?[º°ª]?[ \t]?[A-Za-z])?(?-u:\b))?"
        )),
        english_street: compile(&format!(
            r"(?-u:\b)[0-9]{{1,6}}[ \t]+(?:[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'.\-]*[ \t]+){{1,4}}(?:{street_suffixes})(?-u:\b)\.?(?:,?[ \t]+(?:Apt\.?|Suite|Unit)[ \t]*[0-9A-Za-z]+)?"
        )),
        postcode_city: compile(&format!(
            r"(?-u:\b)((?:0[1-9]|[1-8][0-9]|9[0-8]) ?[0-9]{{3}})(?:[ \t]+|[ \t]*,[ \t]*)({PLACE_WORD}(?:[ \t\-]+(?:{PLACE_WORD}|{LINK_WORD}))*)"
        )),
        hospital: compile(&format!(
            r"(?-u:\b)({hospital_words})(?:[ \t]+(?:de|du|des|d'|universitaire|Universitaire|régional|général|intercommunal|européen|européenne|Universitario|General|de la))*[ \t]+((?:(?:la|le|les)[ \t]+|[lL]['’])?{PLACE_WORD}(?:[ \t\-]+(?:[dl]['’]{PLACE_WORD}|{PLACE_WORD}|{LINK_WORD})|[dl]['’]{PLACE_WORD})*)"
        )),
        places: PhraseMatcher::new(place_words, false),
        place_count,
        postcode_after_city: compile(
            r"\A(?:[ \t]*,[ \t]*|[ \t]+)((?:0[1-9]|[1-8][0-9]|9[0-8])[0-9]{3})(?-u:\b)",
        ),
        place_after_context: compile(&format!(
            r"\A[ \t]+({PLACE_WORD}(?:[ \t\-]+(?:{PLACE_WORD}|{LINK_WORD}))*)"
        )),
    }
});

/// The patterns searched only in the lines where [`LineHits`] finds them: those that
/// match in few lines. None matches across a line break or matches the empty string.
pub(crate) fn line_patterns() -> Vec<&'static Regex> {
    let patterns = &*PATTERNS;
    vec![&patterns.english_street]
}

/// Appends the places of `text` to `findings`.
pub(crate) fn detect(
    text: &str,
    lines: &LineHits<'_>,
    contexts: &ContextPhrases,
    findings: &mut Vec<Finding>,
) {
    let patterns = &*PATTERNS;
    for found in patterns.street.find_iter(text) {
        // A street needs a name after its type: "rue" alone is a word.
        // The postcode and city after the street are findings of their own.
        // "33 rue des Lilas, 69 003 Lyon": the number after the street is the first group
        // of a postcode written in two; the postcode pattern takes it.
        let rest = &text.as_bytes()[found.end()..];
        let split_postcode = rest.len() >= 4
            && rest[0] == b' '
            && rest[1..4].iter().all(u8::is_ascii_digit)
            && rest.get(4).is_none_or(|byte| !byte.is_ascii_alphanumeric());
        let cut = postcode_inside(found.as_str()).or_else(|| {
            let street = found.as_str().as_bytes();
            let length = street.len();
            (split_postcode
                && length > 3
                && street[length - 2..].iter().all(u8::is_ascii_digit)
                && matches!(street[length - 3], b' ' | b','))
            .then_some(length - 2)
        });
        let street = match cut {
            Some(cut) => found.as_str()[..cut].trim_end_matches([' ', '\t', ',']),
            None => found.as_str(),
        };
        // "7 rue Blaise Pascal 65000 dans…": the postcode after a street, city or not.
        if let Some(cut) = cut
            && !split_postcode
        {
            let start = found.start() + cut;
            findings.push(Finding::new(Label::Postcode, start, start + 5, 0.8));
        }
        let street = trim_link_words(street, false);
        if street.split_whitespace().count() >= 2 {
            let end = found.start() + street.len();
            findings.push(Finding::new(Label::Address, found.start(), end, 0.8));
        }
    }
    for found in lines.find_iter(&patterns.english_street) {
        findings.push(Finding::new(
            Label::Address,
            found.start(),
            found.end(),
            0.8,
        ));
    }
    for captures in patterns.postcode_city.captures_iter(text) {
        let postcode = captures.get(1).expect("group 1");
        let city = captures.get(2).expect("group 2");
        // "92 100 BOULOGNE": a postcode written in two groups needs a city in letters
        // (not "12 345 67", a row of numbers).
        if postcode.as_str().contains(' ') && !city.as_str().starts_with(char::is_alphabetic) {
            continue;
        }
        let city_end = city.start() + trim_link_words(city.as_str(), true).len();
        findings.push(Finding::new(
            Label::Postcode,
            postcode.start(),
            postcode.end(),
            0.85,
        ));
        findings.push(Finding::new(Label::City, city.start(), city_end, 0.8));
    }
    for captures in patterns.hospital.captures_iter(text) {
        let kind = captures.get(1).expect("group 1");
        let name = captures.get(2).expect("group 2");
        // "Chef de clinique", "chefs de clinique assistants": a rank, not a place.
        let before = text[..kind.start()].trim_end_matches([' ', '\t']);
        let mut previous = before.rsplit([' ', '\t', '\n']);
        let rank = previous
            .next()
            .is_some_and(|word| word.eq_ignore_ascii_case("de"))
            && previous
                .next()
                .is_some_and(|word| matches!(fold(word).as_str(), "chef" | "chefs"));
        if rank {
            continue;
        }
        let end = name.start() + trim_link_words(name.as_str(), true).len();
        // "Centre Hospitalier de Beauvais", "Centre de Santé de Belleville": a kind written in
        // several words is part of the institution's name; "Hôpital", "CHU" alone are not.
        let start = if kind.as_str().contains(' ') {
            kind.start()
        } else {
            name.start()
        };
        findings.push(Finding::new(Label::Hospital, start, end, 0.75));
    }
    for (start, end, pattern) in patterns.places.find_words(text) {
        let label = if pattern < patterns.place_count {
            Label::City
        } else {
            Label::Country
        };
        // "Centre", "Réunion", "Cher": a region's name that is a common word is no place
        // on its own.
        let place = &text[start..end];
        if label == Label::City
            && !place.contains([' ', '-'])
            && lexicon().clinical_vocabulary.contains(&fold(place))
        {
            continue;
        }
        findings.push(Finding::new(label, start, end, 0.7));
        // "Marseille, 13006", "Paris 75015": the postcode after the city.
        if label == Label::City
            && let Some(captures) = patterns.postcode_after_city.captures(&text[end..])
        {
            let postcode = captures.get(1).expect("group 1");
            findings.push(Finding::new(
                Label::Postcode,
                end + postcode.start(),
                end + postcode.end(),
                0.8,
            ));
        }
    }
    for (_, context_end, _) in contexts.find_words(ContextList::Place) {
        let window = super::structured::window_after(text, context_end, 60);
        if let Some(captures) = patterns.place_after_context.captures(window) {
            let place = captures.get(1).expect("group 1");
            let end = place.start() + trim_link_words(place.as_str(), true).len();
            findings.push(Finding::new(
                Label::City,
                context_end + place.start(),
                context_end + end,
                0.75,
            ));
        }
    }
}

/// The byte offset of a French postcode (five digits, a word of its own) inside a street
/// match, after its first word.
fn postcode_inside(street: &str) -> Option<usize> {
    let bytes = street.as_bytes();
    let mut index = 1;
    while index + 5 <= bytes.len() {
        let word_start = matches!(bytes[index - 1], b' ' | b'\t' | b',');
        let five = bytes[index..index + 5].iter().all(u8::is_ascii_digit);
        let word_end = bytes
            .get(index + 5)
            .is_none_or(|byte| !byte.is_ascii_alphanumeric());
        if word_start && five && word_end {
            return Some(index);
        }
        index += 1;
    }
    None
}

/// `name` without trailing linking words and separators ("Paris et" → "Paris").
fn trim_link_words(name: &str, drop_numbers: bool) -> &str {
    let mut end = name.trim_end_matches([' ', '\t', '-']).len();
    loop {
        let head = &name[..end];
        let Some(space) = head.rfind([' ', '\t', '-']) else {
            return head;
        };
        let last = &head[space + 1..];
        let before_last = head[..space]
            .trim_end()
            .rsplit([' ', '\t'])
            .next()
            .unwrap_or("");
        let is_number = last.chars().next().is_some_and(|c| c.is_ascii_digit());
        // "d'Ouest" is part of the name; "et", "de" alone are not.
        let elided_name = (last.starts_with("d'")
            || last.starts_with("d’")
            || last.starts_with("l'")
            || last.starts_with("l’"))
            && last.chars().nth(2).is_some_and(char::is_uppercase);
        if (last.chars().next().is_some_and(char::is_lowercase) && !elided_name)
            || (drop_numbers && is_number && !before_last.eq_ignore_ascii_case("cedex"))
        {
            end = head[..space].trim_end_matches([' ', '\t', '-']).len();
        } else {
            return head;
        }
    }
}
