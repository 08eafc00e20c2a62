//! Evidence: the retrieved passages kept for the answer (diverse documents, best first),
//! numbered from 1, with their provenance and the text a model or the extractor may use.

use crate::addressed::is_addressed_to_model;
use esculape_kb::SearchHit;
use serde::Serialize;

/// A numbered passage, with everything an audit needs to find it again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsedPassage {
    /// The number answers cite (`[1]` is the first).
    pub number: usize,
    /// Rank in the retrieval results (1 = best).
    pub retrieval_rank: usize,
    pub retrieval_score: f32,
    pub chunk_id: String,
    pub pack: String,
    pub source_title: String,
    pub publisher: String,
    pub version: String,
    pub published: Option<String>,
    pub licence: String,
    pub document_key: String,
    pub document_title: String,
    pub heading_path: String,
    pub url: Option<String>,
    pub date: Option<String>,
    pub language: String,
    pub start_char: u64,
    pub end_char: u64,
    /// The passage exactly as in the source.
    pub text: String,
    /// The passage as evidence: sentences addressed to a language model replaced by "[…]".
    pub evidence_text: String,
    /// How many sentences were withheld that way.
    pub withheld_sentences: usize,
}

/// Keeps up to `max_passages` hits in retrieval order, at most `per_document` from one
/// document, so that one long document does not crowd out the others.
pub fn select_evidence(
    hits: &[SearchHit],
    max_passages: usize,
    per_document: usize,
) -> Vec<UsedPassage> {
    let mut taken: Vec<(String, String)> = Vec::new();
    let mut passages = Vec::new();
    for hit in hits {
        if passages.len() == max_passages {
            break;
        }
        let document = (hit.source.pack.clone(), hit.document_key.clone());
        if taken.iter().filter(|seen| **seen == document).count() >= per_document {
            continue;
        }
        taken.push(document);
        passages.push(used_passage(hit, passages.len() + 1));
    }
    passages
}

/// A hit as a numbered passage.
pub fn used_passage(hit: &SearchHit, number: usize) -> UsedPassage {
    let (evidence_text, withheld_sentences) = withhold_addressed_sentences(&hit.text);
    UsedPassage {
        number,
        retrieval_rank: hit.rank,
        retrieval_score: hit.score,
        chunk_id: hit.chunk_id.clone(),
        pack: hit.source.pack.clone(),
        source_title: hit.source.title.clone(),
        publisher: hit.source.publisher.clone(),
        version: hit.source.version.clone(),
        published: hit.source.published.clone(),
        licence: hit.source.licence.clone(),
        document_key: hit.document_key.clone(),
        document_title: hit.document_title.clone(),
        heading_path: hit.heading_path.clone(),
        url: hit.url.clone(),
        date: hit.date.clone(),
        language: hit.language.clone(),
        start_char: hit.start_char,
        end_char: hit.end_char,
        text: hit.text.clone(),
        evidence_text,
        withheld_sentences,
    }
}

fn withhold_addressed_sentences(text: &str) -> (String, usize) {
    let mut evidence = String::with_capacity(text.len());
    let mut withheld = 0;
    let mut position = 0;
    for range in esculape_text::sentences(text) {
        evidence.push_str(&text[position..range.start]);
        if is_addressed_to_model(&text[range.clone()]) {
            evidence.push_str("[…]");
            withheld += 1;
        } else {
            evidence.push_str(&text[range.clone()]);
        }
        position = range.end;
    }
    evidence.push_str(&text[position..]);
    (evidence, withheld)
}
