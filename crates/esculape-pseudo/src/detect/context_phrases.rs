//! The context phrase lists ("né le", "tél", "IPP", "domicilié à", "Dr"…), found in one
//! pass over the text for all of them.
//!
//! Each list is matched as its own [`PhraseMatcher`] would match it (ASCII
//! case-insensitive, leftmost-longest, whole words), but one automaton holds every list:
//! it reports all occurrences of all phrases, and each list's leftmost-longest matches are
//! then chosen among its own occurrences, as a separate automaton would choose them.

use super::words::is_whole_word;
use crate::lexicon::lexicon;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::sync::LazyLock;

/// A phrase list of the lexicon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContextList {
    /// Words before a lone year ("en", "depuis").
    Year,
    /// Phrases before a birth date ("né le").
    Birth,
    /// Phrases before a place ("domicilié à").
    Place,
    /// Words before an identifier ("IPP", "n° de séjour"), in the order of the lexicon.
    Id,
    /// Words before a phone number ("tél").
    Phone,
    /// Words before a name ("Nom", "Interne").
    Name,
}

const LISTS: [ContextList; 6] = [
    ContextList::Year,
    ContextList::Birth,
    ContextList::Place,
    ContextList::Id,
    ContextList::Phone,
    ContextList::Name,
];

fn phrases(list: ContextList) -> Vec<&'static str> {
    let lexicon = lexicon();
    let strings = |phrases: &'static [String]| phrases.iter().map(String::as_str).collect();
    match list {
        ContextList::Year => strings(&lexicon.year_contexts),
        ContextList::Birth => strings(&lexicon.birth_contexts),
        ContextList::Place => strings(&lexicon.place_contexts),
        ContextList::Id => lexicon
            .id_contexts
            .iter()
            .map(|(_, phrase)| phrase.as_str())
            .collect(),
        ContextList::Phone => strings(&lexicon.phone_contexts),
        ContextList::Name => strings(&lexicon.name_contexts),
    }
}

struct Automaton {
    automaton: AhoCorasick,
    /// Per pattern of the automaton: its list (index into [`LISTS`]) and its index there.
    origins: Vec<(usize, usize)>,
}

static AUTOMATON: LazyLock<Automaton> = LazyLock::new(|| {
    let mut patterns: Vec<&'static str> = Vec::new();
    let mut origins = Vec::new();
    for (list_index, list) in LISTS.iter().enumerate() {
        for (index, phrase) in phrases(*list).into_iter().enumerate() {
            patterns.push(phrase);
            origins.push((list_index, index));
        }
    }
    let automaton = AhoCorasickBuilder::new()
        // Every occurrence of every phrase: the lists choose among them below.
        .match_kind(MatchKind::Standard)
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&patterns)
        .expect("the built-in phrase lists are small and valid");
    Automaton { automaton, origins }
});

/// The whole-word matches of every context list in one text.
pub(crate) struct ContextPhrases {
    /// Per list, `(start, end, phrase index in the list)` sorted by start.
    matches: [Vec<(usize, usize, usize)>; 6],
}

impl ContextPhrases {
    /// Finds the phrases of every list in `text`.
    pub fn new(text: &str) -> ContextPhrases {
        let automaton = &*AUTOMATON;
        let mut occurrences: [Vec<(usize, usize, usize)>; 6] = Default::default();
        for found in automaton.automaton.find_overlapping_iter(text) {
            let (list, index) = automaton.origins[found.pattern().as_usize()];
            occurrences[list].push((found.start(), found.end(), index));
        }
        let matches = occurrences.map(|mut occurrences| {
            // Leftmost-longest: the earliest start, then the longest phrase, then the first
            // listed; the next match starts at or after its end.
            occurrences.sort_unstable_by(|left, right| {
                left.0
                    .cmp(&right.0)
                    .then(right.1.cmp(&left.1))
                    .then(left.2.cmp(&right.2))
            });
            let mut chosen = Vec::new();
            let mut position = 0;
            for (start, end, index) in occurrences {
                if start >= position {
                    position = end;
                    if is_whole_word(text, start, end) {
                        chosen.push((start, end, index));
                    }
                }
            }
            chosen
        });
        ContextPhrases { matches }
    }

    /// `(start, end, phrase index in the list)` of each whole-word match of `list`, as
    /// [`PhraseMatcher::find_words`](super::words::PhraseMatcher::find_words) gives them.
    pub fn find_words(&self, list: ContextList) -> impl Iterator<Item = (usize, usize, usize)> {
        let index = LISTS
            .iter()
            .position(|candidate| *candidate == list)
            .expect("every list is in LISTS");
        self.matches[index].iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::{ContextList, ContextPhrases, LISTS, phrases};
    use crate::detect::words::PhraseMatcher;

    #[test]
    fn each_list_matches_as_its_own_automaton_would() {
        // Phrases inside words, overlapping, repeated, in any case, glued and at the ends.
        let mut text = String::new();
        for list in LISTS {
            for phrase in phrases(list) {
                text.push_str(phrase);
                text.push(' ');
                text.push_str(&phrase.to_uppercase());
                text.push_str("x ");
                text.push_str(phrase);
                text.push_str(phrase);
                text.push_str(" : 1234\n");
            }
        }
        text.push_str("né le en el año, Ben el año 2019, tél.: 01, n° de séjour n° dossier née le");
        text.push_str(" domiciliée à domicilié au Patient name: Nom de jeune fille id");
        let context_phrases = ContextPhrases::new(&text);
        for list in LISTS {
            let matcher = PhraseMatcher::new(phrases(list), true);
            let expected: Vec<_> = matcher.find_words(&text).collect();
            let found: Vec<_> = context_phrases.find_words(list).collect();
            assert!(!expected.is_empty(), "{list:?}");
            assert_eq!(found, expected, "{list:?}");
        }
        assert!(context_phrases.find_words(ContextList::Id).count() > 10);
    }
}
