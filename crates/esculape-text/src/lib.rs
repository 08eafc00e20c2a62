//! Clinical text analysis for French and English: folding, word tokens, sentences,
//! stop words, language guess and medical abbreviations.
//!
//! Every function here is total: odd input (control characters, mixed scripts, empty
//! strings) gives a result, never a panic. Offsets are byte offsets into the input
//! unless a name says `char`.
//!
//! ```
//! use esculape_text::{fold, words, Language};
//! assert_eq!(fold("Artérielle ŒDÈME"), "arterielle oedeme");
//! let tokens: Vec<_> = words("L'HTA de la femme enceinte").map(|w| w.folded).collect();
//! assert_eq!(tokens, ["l", "hta", "de", "la", "femme", "enceinte"]);
//! assert_eq!(esculape_text::guess_language("Quelle est la conduite à tenir ?"), Some(Language::French));
//! ```

mod abbreviations;
mod fold;
mod language;
mod sentences;
mod stopwords;
mod words;

pub use abbreviations::{Abbreviation, Abbreviations, Alternative};
pub use fold::{fold, fold_char_into};
pub use language::{Language, guess_language};
pub use sentences::sentences;
pub use stopwords::{is_elision, is_stop_word};
pub use words::{Word, words};

/// Converts a byte offset of `text` into a character (Unicode scalar value) offset.
///
/// Offsets past the end are clamped; offsets inside a multi-byte character count it.
pub fn char_offset(text: &str, byte_offset: usize) -> usize {
    let end = byte_offset.min(text.len());
    let mut boundary = end;
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    text[..boundary].chars().count()
}
