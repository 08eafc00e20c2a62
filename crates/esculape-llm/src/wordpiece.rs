//! The BERT uncased tokenizer: text cleaning, lowercasing and accent stripping,
//! punctuation splitting, then greedy longest-match WordPiece over the model's vocabulary.

use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// A WordPiece vocabulary and its special tokens.
#[derive(Debug)]
pub(crate) struct WordPiece {
    ids: HashMap<String, u32>,
    pub unknown: u32,
    pub classifier: u32,
    pub separator: u32,
}

const MAX_WORD_CHARS: usize = 100;

impl WordPiece {
    /// Reads `vocab.txt`: one token per line, its id being the line number.
    pub fn from_vocab(text: &str) -> Result<WordPiece, String> {
        let ids: HashMap<String, u32> = text
            .lines()
            .enumerate()
            .map(|(index, token)| (token.to_string(), index as u32))
            .collect();
        let get = |token: &str| {
            ids.get(token)
                .copied()
                .ok_or_else(|| format!("the vocabulary has no {token} token"))
        };
        Ok(WordPiece {
            unknown: get("[UNK]")?,
            classifier: get("[CLS]")?,
            separator: get("[SEP]")?,
            ids,
        })
    }

    /// Token ids of `text` framed by [CLS] and [SEP], cut to `max_tokens` in all.
    pub fn encode(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        let mut ids = vec![self.classifier];
        let budget = max_tokens.saturating_sub(1);
        'words: for word in basic_tokens(text) {
            for id in self.word_pieces(&word) {
                if ids.len() >= budget {
                    break 'words;
                }
                ids.push(id);
            }
        }
        ids.push(self.separator);
        ids
    }

    fn word_pieces(&self, word: &str) -> Vec<u32> {
        let characters: Vec<char> = word.chars().collect();
        if characters.len() > MAX_WORD_CHARS {
            return vec![self.unknown];
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        let mut candidate = String::new();
        while start < characters.len() {
            let mut end = characters.len();
            let mut found = None;
            while start < end {
                candidate.clear();
                if start > 0 {
                    candidate.push_str("##");
                }
                candidate.extend(&characters[start..end]);
                if let Some(&id) = self.ids.get(&candidate) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => pieces.push(id),
                None => return vec![self.unknown],
            }
            start = end;
        }
        pieces
    }
}

/// BERT's basic tokenization for an uncased model.
fn basic_tokens(text: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(text.len());
    for character in text.chars() {
        if character == '\0'
            || character == '\u{FFFD}'
            || (character.is_control() && !character.is_whitespace())
        {
            continue;
        }
        if is_cjk(character) {
            cleaned.push(' ');
            cleaned.push(character);
            cleaned.push(' ');
        } else if character.is_whitespace() {
            cleaned.push(' ');
        } else {
            cleaned.push(character);
        }
    }
    let lowered = cleaned.to_lowercase();
    let stripped: String = lowered
        .nfd()
        .filter(|character| !is_mark(*character))
        .collect();
    let mut tokens = Vec::new();
    for word in stripped.split_whitespace() {
        let mut current = String::new();
        for character in word.chars() {
            if is_punctuation(character) {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
                tokens.push(character.to_string());
            } else {
                current.push(character);
            }
        }
        if !current.is_empty() {
            tokens.push(current);
        }
    }
    tokens
}

fn is_mark(character: char) -> bool {
    matches!(character as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

// BERT treats all non-letter-or-digit ASCII as punctuation, plus Unicode punctuation; the
// general punctuation block and common typographic marks cover French and English text.
fn is_punctuation(character: char) -> bool {
    character.is_ascii_punctuation()
        || matches!(character as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3000..=0x303F)
        || matches!(character, '¡' | '§' | '«' | '¶' | '·' | '»' | '¿')
}

fn is_cjk(character: char) -> bool {
    matches!(character as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> WordPiece {
        let tokens = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "heart", "##burn", "burn", "a", "##s",
            "cafe", ",", "!",
        ];
        WordPiece::from_vocab(&tokens.join("\n")).unwrap()
    }

    #[test]
    fn splits_words_into_longest_pieces() {
        // heartburn -> heart ##burn; "Café," -> cafe ,; unknown word -> [UNK].
        assert_eq!(
            vocabulary().encode("The HEARTBURN, Café! xyz", 64),
            [2, 4, 5, 6, 11, 10, 12, 1, 3]
        );
    }

    #[test]
    fn truncates_to_the_budget_keeping_the_separator() {
        assert_eq!(vocabulary().encode("the the the the", 4), [2, 4, 4, 3]);
    }
}
