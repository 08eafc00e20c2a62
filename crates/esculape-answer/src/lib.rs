//! Grounded answers: every sentence quoted from or checked against a cited passage of the
//! installed sources, or a plain "the sources do not answer this question".
//!
//! Core concepts:
//! - [`answer`] runs the pipeline: language guess, pseudonymization of the question (the
//!   one place it happens; any detector error fails the answer), retrieval, evidence
//!   selection ([`UsedPassage`], numbered from 1, diverse documents), then the answer;
//! - **extractive** mode ([`AnswerMode::Extractive`], the default and the fallback) quotes
//!   the passages' sentences that cover the question best, each cited `[n]`; when none
//!   reaches `min_question_coverage` the answer **abstains** and lists the closest passages;
//! - **generative** mode gives the numbered passages to a [`esculape_llm::Generator`] as
//!   data; its output is split into sentences as it streams, and each is verified;
//! - [`verify_sentence`] is the same check for both modes: at least one citation; every
//!   number with its unit, and every known drug name, present in a cited passage; enough
//!   of its content terms in the cited text. Failing sentences are reported in
//!   [`Answer::dropped`], never shown as facts;
//! - retrieved text is data: sentences addressed to a language model
//!   ([`is_addressed_to_model`]) are never evidence.
//!
//! ```no_run
//! use esculape_answer::{AnswerConfig, Resources, answer};
//! use esculape_kb::{KbConfig, KnowledgeBase};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kb = KnowledgeBase::open(KbConfig::at("var/kb"))?;
//! let question = "Quelle est la conduite à tenir devant une HTA chez la femme enceinte ?";
//! let result = answer(&kb, question, &AnswerConfig::default(), Resources::default(), &mut |_| {})?;
//! for sentence in &result.sentences {
//!     println!("{} {:?}", sentence.text, sentence.citations);
//! }
//! # Ok(())
//! # }
//! ```

mod addressed;
mod answer;
mod config;
mod error;
mod evidence;
mod extractive;
mod generative;
mod interactions;
pub mod mcq;
mod numbers;
mod terms;
mod verify;

pub use addressed::is_addressed_to_model;
pub use answer::{
    Answer, AnswerSentence, AnswerSettings, Resources, Timings, abstention_message, answer,
    pseudonymize_question,
};
pub use config::{AnswerConfig, AnswerMode};
pub use error::{Error, Result};
pub use evidence::{UsedPassage, select_evidence};
pub use extractive::Support;
pub use interactions::{InteractionAlert, InteractionCheck, InteractionChecker, Interactions};
pub use numbers::{NumberMention, number_is_supported, numbers};
pub use terms::{content_terms, share_found};
pub use verify::{
    DrugNames, Problem, Verification, VerificationContext, split_citations, verify_sentence,
};
