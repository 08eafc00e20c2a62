//! The French and English analyzers behind BM25: folding, elisions, stop words, stemming.

use esculape_text::{Language, is_elision, is_stop_word, words};
use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name under which the French analyzer is registered in the index.
pub const FRENCH_ANALYZER: &str = "clinical_fr";
/// Name under which the English analyzer is registered in the index.
pub const ENGLISH_ANALYZER: &str = "clinical_en";

/// Words longer than this (in bytes) are not indexed: they are noise (tables, hashes).
const MAX_WORD_BYTES: usize = 48;

/// Builds the analyzer for `language`: folded words (esculape-text), French elisions and
/// stop words removed, then the Snowball stemmer of the language on the folded words.
pub fn analyzer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(ClinicalTokenizer { language }).build()
}

/// Snowball stem of a folded word, memoized per thread: a corpus repeats its words, and
/// stemming was a third of indexing time before the cache.
fn stem(language: Language, word: &str) -> String {
    const CACHE_LIMIT: usize = 200_000;
    thread_local! {
        static CACHES: RefCell<[HashMap<String, String>; 3]> = RefCell::new(Default::default());
    }
    let (slot, algorithm) = match language {
        Language::French => (0, frostem::Algorithm::French),
        Language::English => (1, frostem::Algorithm::English),
        Language::Spanish => (2, frostem::Algorithm::Spanish),
    };
    CACHES.with(|caches| {
        let cache = &mut caches.borrow_mut()[slot];
        if let Some(stemmed) = cache.get(word) {
            return stemmed.clone();
        }
        let stemmed = frostem::Stemmer::new(algorithm).stem(word).into_owned();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.to_string(), stemmed.clone());
        stemmed
    })
}

/// Analyzes `text` into its index terms, in order.
pub fn analyze(language: Language, text: &str) -> Vec<String> {
    analyze_with_offsets(language, text)
        .into_iter()
        .map(|(term, _)| term)
        .collect()
}

/// Analyzes `text` and returns each term with its byte range in `text`.
pub fn analyze_with_offsets(
    language: Language,
    text: &str,
) -> Vec<(String, std::ops::Range<usize>)> {
    let mut analyzer = analyzer(language);
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        terms.push((token.text.clone(), token.offset_from..token.offset_to));
    }
    terms
}

#[derive(Clone)]
struct ClinicalTokenizer {
    language: Language,
}

struct ClinicalTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl Tokenizer for ClinicalTokenizer {
    type TokenStream<'a> = ClinicalTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ClinicalTokenStream {
        let mut tokens = Vec::new();
        for word in words(text) {
            if self.language == Language::French && is_elision(&word.folded) {
                continue;
            }
            if is_stop_word(self.language, &word.folded) || word.folded.len() >= MAX_WORD_BYTES {
                continue;
            }
            tokens.push(Token {
                offset_from: word.start,
                offset_to: word.end,
                position: tokens.len(),
                text: stem(self.language, &word.folded),
                position_length: 1,
            });
        }
        ClinicalTokenStream {
            tokens: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for ClinicalTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_plural_accent_and_elision_variants_meet() {
        assert_eq!(
            analyze(Language::French, "l'hypertension artérielle"),
            analyze(Language::French, "Hypertensions arterielles")
        );
        assert_eq!(
            analyze(Language::French, "d'anticoagulants"),
            analyze(Language::French, "anticoagulant")
        );
    }

    #[test]
    fn stop_words_go_and_negations_stay() {
        assert_eq!(analyze(Language::French, "le la les sans"), ["san"]);
        assert_eq!(analyze(Language::English, "the patient"), ["patient"]);
    }

    #[test]
    fn offsets_point_at_the_original_word() {
        let text = "Œdème pulmonaire";
        let terms = analyze_with_offsets(Language::French, text);
        assert_eq!(&text[terms[0].1.clone()], "Œdème");
    }
}
