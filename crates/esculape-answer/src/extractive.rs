//! Extractive answers: the passages' own sentences that best cover the question, quoted
//! exactly and cited, or nothing when none reaches the support threshold.

use crate::addressed::is_addressed_to_model;
use crate::error::Result;
use crate::evidence::UsedPassage;
use crate::terms::{content_terms, jaccard, question_terms};
use esculape_text::Language;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A sentence of a passage, scored against the question.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Number of the passage it comes from.
    pub passage: usize,
    /// Index of its document among the evidence's distinct documents.
    pub document: usize,
    /// Byte range in the passage's text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Share of the question covered (see [`score_candidates`]).
    pub coverage: f32,
    /// Share of the question covered by the whole document this sentence comes from
    /// (the union of its evidence passages' terms, same weights as `coverage`).
    pub document_coverage: f32,
    /// Coverage plus the passage's rank bonus: the order of choice.
    pub score: f32,
    terms: BTreeSet<String>,
    /// Terms of the document title and section headings above the sentence.
    heading_terms: BTreeSet<String>,
}

/// How well the evidence as a whole supports an answer: the features of the abstention
/// decision, kept in the answer for the audit and for `esculape eval qa`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Support {
    /// The best share of the question one sentence covers.
    pub best_sentence_coverage: f32,
    /// The best share of the question one document covers (its evidence passages
    /// together): support concentrated in one source rather than scattered over several.
    pub best_document_coverage: f32,
    /// The same for the second-best document (0 when there is one document).
    pub second_document_coverage: f32,
    /// The highest cosine similarity between the question's and a passage's embeddings,
    /// when the pipeline has an embedder: support that shares the meaning rather than the
    /// words (abbreviations, synonyms).
    pub best_passage_similarity: Option<f32>,
    /// With an embedder: `best_passage_similarity + DOCUMENT_COVERAGE_WEIGHT ×
    /// best_document_coverage`, meaning and words together; the answer needs
    /// `dense_min_support`.
    pub support_score: Option<f32>,
}

/// How much the lexical document coverage counts beside the dense similarity in
/// [`Support::support_score`] (set a priori: words count half as much as meaning).
pub const DOCUMENT_COVERAGE_WEIGHT: f32 = 0.5;

impl Support {
    /// Fills in the dense measures from the best question–passage similarity.
    pub fn with_similarity(mut self, similarity: f32) -> Support {
        self.best_passage_similarity = Some(similarity);
        self.support_score =
            Some(similarity + DOCUMENT_COVERAGE_WEIGHT * self.best_document_coverage);
        self
    }
}

/// The [`Support`] of a set of scored candidates.
pub fn support(candidates: &[Candidate]) -> Support {
    let best_sentence_coverage = candidates
        .iter()
        .map(|candidate| candidate.coverage)
        .fold(0.0, f32::max);
    let mut documents: Vec<(usize, f32)> = candidates
        .iter()
        .map(|candidate| (candidate.document, candidate.document_coverage))
        .collect();
    documents.sort_by(|left, right| right.1.total_cmp(&left.1).then(left.0.cmp(&right.0)));
    // A document's sentences share its coverage, so they are now side by side.
    documents.dedup_by_key(|(document, _)| *document);
    Support {
        best_sentence_coverage,
        best_document_coverage: documents.first().map_or(0.0, |document| document.1),
        second_document_coverage: documents.get(1).map_or(0.0, |document| document.1),
        best_passage_similarity: None,
        support_score: None,
    }
}

/// Sentences shorter than this (in words) are headings or fragments, not answers.
const MIN_SENTENCE_WORDS: usize = 4;
/// Weight of the retrieval rank in the choice: a tie-breaker worth at most a tenth of
/// full coverage, for the best-ranked passage.
const RANK_BONUS: f32 = 0.1;

/// The weight of each of `terms` in passages of a language: their rarity in the index.
pub type Rarity<'a> = dyn FnMut(Language, &[&str]) -> Result<Vec<f32>> + 'a;

