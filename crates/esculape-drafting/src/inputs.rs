//! The inputs, pseudonymized first (fail closed), split into numbered sentences whose
//! offsets point back into the original text the clinician wrote.

use crate::error::Result;
use esculape_pseudo::{Pseudonymized, Scope};
use serde::Serialize;
use std::ops::Range;

/// One input document as the clinician gave it (notes, a transcript, a treatment list, a
/// document of a synthesis).
#[derive(Debug, Clone)]
pub struct InputDocument {
    /// A short name shown in links ("notes.txt", "CR opératoire").
    pub name: String,
    pub text: String,
}

impl InputDocument {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> InputDocument {
        InputDocument {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// Where a sentence of the output comes from: a span of one input document, in the
/// original text (byte and character offsets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Span {
    /// Index of the input document ([`crate::Draft::sources`]).
    pub document: usize,
    pub start: usize,
    pub end: usize,
    pub start_char: usize,
    pub end_char: usize,
    /// The passage itself (original text), so a saved draft shows what it rests on
    /// without its notes. The store seals it with the rest of the draft.
    #[serde(default)]
    pub quote: String,
}

/// An input document after pseudonymization.
pub(crate) struct PseudonymizedDocument {
    pub original: String,
    pub pseudonymized: Pseudonymized<String>,
    /// For each replacement: (range in the pseudonymized text, range in the original).
    replacements: Vec<(Range<usize>, Range<usize>)>,
}

/// One sentence of the inputs, numbered across all documents (1-based, as cited).
#[derive(Debug, Clone)]
pub(crate) struct InputSentence {
    pub number: usize,
    pub document: usize,
    /// Byte range in the pseudonymized text of its document.
    pub range: Range<usize>,
    /// The pseudonymized sentence.
    pub text: String,
    /// Folded label of a heading the sentence starts with, or follows, in its paragraph.
    pub heading: Option<String>,
}

/// Pseudonymizes every document in one scope (the same person gets the same surrogate in
/// all of them). Any detector error fails the whole draft.
pub(crate) fn pseudonymize_documents(
    documents: &[InputDocument],
    scope: &mut Scope,
    config: &esculape_pseudo::Config,
) -> Result<Vec<PseudonymizedDocument>> {
    let mut output = Vec::with_capacity(documents.len());
    for document in documents {
        let pseudonymized = esculape_pseudo::pseudonymize(&document.text, scope, config)?;
        let replacements = pseudonymized
            .findings()
            .iter()
            .zip(pseudonymized.replacement_ranges())
            .filter_map(|(finding, replacement)| {
                replacement
                    .clone()
                    .map(|range| (range, finding.start..finding.end))
            })
            .collect();
        output.push(PseudonymizedDocument {
            original: document.text.clone(),
            pseudonymized,
            replacements,
        });
    }
    Ok(output)
}

impl PseudonymizedDocument {
    pub fn text(&self) -> &str {
        self.pseudonymized.value()
    }

    /// The original offset of a byte offset of the pseudonymized text. An offset inside a
    /// replacement maps to the start (for a start) or the end (for an end) of the original.
    pub fn original_offset(&self, offset: usize, is_end: bool) -> usize {
        let mut shift: isize = 0;
        for (replaced, original) in &self.replacements {
            if offset < replaced.start || (offset == replaced.start && !is_end) {
                break;
            }
            if offset < replaced.end || (offset == replaced.end && is_end) {
                return if is_end { original.end } else { original.start };
            }
            shift = original.end as isize - replaced.end as isize;
        }
        (offset as isize + shift).clamp(0, self.original.len() as isize) as usize
    }

    /// The span in the original text of `range` (pseudonymized offsets).
    pub fn span(&self, document: usize, range: &Range<usize>) -> Span {
        let start = self.original_offset(range.start, false);
        let end = self.original_offset(range.end, true).max(start);
        Span {
            document,
            start,
            end,
            start_char: esculape_text::char_offset(&self.original, start),
            end_char: esculape_text::char_offset(&self.original, end),
            quote: self.original[start..end].to_string(),
        }
    }
}

/// Every sentence of the documents, numbered from 1, with the heading it belongs to.
pub(crate) fn input_sentences(
    documents: &[PseudonymizedDocument],
    headings: &[String],
) -> Vec<InputSentence> {
    let mut sentences = Vec::new();
    for (document_index, document) in documents.iter().enumerate() {
        let text = document.text();
        // A heading alone on its line opens a block that a blank line closes; a heading
        // followed by text on its line covers that line only.
        let mut block_heading: Option<String> = None;
        let mut line_heading: Option<String> = None;
        let mut previous_end = 0;
        for range in line_aware_sentences(text) {
            let gap = &text[previous_end..range.start];
            if gap.contains("\n\n") {
                block_heading = None;
            }
            if gap.contains('\n') {
                line_heading = None;
            }
            previous_end = range.end;
            let mut range = range.clone();
            if let Some((heading, content_start)) = heading_of(&text[range.clone()], headings) {
                // The label itself is not content: the sentence starts after its colon.
                range.start += content_start;
                if range.start >= range.end {
                    block_heading = Some(heading);
                    line_heading = None;
                } else {
                    line_heading = Some(heading);
                }
            }
            let current_heading = line_heading.clone().or_else(|| block_heading.clone());
            let sentence = &text[range.clone()];
            if !sentence.chars().any(char::is_alphanumeric) {
                continue;
            }
            sentences.push(InputSentence {
                number: sentences.len() + 1,
                document: document_index,
                range: range.clone(),
                text: sentence.to_string(),
                heading: current_heading.clone(),
            });
        }
    }
    sentences
}

/// Sentences, also cut at line breaks: notes are often one fact per line without a period.
fn line_aware_sentences(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for range in esculape_text::sentences(text) {
        let mut start = range.start;
        for (offset, _) in text[range.clone()].match_indices('\n') {
            let end = range.start + offset;
            push_trimmed(text, start..end, &mut ranges);
            start = end + 1;
        }
        push_trimmed(text, start..range.end, &mut ranges);
    }
    ranges
}

fn push_trimmed(text: &str, range: Range<usize>, ranges: &mut Vec<Range<usize>>) {
    let piece = &text[range.clone()];
    let leading = piece.len() - piece.trim_start().len();
    let trailing = piece.len() - piece.trim_end().len();
    if leading + trailing < piece.len() {
        ranges.push(range.start + leading..range.end - trailing);
    }
}

/// The heading a sentence starts with ("Motif : …", "ANTÉCÉDENTS :"), folded, and the
/// byte offset where its content starts (after the colon and spaces).
fn heading_of(sentence: &str, headings: &[String]) -> Option<(String, usize)> {
    let colon = sentence.find(':')?;
    let label = esculape_text::fold(
        sentence[..colon]
            .trim()
            .trim_start_matches(['-', '*', '#', ' ']),
    );
    if label.is_empty() || label.split_whitespace().count() > 5 {
        return None;
    }
    let after = &sentence[colon + 1..];
    let content_start = colon + 1 + (after.len() - after.trim_start().len());
    headings
        .iter()
        .find(|heading| **heading == label)
        .map(|heading| (heading.clone(), content_start))
}
