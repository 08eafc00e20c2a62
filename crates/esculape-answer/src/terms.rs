//! Content terms: the knowledge base's analyzers (folded, stop words dropped, stemmed),
//! so that the answer scores sentences with the same terms retrieval matched.

use esculape_text::Language;
use std::collections::BTreeSet;

/// The distinct content terms of `text` in `language`.
pub fn content_terms(language: Language, text: &str) -> BTreeSet<String> {
    esculape_kb::analyze(language, text)
        .into_iter()
        .filter(|term| !term.chars().all(|character| character.is_ascii_digit()))
        .collect()
}

/// Share of `terms` found in `other`, 0 when `terms` is empty.
pub fn share_found(terms: &BTreeSet<String>, other: &BTreeSet<String>) -> f32 {
    if terms.is_empty() {
        return 0.0;
    }
    terms.iter().filter(|term| other.contains(*term)).count() as f32 / terms.len() as f32
}

/// Jaccard similarity of two term sets (1 when both are empty).
pub fn jaccard(left: &BTreeSet<String>, right: &BTreeSet<String>) -> f32 {
    let union = left.union(right).count();
    if union == 0 {
        return 1.0;
    }
    left.intersection(right).count() as f32 / union as f32
}
