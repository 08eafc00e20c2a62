//! Contradictions between documents: the same measurement or treatment (the word before a
//! number with a unit: "hémoglobine à 9 g/dl", "amlodipine 5 mg") given different values
//! by different documents. Pointed out for the clinician, never resolved.

use crate::inputs::{InputSentence, PseudonymizedDocument, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One value of a measurement as a document gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// As written, with its unit ("9 g/dl").
    pub written: String,
    pub span: Span,
}

/// The same thing measured differently by two or more documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contradiction {
    /// The folded word the values belong to ("hemoglobine").
    pub subject: String,
    /// The folded unit the values share ("g/dl").
    pub unit: String,
    pub mentions: Vec<Mention>,
}

/// Words that come before a number without naming what it measures.
const NOT_SUBJECTS: &[&str] = &[
    "de",
    "du",
    "des",
    "a",
    "au",
    "aux",
    "la",
    "le",
    "les",
    "est",
    "etait",
    "sont",
    "etaient",
    "et",
    "ou",
    "avec",
    "sans",
    "sur",
    "par",
    "pour",
    "en",
    "un",
    "une",
    "entre",
    "puis",
    "vers",
    "environ",
    "apres",
    "avant",
    "dose",
    "valeur",
    "taux",
    "chiffre",
    "mesure",
    "mesuree",
    "mesure",
    "retrouve",
    "retrouvee",
    "estime",
    "estimee",
];

/// Contradictions among `sentences` of `documents` (only across different documents).
pub(crate) fn find_contradictions(
    documents: &[PseudonymizedDocument],
    sentences: &[InputSentence],
) -> Vec<Contradiction> {
    // (subject, unit) → value → mentions.
    type Values = BTreeMap<String, Vec<Mention>>;
    let mut by_subject: BTreeMap<(String, String), Values> = BTreeMap::new();
    for sentence in sentences {
        let words: Vec<esculape_text::Word> = esculape_text::words(&sentence.text).collect();
        let mut search_from = 0;
        for mention in esculape_answer::numbers(&sentence.text) {
            let Some(unit) = mention.unit.clone() else {
                continue;
            };
            let Some(found) = sentence.text[search_from..].find(&mention.written) else {
                continue;
            };
            let start = search_from + found;
            search_from = start + mention.written.len();
            let subject = words
                .iter()
                .rev()
                .filter(|word| word.end <= start)
                .take(3)
                .find(|word| {
                    word.folded.chars().count() >= 3
                        && word.folded.chars().all(char::is_alphabetic)
                        && !NOT_SUBJECTS.contains(&word.folded.as_str())
                })
                .map(|word| word.folded.clone());
            let Some(subject) = subject else {
                continue;
            };
            let range_in_document =
                sentence.range.start + start..sentence.range.start + search_from;
            let document = &documents[sentence.document];
            let span = document.span(sentence.document, &range_in_document);
            let written = format!(
                "{} {}",
                &document.original[span.start..span.end],
                unit_as_written(&sentence.text[search_from..])
            )
            .trim()
            .to_string();
            by_subject
                .entry((subject, unit))
                .or_default()
                .entry(mention.value.clone())
                .or_default()
                .push(Mention { written, span });
        }
    }
    let mut contradictions = Vec::new();
    for ((subject, unit), values) in by_subject {
        if values.len() < 2 {
            continue;
        }
        let documents: std::collections::BTreeSet<usize> = values
            .values()
            .flatten()
            .map(|mention| mention.span.document)
            .collect();
        if documents.len() < 2 {
            continue;
        }
        contradictions.push(Contradiction {
            subject,
            unit,
            mentions: values.into_values().flatten().collect(),
        });
    }
    contradictions
}

/// The unit right after a number, as written ("g/dL" in " g/dL, puis…").
fn unit_as_written(after: &str) -> &str {
    let trimmed = after.trim_start();
    let end = trimmed
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')' | '('))
        .unwrap_or(trimmed.len());
    trimmed[..end].trim_end_matches('.')
}
