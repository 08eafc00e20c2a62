//! CIM-10 (French ICD-10, ATIH) labels: a code gives its label, words find codes.
//!
//! Input: the CSV `code,type,ssr,psy,short,long` (codes without dot, "I500"), as the
//! `cim10` pack ships it once decompressed.

use crate::error::{Error, Result};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// One CIM-10 code and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cim10Code {
    /// With its dot, as clinicians write it ("I50.0").
    pub code: String,
    pub label: String,
}

/// The CIM-10 table; immutable after loading.
#[derive(Debug)]
pub struct Cim10 {
    codes: Vec<Cim10Code>,
    folded_labels: Vec<String>,
    by_code: FxHashMap<String, u32>,
}

/// Little words a label search ignores.
const IGNORED_WORDS: &[&str] = &[
    "de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "en", "au", "aux",
];

impl Cim10 {
    /// Parses the CSV text (with its header line).
    pub fn from_csv(text: &str) -> Result<Cim10> {
        let mut codes = Vec::new();
        let mut by_code = FxHashMap::default();
        for (index, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let fields = csv_fields(line);
            let (Some(code), Some(label)) = (fields.first(), fields.get(5).or(fields.get(4)))
            else {
                return Err(Error::Cim10 {
                    line: index + 1,
                    reason: "expected 6 comma-separated fields".into(),
                });
            };
            let bare: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if bare.len() < 3 {
                continue;
            }
            let bare = bare.to_ascii_uppercase();
            by_code.insert(bare.clone(), codes.len() as u32);
            let dotted = if bare.len() > 3 {
                format!("{}.{}", &bare[..3], &bare[3..])
            } else {
                bare
            };
            codes.push(Cim10Code {
                code: dotted,
                label: label.trim().to_string(),
            });
        }
        if codes.is_empty() {
            return Err(Error::Cim10 {
                line: 0,
                reason: "no code found".into(),
            });
        }
        let folded_labels = codes
            .iter()
            .map(|code| esculape_text::fold(&code.label))
            .collect();
        Ok(Cim10 {
            codes,
            folded_labels,
            by_code,
        })
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The label of a code, written with or without its dot ("I50", "i50.0", "I500").
    pub fn lookup(&self, code: &str) -> Option<&Cim10Code> {
        let bare: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase();
        self.by_code
            .get(&bare)
            .map(|&position| &self.codes[position as usize])
    }

    /// Codes whose label holds every word of `query` (as a word prefix, case and accents
    /// folded), shortest labels first, then by code.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Cim10Code> {
        let folded = esculape_text::fold(query);
        let words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty() && !IGNORED_WORDS.contains(word))
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(usize, usize)> = self
            .folded_labels
            .iter()
            .enumerate()
            .filter(|(_, label)| {
                let label_words: Vec<&str> = label
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|word| !word.is_empty())
                    .collect();
                words.iter().all(|word| {
                    label_words
                        .iter()
                        .any(|label_word| label_word.starts_with(word))
                })
            })
            .map(|(position, label)| (label.len(), position))
            .collect();
        hits.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.codes[a.1].code.cmp(&self.codes[b.1].code))
        });
        hits.into_iter()
            .take(limit)
            .map(|(_, position)| &self.codes[position])
            .collect()
    }
}

/// Splits one CSV line, honouring double quotes.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut characters = line.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' if quoted && characters.peek() == Some(&'"') => {
                current.push('"');
                characters.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut current)),
            _ => current.push(character),
        }
    }
    fields.push(current);
    fields
}
