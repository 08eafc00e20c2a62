//! Word tokens with their shape, and a whole-word phrase matcher, for the context rules.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// The written shape of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// "Dupont", "Jean-Pierre", "McDonald".
    Capitalised,
    /// "DUPONT" (two letters or more).
    Upper,
    /// "J." (a capital letter and a dot).
    Initial,
    /// Anything else with letters ("de", "patient").
    Lower,
}

/// A word: letters with inner hyphens; the initial's dot is included.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    pub shape: Shape,
    /// Whether a line break separates this token from the previous one.
    pub new_line: bool,
    /// Whether only one to three spaces or tabs separate it from the previous token.
    pub joined: bool,
}

/// The words of `text`, in one linear pass (bytes, decoding only what is not ASCII).
pub(crate) fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    // One character and its width in bytes at `at`, a character boundary.
    let character_at = |at: usize| -> (char, usize) {
        let byte = bytes[at];
        if byte.is_ascii() {
            (char::from(byte), 1)
        } else {
            let character = text[at..].chars().next().expect("a character boundary");
            (character, character.len_utf8())
        }
    };
    let mut tokens = Vec::with_capacity(text.len() / 8);
    let mut position = 0;
    let mut new_line = false;
    let mut blanks = 0usize;
    let mut other_gap = false;
    while position < bytes.len() {
        let (character, width) = character_at(position);
        if !character.is_alphabetic() {
            if character == '\n' || character == '|' {
                new_line = true;
            }
            if character == ' ' || character == '\t' {
                blanks += 1;
            } else {
                other_gap = true;
            }
            position += width;
            continue;
        }
        let start = position;
        let mut end = start + width;
        let mut letters = 1usize;
        let mut upper = usize::from(character.is_uppercase());
        while end < bytes.len() {
            let (next, next_width) = character_at(end);
            if next.is_alphabetic() {
                letters += 1;
                upper += usize::from(next.is_uppercase());
                end += next_width;
            } else if next == '-' && text[end + 1..].starts_with(char::is_alphabetic) {
                end += 1;
            } else {
                break;
            }
        }
        position = end;
        tokens.push(word_token(
            text,
            Scanned {
                start,
                end,
                letters,
                upper,
                first: character,
            },
            new_line,
            !other_gap && (1..=3).contains(&blanks),
        ));
        new_line = false;
        blanks = 0;
        other_gap = false;
    }
    tokens
}

/// What the scan of one word found: its bytes, its letters, its capitals and first letter.
struct Scanned {
    start: usize,
    end: usize,
    letters: usize,
    upper: usize,
    first: char,
}

/// The token of a scanned word: its shape, an initial's dot taken in.
fn word_token(text: &str, scanned: Scanned, new_line: bool, joined: bool) -> Token {
    let Scanned {
        start,
        mut end,
        letters,
        upper,
        first,
    } = scanned;
    // Letters glued to digits ("FR76", "3e") are codes, not words of a name.
    // So are letters before a degree sign ("N°", "nº").
    let glued_to_digit = text[..start].ends_with(|c: char| c.is_ascii_digit())
        || text[end..].starts_with(|c: char| c.is_ascii_digit() || c == '°' || c == 'º');
    let mut shape = if glued_to_digit {
        Shape::Lower
    } else if letters >= 2 && upper == letters {
        Shape::Upper
    } else if first.is_uppercase() {
        Shape::Capitalised
    } else {
        Shape::Lower
    };
    // "P-A." and "J-L": hyphenated initials.
    let hyphenated_initials = letters == 2 && upper == 2 && end - start == 3;
    if hyphenated_initials && !glued_to_digit {
        shape = Shape::Initial;
        if text[end..].starts_with('.') {
            end += 1;
        }
    }
    // "Ph.", "Ch.", "Th.": the French initials of Philippe, Christophe, Thierry…
    let digraph_initial = letters == 2
        && end - start == 2
        && first.is_ascii_uppercase()
        && text[start + 1..end] == *"h"
        && text[end..].starts_with('.');
    if digraph_initial && !glued_to_digit {
        end += 1;
        shape = Shape::Initial;
    }
    if letters == 1 && first.is_uppercase() && !glued_to_digit {
        if text[end..].starts_with('.') {
            end += 1;
            shape = Shape::Initial;
        } else {
            shape = Shape::Upper;
        }
    }
    Token {
        start,
        end,
        shape,
        new_line,
        joined,
    }
}

