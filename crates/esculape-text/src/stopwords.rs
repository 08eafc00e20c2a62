//! Stop words and French elisions, from the data files beside this crate.

use crate::language::Language;
use rustc_hash::FxHashSet as HashSet;
use std::sync::OnceLock;

const FRENCH: &str = include_str!("../data/stopwords_fr.txt");
const ENGLISH: &str = include_str!("../data/stopwords_en.txt");

/// Whether a folded word is a stop word of `language` (Spanish has none yet: nothing is dropped).
pub fn is_stop_word(language: Language, folded: &str) -> bool {
    static FRENCH_SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    static ENGLISH_SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    match language {
        Language::French => FRENCH_SET
            .get_or_init(|| parse_list(FRENCH))
            .contains(folded),
        Language::English => ENGLISH_SET
            .get_or_init(|| parse_list(ENGLISH))
            .contains(folded),
        Language::Spanish => false,
    }
}

/// Whether a folded word is a French elided form ("l" in "l'artère", "qu" in "qu'il").
pub fn is_elision(folded: &str) -> bool {
    matches!(
        folded,
        "l" | "d"
            | "j"
            | "m"
            | "n"
            | "s"
            | "t"
            | "c"
            | "qu"
            | "jusqu"
            | "lorsqu"
            | "puisqu"
            | "quoiqu"
    )
}

pub(crate) fn parse_list(data: &str) -> HashSet<&str> {
    data.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negations_are_never_stop_words() {
        for word in ["pas", "sans", "ne", "aucun"] {
            assert!(!is_stop_word(Language::French, word), "{word}");
        }
        for word in ["no", "not", "without"] {
            assert!(!is_stop_word(Language::English, word), "{word}");
        }
    }

    #[test]
    fn articles_are_stop_words() {
        assert!(is_stop_word(Language::French, "les"));
        assert!(is_stop_word(Language::English, "the"));
        assert!(!is_stop_word(Language::French, "hypertension"));
    }
}
