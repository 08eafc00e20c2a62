//! The pipeline: question → language → pseudonymization → retrieval → evidence → answer
//! (generative, or extractive as default and fallback) → verification → re-identification.

use crate::config::{AnswerConfig, AnswerMode};
use crate::error::{Error, Result};
use crate::evidence::{UsedPassage, select_evidence};
use crate::extractive::{Support, choose_sentences, score_candidates, support};
use crate::generative::{generate_verified, prompt};
use crate::verify::{DrugNames, Verification, VerificationContext, verify_sentence};
use esculape_kb::{KnowledgeBase, SearchMode, SearchRequest};
use esculape_llm::{Embedder, Generator};
use esculape_pseudo::{Pseudonymized, Scope};
use esculape_text::Language;
use serde::Serialize;
use std::time::Instant;

/// One sentence of an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerSentence {
    pub text: String,
    /// Numbers of the passages it cites ([`Answer::passages`]).
    pub citations: Vec<usize>,
    pub verification: Verification,
    /// Extractive mode: the share of the question this sentence covers.
    pub question_coverage: Option<f32>,
}

/// What the pipeline ran with, for the audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerSettings {
    pub requested_mode: AnswerMode,
    pub search_mode: String,
    pub k: usize,
    pub sources: Vec<String>,
    pub max_passages: usize,
    pub max_sentences: usize,
    pub min_question_coverage: f32,
    pub min_document_coverage: f32,
    pub dense_min_support: f32,
    pub dense_min_question_coverage: f32,
    pub min_citation_support: f32,
    pub max_tokens: usize,
    /// Drug names known to the verifier.
    pub drug_names: usize,
}

/// Time spent in each stage, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timings {
    pub pseudonymize_ms: f64,
    pub retrieval_ms: f64,
    pub answer_ms: f64,
    /// From the start to the first verified sentence, when there is one.
    pub first_sentence_ms: Option<f64>,
    pub total_ms: f64,
}

/// A grounded answer with everything an audit needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// ISO 639-1 code of the question's language.
    pub language: String,
    /// The question as searched and as a model saw it (pseudonymized).
    pub question: String,
    /// Identifiers replaced in the question.
    pub identifiers_replaced: usize,
    /// Verified sentences only: what may be shown as the answer.
    pub sentences: Vec<AnswerSentence>,
    /// Sentences that failed verification: reported, never shown as facts.
    pub dropped: Vec<AnswerSentence>,
    /// The evidence, numbered as cited.
    pub passages: Vec<UsedPassage>,
    pub abstained: bool,
    /// How well the evidence covers the question: the features of the abstention decision.
    pub support: Support,
    /// Drugs the question names and the interaction checker's alerts between them (shown
    /// whatever the answer says, abstention included).
    pub interactions: crate::Interactions,
    /// The plain "the sources do not answer" sentence, in the question's language.
    pub abstention_message: Option<String>,
    /// When abstaining: the numbers of the closest passages.
    pub closest_passages: Vec<usize>,
    /// The mode that produced the sentences.
    pub mode: AnswerMode,
    /// Why generative mode gave way to extractive, when it did.
    pub fallback_reason: Option<String>,
    /// The model that wrote, when one did.
    pub model: Option<String>,
    pub settings: AnswerSettings,
    pub timings: Timings,
}

/// What the pipeline may use besides the knowledge base.
#[derive(Clone, Copy, Default)]
pub struct Resources<'a> {
    /// For dense and hybrid retrieval.
    pub embedder: Option<&'a dyn Embedder>,
    /// For generative mode; without one the answer is extractive.
    pub generator: Option<&'a dyn Generator>,
    pub drug_names: Option<&'a DrugNames>,
    /// How identifiers in the question are found and replaced.
    pub pseudonymization: Option<&'a esculape_pseudo::Config>,
    /// Checks interactions between the drugs a question names (two or more); its alerts
    /// are attached to the answer unchanged.
    pub interactions: Option<&'a dyn crate::InteractionChecker>,
    /// A fixed secret for the question's pseudonymization scope, so that surrogates are
    /// the same from run to run (evaluation replays). `None` (the default, and the only
    /// choice for real questions): a fresh random secret per answer.
    pub scope_secret: Option<[u8; 32]>,
}

impl std::fmt::Debug for Resources<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Resources")
            .field("embedder", &self.embedder.map(|embedder| embedder.id()))
            .field("generator", &self.generator.map(|generator| generator.id()))
            .finish_non_exhaustive()
    }
}

/// The sentence that says the sources do not answer, in `language`.
pub fn abstention_message(language: Language) -> &'static str {
    match language {
        Language::French => "Les sources ne répondent pas à cette question.",
        Language::English => "The sources do not answer this question.",
        Language::Spanish => "Las fuentes no responden a esta pregunta.",
    }
}