/// Scores every sentence of the passages against the question.
///
/// Support score (`coverage`): the question's content terms (the kb's analyzer of the
/// passage's language: folded, stop words dropped, stemmed; the question's own stop words
/// dropped too, see [`question_terms`]), each weighted by its rarity in the whole
/// knowledge base, as `rarity` gives it (the BM25 inverse document frequency over the
/// index's passages of that language, [`esculape_kb::TermStatistics::idf`]); coverage is
/// the weight of the terms a sentence shares with the question over the weight of all the
/// question's terms. A sentence also holds the terms of its document's title and of the
/// section headings above it: in a thesaurus entry "CLARITHROMYCINE + SIMVASTATINE" or
/// under a heading "Treatment", a sentence need not repeat what its heading says. Rarity comes from the index rather than from the retrieved
/// sentences, so that the words every source writes ("peut", "associer") weigh little
/// even when the few retrieved sentences seldom hold them; a question term that the index
/// does not hold keeps the highest weight, so a question about something the sources do
/// not mention cannot be "covered" by its common words.
pub fn score_candidates(
    question: &str,
    question_language: Language,
    passages: &[UsedPassage],
    rarity: &mut Rarity<'_>,
) -> Result<Vec<Candidate>> {
    let mut candidates = Vec::new();
    let mut question_terms_by_language: BTreeMap<Language, BTreeSet<String>> = BTreeMap::new();
    let mut candidate_languages = Vec::new();
    let mut documents: Vec<(&str, &str)> = Vec::new();
    for passage in passages {
        let language = Language::from_code(&passage.language).unwrap_or(question_language);
        question_terms_by_language
            .entry(language)
            .or_insert_with(|| question_terms(question, question_language, language));
        let heading_terms = content_terms(
            language,
            &format!("{}\n{}", passage.document_title, passage.heading_path),
        );
        for range in esculape_text::sentences(&passage.text) {
            let text = &passage.text[range.clone()];
            // A question (a FAQ heading such as "What are the symptoms of gout?") restates
            // the question and answers nothing.
            if esculape_text::words(text).count() < MIN_SENTENCE_WORDS
                || text.trim_end().ends_with('?')
                || is_addressed_to_model(text)
            {
                continue;
            }
            candidates.push(Candidate {
                passage: passage.number,
                start: range.start,
                end: range.end,
                text: text.to_string(),
                document: document_index(&mut documents, passage),
                coverage: 0.0,
                document_coverage: 0.0,
                score: 0.0,
                terms: content_terms(language, text),
                heading_terms: heading_terms.clone(),
            });
            candidate_languages.push(language);
        }
    }
    let mut document_terms: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); documents.len()];
    for candidate in &candidates {
        document_terms[candidate.document].extend(
            candidate
                .terms
                .iter()
                .chain(&candidate.heading_terms)
                .map(String::as_str),
        );
    }
    let mut weights: BTreeMap<(Language, &str), f32> = BTreeMap::new();
    for (language, terms) in &question_terms_by_language {
        let asked: Vec<&str> = terms.iter().map(String::as_str).collect();
        let rarities = rarity(*language, &asked)?;
        for (term, weight) in asked.into_iter().zip(rarities) {
            weights.insert((*language, term), weight.max(0.0));
        }
    }
    let mut scored = Vec::with_capacity(candidates.len());
    for (mut candidate, language) in candidates.clone().into_iter().zip(candidate_languages) {
        let terms = &question_terms_by_language[&language];
        let weight = |term: &String| {
            weights
                .get(&(language, term.as_str()))
                .copied()
                .unwrap_or(0.0)
        };
        let total: f32 = terms.iter().map(weight).sum();
        let covered: f32 = terms
            .iter()
            .filter(|term| {
                candidate.terms.contains(*term) || candidate.heading_terms.contains(*term)
            })
            .map(weight)
            .sum();
        let document_covered: f32 = terms
            .iter()
            .filter(|term| document_terms[candidate.document].contains(term.as_str()))
            .map(weight)
            .sum();
        candidate.coverage = if total > 0.0 { covered / total } else { 0.0 };
        candidate.document_coverage = if total > 0.0 {
            document_covered / total
        } else {
            0.0
        };
        candidate.score = candidate.coverage + RANK_BONUS / candidate.passage as f32;
        scored.push(candidate);
    }
    Ok(scored)
}

/// The index of `passage`'s document in `documents`, added when new.
fn document_index<'a>(documents: &mut Vec<(&'a str, &'a str)>, passage: &'a UsedPassage) -> usize {
    let key = (passage.pack.as_str(), passage.document_key.as_str());
    match documents.iter().position(|seen| *seen == key) {
        Some(index) => index,
        None => {
            documents.push(key);
            documents.len() - 1
        }
    }
}

