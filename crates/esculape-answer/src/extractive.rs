//! Extractive answers: the passages' own sentences that best cover the question, quoted
//! exactly and cited, or nothing when none reaches the support threshold.

use crate::addressed::is_addressed_to_model;
use crate::evidence::UsedPassage;
use crate::terms::{content_terms, jaccard};
use esculape_text::Language;
use std::collections::{BTreeMap, BTreeSet};

/// A sentence of a passage, scored against the question.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Number of the passage it comes from.
    pub passage: usize,
    /// Byte range in the passage's text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Share of the question covered (see [`score_candidates`]).
    pub coverage: f32,
    /// Coverage plus the passage's rank bonus: the order of choice.
    pub score: f32,
    terms: BTreeSet<String>,
}

/// Sentences shorter than this (in words) are headings or fragments, not answers.
const MIN_SENTENCE_WORDS: usize = 4;
/// Weight of the retrieval rank in the choice: a tie-breaker worth at most a tenth of
/// full coverage, for the best-ranked passage.
const RANK_BONUS: f32 = 0.1;

/// Scores every sentence of the passages against the question.
///
/// Support score (`coverage`): the question's content terms (the kb's analyzer of the
/// passage's language: folded, stop words dropped, stemmed), each weighted by its rarity
/// among the candidate sentences, `w(t) = ln(1 + (N + 1) / (df(t) + 1))` with `N`
/// sentences of which `df(t)` hold `t`; coverage is the weight of the terms a sentence
/// shares with the question over the weight of all the question's terms. A question term
/// that no retrieved sentence holds keeps the highest weight, so a question about
/// something the sources do not mention cannot be "covered" by its common words.
pub fn score_candidates(
    question: &str,
    question_language: Language,
    passages: &[UsedPassage],
) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    let mut question_terms: BTreeMap<Language, BTreeSet<String>> = BTreeMap::new();
    let mut candidate_languages = Vec::new();
    for passage in passages {
        let language = Language::from_code(&passage.language).unwrap_or(question_language);
        question_terms
            .entry(language)
            .or_insert_with(|| content_terms(language, question));
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
                coverage: 0.0,
                score: 0.0,
                terms: content_terms(language, text),
            });
            candidate_languages.push(language);
        }
    }
    let count = candidates.len() as f32;
    let mut weights: BTreeMap<(Language, &str), f32> = BTreeMap::new();
    for (language, terms) in &question_terms {
        for term in terms {
            let holding = candidates
                .iter()
                .zip(&candidate_languages)
                .filter(|(candidate, candidate_language)| {
                    *candidate_language == language && candidate.terms.contains(term)
                })
                .count() as f32;
            weights.insert(
                (*language, term.as_str()),
                (1.0 + (count + 1.0) / (holding + 1.0)).ln(),
            );
        }
    }
    let mut scored = Vec::with_capacity(candidates.len());
    for (mut candidate, language) in candidates.clone().into_iter().zip(candidate_languages) {
        let terms = &question_terms[&language];
        let total: f32 = terms
            .iter()
            .map(|term| weights[&(language, term.as_str())])
            .sum();
        let covered: f32 = terms
            .iter()
            .filter(|term| candidate.terms.contains(*term))
            .map(|term| weights[&(language, term.as_str())])
            .sum();
        candidate.coverage = if total > 0.0 { covered / total } else { 0.0 };
        candidate.score = candidate.coverage + RANK_BONUS / candidate.passage as f32;
        scored.push(candidate);
    }
    scored
}

/// Chooses up to `max_sentences` candidates at or above `min_coverage`, best first,
/// skipping near-repeats (term overlap above `max_redundancy`), then orders them: the
/// passage of the best sentence first, each passage's sentences in reading order.
pub fn choose_sentences(
    mut candidates: Vec<Candidate>,
    min_coverage: f32,
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
        if candidate.coverage < min_coverage {
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