/// Pseudonymizes the question in `scope`: the single place where patient identifiers are
/// removed before retrieval, logs and any model. Any detector error fails the answer.
pub fn pseudonymize_question(
    question: &str,
    scope: &mut Scope,
    config: &esculape_pseudo::Config,
) -> Result<Pseudonymized<String>> {
    Ok(esculape_pseudo::pseudonymize(question, scope, config)?)
}

/// Answers `question` from the knowledge base. `on_sentence` receives each verified
/// sentence as soon as it is verified (streaming); the returned [`Answer`] holds them all.
pub fn answer(
    knowledge_base: &KnowledgeBase,
    question: &str,
    config: &AnswerConfig,
    resources: Resources<'_>,
    on_sentence: &mut dyn FnMut(&AnswerSentence),
) -> Result<Answer> {
    config.validate()?;
    if question.trim().is_empty() {
        return Err(Error::EmptyQuestion);
    }
    let started = Instant::now();
    let language = esculape_text::guess_language(question).unwrap_or(Language::French);

    let default_pseudonymization = esculape_pseudo::Config::default();
    let mut scope = match resources.scope_secret {
        Some(secret) => Scope::with_secret("answer", secret, 3600)?,
        None => Scope::new("answer", 3600)?,
    };
    let pseudonymized = pseudonymize_question(
        question,
        &mut scope,
        resources
            .pseudonymization
            .unwrap_or(&default_pseudonymization),
    )?;
    let pseudonymize_ms = elapsed_ms(started);

    let retrieval_started = Instant::now();
    let request = SearchRequest {
        sources: config.sources.clone(),
        ..SearchRequest::new(pseudonymized.value().clone(), config.k)
    };
    let hits = knowledge_base.search_mode(&request, config.search_mode, resources.embedder)?;
    let retrieval_ms = elapsed_ms(retrieval_started);

    let answer_started = Instant::now();
    let passages = select_evidence(&hits, config.max_passages, config.max_passages_per_document);
    let no_drug_names = DrugNames::default();
    let drug_names = resources.drug_names.unwrap_or(&no_drug_names);
    let evidence_texts: Vec<&str> = passages
        .iter()
        .map(|passage| passage.evidence_text.as_str())
        .collect();
    let context = VerificationContext {
        passages: &evidence_texts,
        language,
        drug_names,
        min_citation_support: config.min_citation_support,
    };

    // Term rarity over the whole index, not among the retrieved sentences only.
    let mut rarity = |passage_language: Language, terms: &[&str]| -> Result<Vec<f32>> {
        let statistics = knowledge_base.term_statistics(passage_language, terms)?;
        Ok((0..terms.len())
            .map(|index| statistics.idf(index))
            .collect())
    };
    let candidates = score_candidates(pseudonymized.value(), language, &passages, &mut rarity)?;
    let mut support = support(&candidates);
    if let Some(embedder) = resources.embedder
        && !passages.is_empty()
    {
        support = support.with_similarity(best_similarity(
            embedder,
            pseudonymized.value(),
            &evidence_texts,
        )?);
    }
    // With an embedder the support score decides (meaning and words together; it
    // already holds the document coverage, so the document threshold is not applied a
    // second time), and a quoted sentence needs only `dense_min_question_coverage` of the
    // question; without one, the lexical thresholds alone.
    let (dense_refuses, min_question_coverage, min_document_coverage) = match support.support_score
    {
        Some(score) => (
            score < config.dense_min_support,
            config.dense_min_question_coverage,
            0.0,
        ),
        None => (
            false,
            config.min_question_coverage,
            config.min_document_coverage,
        ),
    };
    let mut sentences = Vec::new();
    let mut dropped = Vec::new();
    let mut mode = AnswerMode::Extractive;
    let mut fallback_reason = None;
    let mut model = None;
    let mut first_sentence_ms = None;
    if config.mode == AnswerMode::Generative && !passages.is_empty() {
        match resources.generator {
            None => fallback_reason = Some("no language model is configured".to_string()),
            Some(generator) => {
                let messages = prompt(&pseudonymized, language, &passages)?;
                let restore = |text: &str| esculape_pseudo::reidentify(text, &scope);
                let mut emit = |sentence: &crate::generative::GeneratedSentence| {
                    on_sentence(&AnswerSentence {
                        text: sentence.text.clone(),
                        citations: sentence.citations.clone(),
                        verification: sentence.verification.clone(),
                        question_coverage: None,
                    });
                };
                match generate_verified(
                    generator,
                    messages,
                    config.max_tokens,
                    &context,
                    &restore,
                    &mut emit,
                ) {
                    Ok(generated) => {
                        for sentence in generated.sentences {
                            let sentence = AnswerSentence {
                                text: sentence.text,
                                citations: sentence.citations,
                                verification: sentence.verification,
                                question_coverage: None,
                            };
                            if sentence.verification.verified {
                                sentences.push(sentence);
                            } else {
                                dropped.push(sentence);
                            }
                        }
                        if sentences.is_empty() {
                            fallback_reason =
                                Some("the model gave no verified sentence".to_string());
                        } else {
                            mode = AnswerMode::Generative;
                            model = Some(generator.id().to_string());
                            first_sentence_ms = generated
                                .time_to_first_verified_ms
                                .map(|ms| ms + elapsed_ms(started) - elapsed_ms(answer_started));
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "generation failed; answering extractively");
                        fallback_reason = Some(format!("the model failed: {error}"));
                    }
                }
            }
        }
    }
    if mode == AnswerMode::Extractive && !dense_refuses {
        for candidate in choose_sentences(
            candidates,
            min_question_coverage,
            min_document_coverage,
            config.max_sentences,
            config.max_redundancy,
        ) {
            let citations = vec![candidate.passage];
            let verification = verify_sentence(&candidate.text, &citations, &context);
            let sentence = AnswerSentence {
                text: candidate.text,
                citations,
                verification,
                question_coverage: Some(candidate.coverage),
            };
            if sentence.verification.verified {
                if first_sentence_ms.is_none() {
                    first_sentence_ms = Some(elapsed_ms(started));
                }
                on_sentence(&sentence);
                sentences.push(sentence);
            } else {
                dropped.push(sentence);
            }
        }
    }
    let interactions = check_interactions(pseudonymized.value(), drug_names, resources)?;
    let abstained = sentences.is_empty();
    let closest_passages = if abstained {
        passages
            .iter()
            .take(config.closest_passages)
            .map(|passage| passage.number)
            .collect()
    } else {
        Vec::new()
    };
    let answer_ms = elapsed_ms(answer_started);
    tracing::info!(
        language = language.code(),
        mode = ?mode,
        passages = passages.len(),
        sentences = sentences.len(),
        dropped = dropped.len(),
        abstained,
        retrieval_ms,
        answer_ms,
        "answered"
    );
    Ok(Answer {
        language: language.code().to_string(),
        identifiers_replaced: pseudonymized.replacement_ranges().iter().flatten().count(),
        question: pseudonymized.into_value(),
        sentences,
        dropped,
        passages,
        abstained,
        support,
        interactions,
        abstention_message: abstained.then(|| abstention_message(language).to_string()),
        closest_passages,
        mode,
        fallback_reason,
        model,
        settings: AnswerSettings {
            requested_mode: config.mode,
            search_mode: search_mode_name(config.search_mode).to_string(),
            k: config.k,
            sources: config.sources.clone(),
            max_passages: config.max_passages,
            max_sentences: config.max_sentences,
            min_question_coverage: config.min_question_coverage,
            min_document_coverage: config.min_document_coverage,
            dense_min_support: config.dense_min_support,
            dense_min_question_coverage: config.dense_min_question_coverage,
            min_citation_support: config.min_citation_support,
            max_tokens: config.max_tokens,
            drug_names: drug_names.len(),
        },
        timings: Timings {
            pseudonymize_ms,
            retrieval_ms,
            answer_ms,
            first_sentence_ms,
            total_ms: elapsed_ms(started),
        },
    })
}

