//! Sentence-level verification, the same for both modes: a sentence is shown as a fact
//! only when it cites passages, every number and drug name in it appears in a cited
//! passage, and the cited text supports its content.

use crate::addressed::is_addressed_to_model;
use crate::numbers::{number_is_supported, numbers};
use crate::terms::{content_terms, share_found};
use esculape_text::Language;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// Why a sentence failed verification.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// The sentence cites no passage.
    NoCitation,
    /// It cites a passage number that was not given.
    UnknownCitation { passage: usize },
    /// A number (with its unit) appears in no cited passage.
    NumberNotInSource { number: String },
    /// A drug name appears in no cited passage.
    DrugNotInSource { drug: String },
    /// Too few of its content terms are in the cited passages.
    LowSupport { support: f32, threshold: f32 },
    /// It talks to a language model rather than about medicine.
    AddressedToModel,
}

/// The outcome of verifying one sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    pub verified: bool,
    /// Share of the sentence's content terms found in its cited passages (0–1).
    pub support: f32,
    pub problems: Vec<Problem>,
}

/// Drug names to check, folded, one word each (INNs and brand names). Built by the caller
/// from a terminology file (`terminology/atc_drug_names_fr.json`), empty when it has none.
#[derive(Debug, Clone, Default)]
pub struct DrugNames {
    folded: HashSet<String>,
}

impl DrugNames {
    /// Keeps the one-word names of at least four letters: multi-word entries mix drug
    /// names with ordinary words ("en association").
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> DrugNames {
        let folded = names
            .into_iter()
            .filter_map(|name| {
                let words: Vec<String> =
                    esculape_text::words(name).map(|word| word.folded).collect();
                match words.as_slice() {
                    [single] if single.chars().count() >= 4 => Some(single.clone()),
                    _ => None,
                }
            })
            .collect();
        DrugNames { folded }
    }

    pub fn len(&self) -> usize {
        self.folded.len()
    }

    pub fn is_empty(&self) -> bool {
        self.folded.is_empty()
    }

    /// The known drug names in `text` (folded), each once, in order of appearance.
    pub fn mentions(&self, text: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for word in esculape_text::words(text) {
            if self.contains(&word.folded) && !found.contains(&word.folded) {
                found.push(word.folded);
            }
        }
        found
    }

    fn contains(&self, folded_word: &str) -> bool {
        self.folded.contains(folded_word)
    }
}

/// What a sentence is checked against: the text of every numbered passage.
#[derive(Debug, Clone, Copy)]
pub struct VerificationContext<'a> {
    /// Passage `n` is `passages[n - 1]`, as the model read it.
    pub passages: &'a [&'a str],
    pub language: Language,
    pub drug_names: &'a DrugNames,
    pub min_citation_support: f32,
}

/// Verifies `sentence` (citation markers removed) citing `citations`.
pub fn verify_sentence(
    sentence: &str,
    citations: &[usize],
    context: &VerificationContext<'_>,
) -> Verification {
    let mut problems = Vec::new();
    if citations.is_empty() {
        problems.push(Problem::NoCitation);
    }
    let mut cited = String::new();
    for &passage in citations {
        match passage
            .checked_sub(1)
            .and_then(|index| context.passages.get(index))
        {
            Some(text) => {
                cited.push_str(text);
                cited.push('\n');
            }
            None => problems.push(Problem::UnknownCitation { passage }),
        }
    }
    if is_addressed_to_model(sentence) {
        problems.push(Problem::AddressedToModel);
    }
    let cited_numbers = numbers(&cited);
    for number in numbers(sentence) {
        if !number_is_supported(&number, &cited_numbers) {
            let written = match &number.unit {
                Some(unit) => format!("{} {unit}", number.written),
                None => number.written.clone(),
            };
            problems.push(Problem::NumberNotInSource { number: written });
        }
    }
    let cited_words: HashSet<String> = esculape_text::words(&cited)
        .map(|word| word.folded)
        .collect();
    let mut reported = HashSet::new();
    for word in esculape_text::words(sentence) {
        if context.drug_names.contains(&word.folded)
            && !cited_words.contains(&word.folded)
            && reported.insert(word.folded.clone())
        {
            problems.push(Problem::DrugNotInSource {
                drug: sentence[word.start..word.end].to_string(),
            });
        }
    }
    let sentence_terms = content_terms(context.language, sentence);
    let cited_terms: BTreeSet<String> = content_terms(context.language, &cited);
    let support = share_found(&sentence_terms, &cited_terms);
    if support < context.min_citation_support {
        problems.push(Problem::LowSupport {
            support,
            threshold: context.min_citation_support,
        });
    }
    Verification {
        verified: problems.is_empty(),
        support,
        problems,
    }
}

/// Splits the citation markers (`[2]`, `[1, 3]`, `[1][2]`) out of a sentence: the text
/// without them (spaces tidied) and the cited numbers, in order, without repeats.
pub fn split_citations(sentence: &str) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(sentence.len());
    let mut citations = Vec::new();
    let mut rest = sentence;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|offset| open + offset) else {
            break;
        };
        let inside = &rest[open + 1..close];
        let numbers: Option<Vec<usize>> = inside
            .split([',', ';', ' '])
            .filter(|part| !part.is_empty())
            .map(|part| part.parse::<usize>().ok())
            .collect();
        text.push_str(&rest[..open]);
        match numbers {
            Some(numbers) if !numbers.is_empty() => {
                for number in numbers {
                    if !citations.contains(&number) {
                        citations.push(number);
                    }
                }
            }
            _ => text.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    let mut tidy = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for punctuation in [" .", " ,"] {
        tidy = tidy.replace(punctuation, &punctuation[1..]);
    }
    (tidy, citations)
}
