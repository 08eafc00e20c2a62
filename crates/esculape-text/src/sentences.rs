//! Sentence boundaries in French and English clinical prose.

use std::ops::Range;

// Folded abbreviations that end with a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "drs", "pr", "m", "mm", "mme", "mmes", "mlle", "st", "ste", "cf", "vs", "env", "ex", "p",
    "pp", "fig", "etc", "no", "n", "vol", "coll", "al", "approx", "inj", "cp", "gel", "amp", "e",
    "i", "g", "mr", "mrs", "ms", "prof",
];

/// Splits `text` into sentences, as trimmed byte ranges in order.
///
/// A sentence ends at `.`, `!`, `?` or `…` followed by white space and then an uppercase
/// letter, a digit, an opening bracket or quote, or the end of the text; at a blank line;
/// and before a line that starts a list item. Periods after known abbreviations
/// ("Dr.", "cf.", "p. ex.") and inside numbers ("1.5") do not end a sentence.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < text.len() {
        let character = match text[index..].chars().next() {
            Some(character) => character,
            None => break,
        };
        let next_index = index + character.len_utf8();
        let boundary = match character {
            '.' | '!' | '?' | '…' => {
                let after = skip_closers(text, next_index);
                let at_end = text[after..].trim().is_empty();
                let spaced = text[after..].starts_with(char::is_whitespace);
                if at_end {
                    Some(after)
                } else if spaced && starts_sentence(text[after..].trim_start()) {
                    if character == '.' && ends_with_abbreviation(&text[start..index]) {
                        None
                    } else {
                        Some(after)
                    }
                } else {
                    None
                }
            }
            '\n' => {
                let rest = &text[next_index..];
                let rest_trimmed = rest.trim_start_matches([' ', '\t', '\r']);
                if rest_trimmed.starts_with('\n') || starts_list_item(rest_trimmed) {
                    Some(next_index)
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(end) = boundary {
            push_trimmed(text, start..end, &mut ranges);
            start = end;
            index = end.max(next_index);
        } else {
            index = next_index;
        }
        debug_assert!(index <= bytes.len());
    }
    push_trimmed(text, start..text.len(), &mut ranges);
    ranges
}

fn skip_closers(text: &str, mut index: usize) -> usize {
    while let Some(character) = text[index..].chars().next() {
        if matches!(
            character,
            '.' | '!' | '?' | '…' | ')' | ']' | '"' | '»' | '\u{201D}' | '\''
        ) {
            index += character.len_utf8();
        } else {
            break;
        }
    }
    index
}

fn starts_sentence(rest: &str) -> bool {
    match rest.chars().next() {
        Some(character) => {
            character.is_uppercase()
                || character.is_ascii_digit()
                || matches!(
                    character,
                    '(' | '[' | '"' | '«' | '\u{201C}' | '-' | '•' | '*'
                )
        }
        None => true,
    }
}

fn starts_list_item(line: &str) -> bool {
    if line.starts_with("- ")
        || line.starts_with("* ")
        || line.starts_with("• ")
        || line.starts_with('#')
    {
        return true;
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && digits <= 3 && matches!(line.as_bytes().get(digits), Some(b'.') | Some(b')'))
}

fn ends_with_abbreviation(before_period: &str) -> bool {
    let last_word: String = before_period
        .chars()
        .rev()
        .take_while(|character| character.is_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if last_word.is_empty() {
        return false;
    }
    let folded = crate::fold(&last_word);
    // A single uppercase letter is an initial ("J. Dupont").
    (last_word.chars().count() == 1 && last_word.chars().all(char::is_uppercase))
        || ABBREVIATIONS.contains(&folded.as_str())
}

fn push_trimmed(text: &str, range: Range<usize>, ranges: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let leading = slice.len() - slice.trim_start().len();
    let trailing = slice.len() - slice.trim_end().len();
    let trimmed = range.start + leading..range.end - trailing;
    if trimmed.start < trimmed.end {
        ranges.push(trimmed);
    }
}

#[cfg(test)]
mod tests {
    use super::sentences;

    fn check(text: &str, expect: &[&str]) {
        let got: Vec<&str> = sentences(text)
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(got, expect, "sentences({text:?})");
    }

    #[test]
    fn splits_on_terminal_punctuation() {
        check(
            "Le patient va bien. Il sort demain ! Suivi ?",
            &["Le patient va bien.", "Il sort demain !", "Suivi ?"],
        );
    }

    #[test]
    fn keeps_abbreviations_initials_and_decimals() {
        check(
            "Vu par le Dr. Martin et J. Dupont. Dose 1.5 mg par jour.",
            &[
                "Vu par le Dr. Martin et J. Dupont.",
                "Dose 1.5 mg par jour.",
            ],
        );
        check(
            "Voir p. ex. la figure 2. Ensuite, rien.",
            &["Voir p. ex. la figure 2.", "Ensuite, rien."],
        );
    }

    #[test]
    fn splits_list_items_and_paragraphs() {
        check(
            "Traitement\n- aspirine\n- statine\n\nFin",
            &["Traitement", "- aspirine", "- statine", "Fin"],
        );
    }

    #[test]
    fn lowercase_after_period_does_not_split() {
        check("Dose de 75 mg. puis arrêt", &["Dose de 75 mg. puis arrêt"]);
    }

    #[test]
    fn empty_text_has_no_sentence() {
        check("", &[]);
        check("   \n\n ", &[]);
    }
}
