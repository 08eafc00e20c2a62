//! Settings of the answer pipeline (section `[answer]` of the configuration).

use crate::error::{Error, Result};
use esculape_kb::SearchMode;
use serde::Serialize;

/// How the answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerMode {
    /// Sentences quoted exactly from the passages, each cited.
    Extractive,
    /// A language model writes from numbered passages; every sentence is verified.
    Generative,
}

impl AnswerMode {
    /// Parses `extractive` or `generative`.
    pub fn from_name(name: &str) -> Option<AnswerMode> {
        match name {
            "extractive" => Some(AnswerMode::Extractive),
            "generative" => Some(AnswerMode::Generative),
            _ => None,
        }
    }
}

/// Every knob of the pipeline, with the defaults of `config/default.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerConfig {
    pub mode: AnswerMode,
    /// How passages are ranked (BM25 needs no embedder).
    pub search_mode: SearchMode,
    /// Passages retrieved.
    pub k: usize,
    /// Only these packs (all when empty).
    pub sources: Vec<String>,
    /// Passages kept as evidence, at most `max_passages_per_document` from one document.
    pub max_passages: usize,
    pub max_passages_per_document: usize,
    /// Sentences in an extractive answer.
    pub max_sentences: usize,
    /// Extractive support threshold: the least share of the question's content terms
    /// (weighted by rarity among the retrieved sentences) that a sentence must cover to be
    /// quoted. When no sentence reaches it, the answer abstains.
    pub min_question_coverage: f32,
    /// Abstention threshold on the whole source: the least share of the question's
    /// content terms (same weights) that the document of a quoted sentence must cover,
    /// its evidence passages together. An answer needs a source that covers the
    /// question, not one sentence sharing a few of its words.
    pub min_document_coverage: f32,
    /// With an embedder: the least support score ([`crate::Support::support_score`]: best
    /// question–passage cosine + 0.5 × best document coverage) for an answer.
    pub dense_min_support: f32,
    /// With an embedder: the least share of the question a quoted sentence covers (the
    /// support score has already judged the evidence as a whole).
    pub dense_min_question_coverage: f32,
    /// Verification threshold: the least share of a sentence's content terms found in the
    /// passages it cites.
    pub min_citation_support: f32,
    /// Two extractive sentences sharing more than this share of their terms are redundant.
    pub max_redundancy: f32,
    /// Longest generated answer, in tokens.
    pub max_tokens: usize,
    /// Closest passages listed with an abstention.
    pub closest_passages: usize,
}

impl Default for AnswerConfig {
    fn default() -> AnswerConfig {
        AnswerConfig {
            mode: AnswerMode::Extractive,
            search_mode: SearchMode::Bm25,
            k: 10,
            sources: Vec::new(),
            max_passages: 6,
            max_passages_per_document: 2,
            max_sentences: 4,
            min_question_coverage: 0.2,
            min_document_coverage: 0.45,
            dense_min_support: 0.75,
            dense_min_question_coverage: 0.1,
            min_citation_support: 0.6,
            max_redundancy: 0.7,
            max_tokens: 384,
            closest_passages: 3,
        }
    }
}

impl AnswerConfig {
    /// Refuses settings that cannot work (a share outside 0–1, no passage).
    pub fn validate(&self) -> Result<()> {
        let shares = [
            ("answer.min_question_coverage", self.min_question_coverage),
            ("answer.min_document_coverage", self.min_document_coverage),
            (
                "answer.dense_min_question_coverage",
                self.dense_min_question_coverage,
            ),
            ("answer.min_citation_support", self.min_citation_support),
            ("answer.max_redundancy", self.max_redundancy),
        ];
        for (setting, share) in shares {
            if !(0.0..=1.0).contains(&share) {
                return Err(Error::InvalidSetting {
                    setting,
                    reason: format!("{share} is not a share between 0 and 1"),
                });
            }
        }
        if !(0.0..=2.0).contains(&self.dense_min_support) {
            return Err(Error::InvalidSetting {
                setting: "answer.dense_min_support",
                reason: format!(
                    "{} is outside 0–2 (a cosine plus half a share)",
                    self.dense_min_support
                ),
            });
        }
        let counts = [
            ("answer.k", self.k),
            ("answer.max_passages", self.max_passages),
            (
                "answer.max_passages_per_document",
                self.max_passages_per_document,
            ),
            ("answer.max_sentences", self.max_sentences),
        ];
        for (setting, count) in counts {
            if count == 0 {
                return Err(Error::InvalidSetting {
                    setting,
                    reason: "must be at least 1".into(),
                });
            }
        }
        Ok(())
    }
}
