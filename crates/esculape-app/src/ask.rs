//! Demander: grounded answers over the installed sources, admitted through a bounded
//! queue, each answer audited with its mode, model, settings and source versions.

use crate::app::{App, Outcome};
use crate::identity::{Identity, Permission};
use crate::{Error, Result};
use esculape_answer::{Answer, AnswerConfig, AnswerMode, AnswerSentence, DrugNames, Resources};
use esculape_llm::Generator;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};

/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 2000;

/// What answering needs besides the knowledge base: the pipeline's settings, the drug
/// names its verifier checks, the model (generative mode only) and the queue's bounds.
pub struct AskEngine {
    pub config: AnswerConfig,
    pub drug_names: DrugNames,
    pub generator: Option<Arc<dyn Generator>>,
    pub queue: Arc<ModelQueue>,
}

impl std::fmt::Debug for AskEngine {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AskEngine")
            .field("mode", &self.config.mode)
            .field(
                "generator",
                &self.generator.as_ref().map(|generator| generator.id()),
            )
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

/// The bounded queue in front of model work: at most `workers` answers run at once and
/// at most `waiting` more wait for a turn; a request beyond that is refused at once with
/// [`Error::Busy`], so work never piles up.
#[derive(Debug)]
pub struct ModelQueue {
    workers: usize,
    waiting: usize,
    retry_after_s: u64,
    counts: Mutex<QueueCounts>,
    turn: Condvar,
}

#[derive(Debug, Default)]
struct QueueCounts {
    running: usize,
    waiting: usize,
}

impl ModelQueue {
    /// A queue running `workers` answers at once (at least 1) with `waiting` places.
    pub fn new(workers: usize, waiting: usize, retry_after_s: u64) -> ModelQueue {
        ModelQueue {
            workers: workers.max(1),
            waiting,
            retry_after_s: retry_after_s.max(1),
            counts: Mutex::new(QueueCounts::default()),
            turn: Condvar::new(),
        }
    }

    /// Answers in progress or waiting that the queue accepts.
    pub fn capacity(&self) -> usize {
        self.workers + self.waiting
    }

    /// A place in the queue, or [`Error::Busy`] when every place is taken. Never blocks.
    pub fn admit(self: &Arc<Self>) -> Result<AskTicket> {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if counts.running + counts.waiting >= self.capacity() {
            return Err(Error::Busy {
                retry_after_s: self.retry_after_s,
            });
        }
        counts.waiting += 1;
        Ok(AskTicket {
            queue: Arc::clone(self),
            started: false,
        })
    }
}

/// An admitted question's place in the [`ModelQueue`]; dropping it frees the place.
#[derive(Debug)]
pub struct AskTicket {
    queue: Arc<ModelQueue>,
    started: bool,
}

impl AskTicket {
    /// Blocks until a worker is free.
    pub(crate) fn wait_for_turn(&mut self) {
        let queue = &self.queue;
        let mut counts = queue
            .counts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        while counts.running >= queue.workers {
            counts = queue
                .turn
                .wait(counts)
                .unwrap_or_else(|poison| poison.into_inner());
        }
        counts.waiting -= 1;
        counts.running += 1;
        self.started = true;
    }
}

impl Drop for AskTicket {
    fn drop(&mut self) {
        let mut counts = self
            .queue
            .counts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if self.started {
            counts.running -= 1;
        } else {
            counts.waiting -= 1;
        }
        drop(counts);
        self.queue.turn.notify_one();
    }
}

impl App {
    /// Checks the caller may ask and the question is acceptable, and takes a place in the
    /// model queue without waiting: [`Error::Busy`] when it is full. A transport calls
    /// this before it starts a streamed response, so that a refusal is still a status.
    pub fn admit_question(&self, identity: &Identity, question: &str) -> Result<AskTicket> {
        self.require(identity, Permission::Ask, "ask", "")?;
        let engine = self.ask_engine()?;
        check_question(question)?;
        engine.queue.admit()
    }

