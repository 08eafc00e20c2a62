//! Word tokens with their byte offsets in the original text.

use crate::fold::fold_char_into;

/// A word: a maximal run of letters and digits, folded, with its place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Folded form (lowercase, no diacritics).
    pub folded: String,
    /// Byte offset of the first character in the original text.
    pub start: usize,
    /// Byte offset just past the last character in the original text.
    pub end: usize,
}

/// Splits text into folded words. Apostrophes, hyphens and punctuation separate words,
/// so "l'artère" gives "l" and "artere", and "anti-inflammatoire" gives "anti" and
/// "inflammatoire".
pub fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        // Skip separators.
        let (start, first) = loop {
            let (index, character) = chars.next()?;
            if character.is_alphanumeric() {
                break (index, character);
            }
        };
        let mut folded = String::new();
        fold_char_into(first, &mut folded);
        let mut end = start + first.len_utf8();
        while let Some(&(index, character)) = chars.peek() {
            if !character.is_alphanumeric() {
                break;
            }
            fold_char_into(character, &mut folded);
            end = index + character.len_utf8();
            chars.next();
        }
        Some(Word { folded, start, end })
    })
}

#[cfg(test)]
mod tests {
    use super::words;

    fn check(input: &str, expect: &[&str]) {
        let got: Vec<String> = words(input).map(|word| word.folded).collect();
        assert_eq!(got, expect, "words({input:?})");
    }

    #[test]
    fn splits_elisions_and_hyphens() {
        check(
            "l'artère d’Œdème anti-inflammatoire",
            &["l", "artere", "d", "oedeme", "anti", "inflammatoire"],
        );
    }

    #[test]
    fn keeps_numbers_and_units_apart() {
        check(
            "KARDÉGIC 75 mg, 1,5 g/j",
            &["kardegic", "75", "mg", "1", "5", "g", "j"],
        );
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Œdème aigu";
        let first = words(text).next().unwrap();
        assert_eq!(&text[first.start..first.end], "Œdème");
    }

    #[test]
    fn empty_and_punctuation_only_input_gives_nothing() {
        check("", &[]);
        check(" ,;:!? -- ", &[]);
    }
}