/// Chooses up to `max_sentences` candidates at or above `min_coverage` whose document
/// covers at least `min_document_coverage` of the question, best first,
/// skipping near-repeats (term overlap above `max_redundancy`), then orders them: the
/// passage of the best sentence first, each passage's sentences in reading order.
pub fn choose_sentences(
    mut candidates: Vec<Candidate>,
    min_coverage: f32,
    min_document_coverage: f32,
    max_sentences: usize,
    max_redundancy: f32,
) -> Vec<Candidate> {
    candidates.sort_by(|left, right| {
        right
            .score
            .total_cmp(&left.score)
            .then_with(|| (left.passage, left.start).cmp(&(right.passage, right.start)))
    });
    let mut chosen: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if chosen.len() == max_sentences {
            break;
        }
        if candidate.coverage < min_coverage || candidate.document_coverage < min_document_coverage
        {
            continue;
        }
        let repeats = chosen.iter().any(|earlier| {
            earlier.text == candidate.text
                || jaccard(&earlier.terms, &candidate.terms) > max_redundancy
        });
        if !repeats {
            chosen.push(candidate);
        }
    }
    let passage_order: Vec<usize> = chosen.iter().fold(Vec::new(), |mut order, candidate| {
        if !order.contains(&candidate.passage) {
            order.push(candidate.passage);
        }
        order
    });
    chosen.sort_by_key(|candidate| {
        (
            passage_order
                .iter()
                .position(|passage| *passage == candidate.passage),
            candidate.start,
        )
    });
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(number: usize, document: &str, text: &str) -> UsedPassage {
        UsedPassage {
            number,
            retrieval_rank: number,
            retrieval_score: 1.0,
            chunk_id: format!("{document}#{number}"),
            pack: "pack".into(),
            source_title: "source".into(),
            publisher: "publisher".into(),
            version: "1".into(),
            published: None,
            licence: "licence".into(),
            document_key: document.into(),
            document_title: document.into(),
            heading_path: String::new(),
            url: None,
            date: None,
            language: "en".into(),
            start_char: 0,
            end_char: text.len() as u64,
            text: text.into(),
            evidence_text: text.into(),
            withheld_sentences: 0,
        }
    }

    fn uniform(_: Language, terms: &[&str]) -> Result<Vec<f32>> {
        Ok(vec![1.0; terms.len()])
    }

    #[test]
    fn a_rare_term_outweighs_common_words_shared_by_another_sentence() {
        let passages = [
            passage(
                1,
                "a",
                "The dose can be doubled when the combination cannot be avoided.",
            ),
            passage(
                2,
                "b",
                "Quorvastin is contraindicated with strong inhibitors.",
            ),
        ];
        let question = "Can the combination of quorvastin be avoided?";
        // Rarity as the index gives it: "quorvastin" is rare, the other words common.
        let mut rarity = |_: Language, terms: &[&str]| -> Result<Vec<f32>> {
            Ok(terms
                .iter()
                .map(|term| {
                    if term.starts_with("quorvastin") {
                        6.0
                    } else {
                        0.5
                    }
                })
                .collect())
        };
        let candidates =
            score_candidates(question, Language::English, &passages, &mut rarity).unwrap();
        let chosen = choose_sentences(candidates.clone(), 0.2, 0.0, 1, 0.7);
        assert_eq!(chosen[0].passage, 2, "{candidates:?}");
        // With every word weighing the same, the sentence with more common words wins.
        let uniform =
            score_candidates(question, Language::English, &passages, &mut uniform).unwrap();
        assert_eq!(choose_sentences(uniform, 0.2, 0.0, 1, 0.7)[0].passage, 1);
    }

    #[test]
    fn a_document_covers_what_its_sentences_cover_together() {
        let passages = [
            passage(
                1,
                "a",
                "Metformin lowers glucose in adults with diabetes. Lactic acidosis is rare in renal failure patients.",
            ),
            passage(
                2,
                "b",
                "Aspirin prevents stroke after a transient ischaemic attack.",
            ),
        ];
        let question = "Does metformin cause lactic acidosis in renal failure?";
        let candidates =
            score_candidates(question, Language::English, &passages, &mut uniform).unwrap();
        let support = support(&candidates);
        let best_sentence = candidates
            .iter()
            .filter(|candidate| candidate.document == 0)
            .map(|candidate| candidate.coverage)
            .fold(0.0, f32::max);
        assert!(
            support.best_document_coverage > best_sentence,
            "{support:?} vs {best_sentence}"
        );
        assert!(support.second_document_coverage < 0.05, "{support:?}");
        assert_eq!(support.best_passage_similarity, None);
        // A document threshold above what document a covers refuses every sentence.
        let none = choose_sentences(candidates.clone(), 0.1, 0.99, 4, 0.7);
        assert!(none.is_empty());
        let some = choose_sentences(candidates, 0.1, support.best_document_coverage, 4, 0.7);
        assert!(
            some.iter().all(|candidate| candidate.passage == 1),
            "{some:?}"
        );
        assert!(!some.is_empty());
    }

    #[test]
    fn the_support_score_adds_half_the_document_coverage_to_the_similarity() {
        let support = Support {
            best_document_coverage: 0.4,
            ..Support::default()
        }
        .with_similarity(0.6);
        assert_eq!(support.best_passage_similarity, Some(0.6));
        assert!((support.support_score.unwrap() - 0.8).abs() < 1e-6);
    }
}