/// The drugs `question` names and, for two or more with a checker, its alerts.
fn check_interactions(
    question: &str,
    drug_names: &DrugNames,
    resources: Resources<'_>,
) -> Result<crate::Interactions> {
    let drugs_named = drug_names.mentions(question);
    let mut interactions = crate::Interactions {
        drugs_named,
        ..crate::Interactions::default()
    };
    if interactions.drugs_named.len() < 2 {
        return Ok(interactions);
    }
    if let Some(checker) = resources.interactions {
        // A drug question whose interactions cannot be checked fails: no answer about two
        // drugs is shown without the check.
        let check = checker
            .check(&interactions.drugs_named)
            .map_err(Error::Interactions)?;
        interactions.checked = true;
        interactions.alerts = check.alerts;
        interactions
            .alerts
            .sort_by_key(|alert| std::cmp::Reverse(alert.severity));
        interactions.unknown = check.unknown;
    }
    Ok(interactions)
}

/// The highest cosine between the question and the passages (vectors are L2-normalized).
fn best_similarity(embedder: &dyn Embedder, question: &str, passages: &[&str]) -> Result<f32> {
    let question = embedder.embed(&[question], esculape_llm::EmbedKind::Query)?;
    let passages = embedder.embed(passages, esculape_llm::EmbedKind::Passage)?;
    let Some(question) = question.first() else {
        return Ok(0.0);
    };
    Ok(passages
        .iter()
        .map(|passage| {
            passage
                .iter()
                .zip(question)
                .map(|(left, right)| left * right)
                .sum::<f32>()
        })
        .fold(0.0, f32::max))
}

fn search_mode_name(mode: SearchMode) -> &'static str {
    match mode {
        SearchMode::Bm25 => "bm25",
        SearchMode::Dense => "dense",
        SearchMode::Hybrid => "hybrid",
    }
}

fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}
