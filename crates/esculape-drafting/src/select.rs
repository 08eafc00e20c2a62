//! Extractive selection: each sentence of the notes is placed in the section whose heading
//! it falls under, or whose cues it matches best; the rest goes to the fallback section.

use crate::doctype::{DocumentType, SectionSpec};
use crate::inputs::InputSentence;

/// For each section of `document_type` (same order), the indexes of its sentences.
pub(crate) fn assign_sentences(
    document_type: &DocumentType,
    sentences: &[InputSentence],
) -> Vec<Vec<usize>> {
    let mut assigned = vec![Vec::new(); document_type.sections.len()];
    let fallback = document_type
        .sections
        .iter()
        .position(|section| section.fallback);
    for (index, sentence) in sentences.iter().enumerate() {
        let by_heading = sentence.heading.as_ref().and_then(|heading| {
            document_type
                .sections
                .iter()
                .position(|section| section.headings.contains(heading))
        });
        let chosen = by_heading.or_else(|| {
            let folded = esculape_text::fold(&sentence.text);
            let words: Vec<String> = esculape_text::words(&sentence.text)
                .map(|word| word.folded)
                .collect();
            let mut best: Option<(usize, usize)> = None;
            for (position, section) in document_type.sections.iter().enumerate() {
                let score = cue_score(section, &folded, &words);
                if score > 0 && best.is_none_or(|(_, best_score)| score > best_score) {
                    best = Some((position, score));
                }
            }
            best.map(|(position, _)| position).or(fallback)
        });
        if let Some(position) = chosen {
            assigned[position].push(index);
        }
    }
    assigned
}

/// How many of the section's cues the sentence matches: a one-word cue is a prefix of a
/// word; a phrase must appear in the folded sentence at a word start.
pub(crate) fn cue_score(section: &SectionSpec, folded_sentence: &str, words: &[String]) -> usize {
    section
        .cues
        .iter()
        .filter(|cue| {
            if cue.contains([' ', '\'', '-']) {
                folded_sentence
                    .match_indices(cue.as_str())
                    .any(|(start, _)| {
                        folded_sentence[..start]
                            .chars()
                            .next_back()
                            .is_none_or(|character| !character.is_alphanumeric())
                    })
            } else {
                words.iter().any(|word| word.starts_with(cue.as_str()))
            }
        })
        .count()
}

/// For each section of `document_type`, whether some sentence of `text` carries one of
/// its headings or cues: the items the input can be said to contain (used to measure
/// coverage).
pub fn sections_with_cues(document_type: &DocumentType, text: &str) -> Vec<bool> {
    let folded = esculape_text::fold(text);
    let words: Vec<String> = esculape_text::words(text).map(|word| word.folded).collect();
    document_type
        .sections
        .iter()
        .map(|section| {
            cue_score(section, &folded, &words) > 0
                || section.headings.iter().any(|heading| {
                    folded.contains(&format!("{heading} :"))
                        || folded.contains(&format!("{heading}:"))
                })
        })
        .collect()
}