    /// Answers `question`: every sentence cited and verified, or an abstention with the
    /// closest passages. `on_sentence` receives each verified sentence as it is verified.
    /// The audit record holds the mode, model, settings, source versions and counts,
    /// never the question.
    pub fn ask(
        &self,
        identity: &Identity,
        mut ticket: AskTicket,
        question: &str,
        on_sentence: &mut dyn FnMut(&AnswerSentence),
    ) -> Result<Answer> {
        self.require(identity, Permission::Ask, "ask", "")?;
        let engine = self.ask_engine()?;
        let question = check_question(question)?;
        ticket.wait_for_turn();
        let resources = Resources {
            generator: engine.generator.as_deref(),
            drug_names: Some(&engine.drug_names),
            pseudonymization: Some(&self.engines.pseudonymization),
            interactions: self
                .engines
                .medication
                .as_deref()
                .map(|medication| medication as &dyn esculape_answer::InteractionChecker),
            ..Resources::default()
        };
        let result =
            esculape_answer::answer(&self.kb, question, &engine.config, resources, on_sentence);
        drop(ticket);
        let versions: BTreeMap<String, String> = self
            .kb
            .catalog()
            .packs
            .values()
            .filter(|pack| {
                engine.config.sources.is_empty() || engine.config.sources.contains(&pack.id)
            })
            .map(|pack| (pack.id.clone(), pack.version.clone()))
            .collect();
        match result {
            Ok(answer) => {
                let cited: Vec<&str> = answer
                    .passages
                    .iter()
                    .map(|passage| passage.chunk_id.as_str())
                    .collect();
                self.audit(
                    identity.login(),
                    "ask",
                    "",
                    Outcome::Success,
                    serde_json::json!({
                        "mode": answer.mode,
                        "model": answer.model,
                        "fallback": answer.fallback_reason,
                        "settings": answer.settings,
                        "source_versions": versions,
                        "passages": cited,
                        "sentences": answer.sentences.len(),
                        "dropped": answer.dropped.len(),
                        "abstained": answer.abstained,
                        "identifiers_replaced": answer.identifiers_replaced,
                        "language": answer.language,
                        "total_ms": answer.timings.total_ms.round(),
                    }),
                )?;
                Ok(answer)
            }
            Err(error) => {
                self.audit(
                    identity.login(),
                    "ask",
                    "",
                    Outcome::Failure,
                    serde_json::json!({
                        "mode": engine.config.mode,
                        "model": engine.generator.as_ref().map(|generator| generator.id().to_string()),
                        "source_versions": versions,
                    }),
                )?;
                Err(match error {
                    esculape_answer::Error::EmptyQuestion => Error::Invalid(error.to_string()),
                    esculape_answer::Error::Retrieval(kb_error) => kb_error.into(),
                    other @ esculape_answer::Error::Pseudonymization(_) => {
                        Error::Internal(format!("answer: {other}"))
                    }
                    other => Error::Internal(format!("answer: {other}")),
                })
            }
        }
    }

    /// Places the model queue accepts (running and waiting), when answers are on.
    pub fn question_capacity(&self) -> Option<usize> {
        self.engines
            .ask
            .as_ref()
            .map(|engine| engine.queue.capacity())
    }

    /// Whether answers are written by a model (generative) rather than quoted.
    pub fn answer_mode(&self) -> Option<AnswerMode> {
        self.engines.ask.as_ref().map(|engine| engine.config.mode)
    }

    fn ask_engine(&self) -> Result<&Arc<AskEngine>> {
        self.engines.ask.as_ref().ok_or_else(|| {
            Error::NotFound("answers are not enabled on this server: ask an administrator".into())
        })
    }
}

/// The question trimmed, or why it cannot be asked.
fn check_question(question: &str) -> Result<&str> {
    let question = question.trim();
    if question.is_empty() {
        return Err(Error::Invalid(
            "the question is empty: ask a clinical question in French or English".into(),
        ));
    }
    if question.chars().count() > MAX_QUESTION_CHARS {
        return Err(Error::Invalid(format!(
            "the question is longer than {MAX_QUESTION_CHARS} characters: shorten it"
        )));
    }
    Ok(question)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_refuses_beyond_its_places_and_frees_them_on_drop() {
        let queue = Arc::new(ModelQueue::new(1, 1, 3));
        let first = queue.admit().unwrap();
        let second = queue.admit().unwrap();
        assert!(matches!(
            queue.admit(),
            Err(Error::Busy { retry_after_s: 3 })
        ));
        drop(first);
        let third = queue.admit().unwrap();
        drop(second);
        drop(third);
        assert_eq!(queue.counts.lock().unwrap().waiting, 0);
    }

    #[test]
    fn a_waiting_ticket_runs_when_the_worker_is_free() {
        let queue = Arc::new(ModelQueue::new(1, 1, 1));
        let mut running = queue.admit().unwrap();
        running.wait_for_turn();
        let mut waiting = queue.admit().unwrap();
        let handle = std::thread::spawn(move || {
            waiting.wait_for_turn();
            waiting.started
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(queue.counts.lock().unwrap().waiting, 1);
        drop(running);
        assert!(handle.join().unwrap());
        assert_eq!(queue.counts.lock().unwrap().running, 0);
    }
}
