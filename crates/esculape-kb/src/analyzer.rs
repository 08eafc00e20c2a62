//! The French and English analyzers behind BM25: folding, elisions, stop words, stemming.

use esculape_text::{Language, is_elision, is_stop_word, words};
use tantivy::tokenizer::{RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name under which the French analyzer is registered in the index.
pub const FRENCH_ANALYZER: &str = "clinical_fr";
/// Name under which the English analyzer is registered in the index.
pub const ENGLISH_ANALYZER: &str = "clinical_en";

/// Builds the analyzer for `language`: folded words (esculape-text), French elisions and
/// stop words removed, then the Snowball stemmer of the language on the folded words.
pub fn analyzer(language: Language) -> TextAnalyzer {
    let stemmer_language = match language {
        Language::French => tantivy::tokenizer::Language::French,
        Language::English => tantivy::tokenizer::Language::English,
        Language::Spanish => tantivy::tokenizer::Language::Spanish,
    };
    TextAnalyzer::builder(ClinicalTokenizer { language })
        .filter(RemoveLongFilter::limit(48))
        .filter(Stemmer::new(stemmer_language))
        .build()
}

/// Analyzes `text` into its index terms, in order.
pub fn analyze(language: Language, text: &str) -> Vec<String> {
    let mut analyzer = analyzer(language);
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
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
            if is_stop_word(self.language, &word.folded) {
                continue;
            }
            tokens.push(Token {
                offset_from: word.start,
                offset_to: word.end,
                position: tokens.len(),
                text: word.folded,
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