/// Finds whole-word occurrences of phrases (ASCII case-insensitive, leftmost-longest).
#[derive(Debug)]
pub(crate) struct PhraseMatcher {
    automaton: AhoCorasick,
}

impl PhraseMatcher {
    pub fn new<I, P>(phrases: I, case_insensitive: bool) -> PhraseMatcher
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(case_insensitive)
            // A full DFA: more memory (the lists are small), the fastest scan.
            .kind(Some(AhoCorasickKind::DFA))
            .build(phrases)
            .expect("the built-in phrase lists are small and valid");
        PhraseMatcher { automaton }
    }

    /// `(start, end, pattern index)` of each whole-word match.
    pub fn find_words<'t>(
        &'t self,
        text: &'t str,
    ) -> impl Iterator<Item = (usize, usize, usize)> + 't {
        self.automaton.find_iter(text).filter_map(move |found| {
            let (start, end) = (found.start(), found.end());
            is_whole_word(text, start, end).then_some((start, end, found.pattern().as_usize()))
        })
    }
}

/// Whether `text[start..end]` is not glued to a letter or digit on either side (a phrase
/// ending with a non-alphanumeric character, "tél.", may be followed by anything).
pub(crate) fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before_ok = text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    let last = text[..end].chars().next_back();
    let after_ok = last.is_some_and(|c| !c.is_alphanumeric())
        || text[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
    before_ok && after_ok
}

#[cfg(test)]
mod tests {
    use super::{Scanned, Shape, Token, tokens, word_token};

    /// The tokenizer's scan as first written, over `char_indices`: the reference.
    fn tokens_by_characters(text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut characters = text.char_indices().peekable();
        let mut new_line = false;
        let mut blanks = 0usize;
        let mut other_gap = false;
        while let Some((start, character)) = characters.next() {
            if !character.is_alphabetic() {
                if character == '\n' || character == '|' {
                    new_line = true;
                }
                if character == ' ' || character == '\t' {
                    blanks += 1;
                } else {
                    other_gap = true;
                }
                continue;
            }
            let mut end = start + character.len_utf8();
            let mut letters = 1usize;
            let mut upper = usize::from(character.is_uppercase());
            while let Some(&(index, next)) = characters.peek() {
                if next.is_alphabetic() {
                    letters += 1;
                    upper += usize::from(next.is_uppercase());
                    end = index + next.len_utf8();
                    characters.next();
                } else if next == '-' && text[index + 1..].starts_with(char::is_alphabetic) {
                    end = index + 1;
                    characters.next();
                } else {
                    break;
                }
            }
            tokens.push(word_token(
                text,
                Scanned {
                    start,
                    end,
                    letters,
                    upper,
                    first: character,
                },
                new_line,
                !other_gap && (1..=3).contains(&blanks),
            ));
            new_line = false;
            blanks = 0;
            other_gap = false;
        }
        tokens
    }

    fn fields(tokens: &[Token]) -> Vec<(usize, usize, Shape, bool, bool)> {
        tokens
            .iter()
            .map(|token| {
                (
                    token.start,
                    token.end,
                    token.shape,
                    token.new_line,
                    token.joined,
                )
            })
            .collect()
    }

    #[test]
    fn the_byte_tokenizer_finds_what_the_character_tokenizer_finds() {
        for text in crate::detect::random_texts(
            "aZéÉßçÇœŒ-.  \t\n|°º0795,;:'’(中😀ǅ",
            0x9E37_79B9_7F4A_7C15,
            400,
            40,
        ) {
            assert_eq!(
                fields(&tokens(&text)),
                fields(&tokens_by_characters(&text)),
                "{text:?}"
            );
        }
        for text in [
            "Mme Jeanne DUPONT, née le 03/04/1956",
            "Ph. ROCHE P-A. Martin N° 12 J-L.",
            "",
            "é",
            "Œdème-",
        ] {
            assert_eq!(
                fields(&tokens(text)),
                fields(&tokens_by_characters(text)),
                "{text:?}"
            );
        }
    }
}
