//! The local backend: a GGUF model run by llama.cpp (through `llama-cpp-2`).
//!
//! One model is loaded once and shared (`Arc`). One worker thread owns the llama.cpp
//! context and serves up to `parallel_sequences` requests at once, decoding their tokens
//! together in one batch per step. Requests wait in a bounded queue; when it is full,
//! [`Error::Busy`] tells the caller when to retry. Each slot keeps the tokens of its last
//! request in the KV cache, and a new request goes to the slot that shares the longest
//! prefix with it, so instructions and passages common to several requests are computed
//! once.

use crate::error::{Error, Result};
use crate::generate::{
    ChatMessage, Constraint, FinishReason, GenerateRequest, Generator, ModelText, Role,
    StreamEvent, TokenStream, Usage,
};
use crate::gguf::{GgufInfo, backend, inspect_gguf};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// How chat messages become the model's prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatTemplateChoice {
    /// The GGUF's own template when it has one, plain text otherwise.
    Auto,
    /// The GGUF's own template (`tokenizer.chat_template`); an error when it has none.
    Model,
    /// The messages' texts separated by blank lines, nothing added: right for base models
    /// (Gemma 3 270M), which continue text rather than answer.
    Plain,
}

/// Settings of a local model.
#[derive(Debug, Clone)]
pub struct LlamaConfig {
    pub model_path: PathBuf,
    /// Context of one sequence, in tokens (prompt and answer together).
    pub context_tokens: usize,
    /// CPU threads for prompt processing and generation.
    pub threads: usize,
    /// Requests decoded together.
    pub parallel_sequences: usize,
    /// Requests that may wait for a free sequence; one more is refused with [`Error::Busy`].
    pub queue_length: usize,
    /// Most tokens computed in one step (prompt chunks are cut to this size).
    pub batch_tokens: usize,
    pub chat_template: ChatTemplateChoice,
}

impl LlamaConfig {
    /// Defaults for `model_path`: 4096-token context, 2 threads, 2 parallel sequences,
    /// 8 waiting requests.
    pub fn new(model_path: impl Into<PathBuf>) -> LlamaConfig {
        LlamaConfig {
            model_path: model_path.into(),
            context_tokens: 4096,
            threads: 2,
            parallel_sequences: 2,
            queue_length: 8,
            batch_tokens: 512,
            chat_template: ChatTemplateChoice::Auto,
        }
    }
}

/// A GGUF model served by a worker thread. Cheap to share behind an `Arc`.
pub struct LlamaGenerator {
    shared: Arc<Shared>,
    worker: Option<std::thread::JoinHandle<()>>,
    id: String,
    info: GgufInfo,
}

impl std::fmt::Debug for LlamaGenerator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LlamaGenerator")
            .field("id", &self.id)
            .field("architecture", &self.info.architecture)
            .finish_non_exhaustive()
    }
}

struct Shared {
    model: LlamaModel,
    config: LlamaConfig,
    template: Template,
    queue: Mutex<Queue>,
    wake: Condvar,
}

enum Template {
    Model(LlamaChatTemplate),
    Plain,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Job>,
    busy_slots: usize,
    closed: bool,
    /// Moving average of a request's time in a slot, for the retry delay.
    average_request_ms: f64,
}

enum Job {
    Generate(GenerateJob),
    Score(ScoreJob),
}

impl Job {
    fn prompt(&self) -> &[LlamaToken] {
        match self {
            Job::Generate(job) => &job.prompt,
            Job::Score(job) => &job.prompt,
        }
    }
}

struct GenerateJob {
    prompt: Vec<LlamaToken>,
    max_tokens: usize,
    stop: Vec<Vec<u8>>,
    ignore_end_of_text: bool,
    sampler: LlamaSampler,
    events: mpsc::Sender<Result<StreamEvent>>,
    arrived: Instant,
}

struct ScoreJob {
    prompt: Vec<LlamaToken>,
    continuations: Vec<Vec<LlamaToken>>,
    reply: mpsc::Sender<Result<Vec<f64>>>,
}

impl LlamaGenerator {
    /// Loads the model and starts its worker. Fails with the cause named when the file is
    /// not a loadable GGUF.
    pub fn load(config: LlamaConfig) -> Result<LlamaGenerator> {
        validate(&config)?;
        let info = inspect_gguf(&config.model_path)?;
        let model = load_model(&config, &info)?;
        let template = match (config.chat_template, &info.chat_template) {
            (ChatTemplateChoice::Plain, _) | (ChatTemplateChoice::Auto, None) => Template::Plain,
            (ChatTemplateChoice::Auto | ChatTemplateChoice::Model, Some(_)) => {
                Template::Model(model.chat_template(None).map_err(|error| Error::Model {
                    path: config.model_path.clone(),
                    reason: format!("unreadable chat template: {error}"),
                })?)
            }
            (ChatTemplateChoice::Model, None) => {
                return Err(Error::Model {
                    path: config.model_path.clone(),
                    reason: "the file has no chat template: use the plain template".into(),
                });
            }
        };
        let file_name = config
            .model_path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = format!("llama.cpp:{file_name}");
        let shared = Arc::new(Shared {
            model,
            config,
            template,
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
        });
        let (ready_sender, ready) = mpsc::channel();
        let worker_shared = shared.clone();
        let worker = std::thread::Builder::new()
            .name("esculape-llm".into())
            .spawn(move || serve(&worker_shared, ready_sender))
            .map_err(|error| Error::Inference(format!("cannot start the model thread: {error}")))?;
        match ready.recv() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                let _ = worker.join();
                return Err(error);
            }
            Err(_) => {
                let _ = worker.join();
                return Err(Error::Inference("the model thread stopped at start".into()));
            }
        }
        tracing::info!(model = %id, architecture = %info.architecture, "language model loaded");
        Ok(LlamaGenerator {
            shared,
            worker: Some(worker),
            id,
            info,
        })
    }

    /// What the file's header says.
    pub fn info(&self) -> &GgufInfo {
        &self.info
    }

    /// The prompt the model sees for `messages`.
    pub fn render_prompt(&self, messages: &[ChatMessage]) -> Result<String> {
        render(&self.shared, messages)
    }

    /// Log-likelihood (natural log) of each continuation after `prompt`, both raw text
    /// (no chat template): the sum over the continuation's tokens of log P(token | what
    /// precedes). Multiple-choice evaluation ranks the options by it.
    pub fn score(&self, prompt: &ModelText, continuations: &[ModelText]) -> Result<Vec<f64>> {
        let vocab = self.shared.model.vocab();
        let prompt_tokens = vocab.tokenize(prompt.as_str().as_bytes(), true, false);
        let mut continuation_tokens = Vec::with_capacity(continuations.len());
        for continuation in continuations {
            let tokens = vocab.tokenize(continuation.as_str().as_bytes(), false, false);
            if tokens.is_empty() {
                return Err(Error::Request(
                    "an empty continuation cannot be scored".into(),
                ));
            }
            let total = prompt_tokens.len() + tokens.len();
            if total > self.shared.config.context_tokens {
                return Err(Error::PromptTooLong {
                    prompt_tokens: total,
                    max_tokens: 0,
                    context_tokens: self.shared.config.context_tokens,
                });
            }
            continuation_tokens.push(tokens);
        }
        if prompt_tokens.is_empty() {
            return Err(Error::Request("scoring needs a non-empty prompt".into()));
        }
        let (reply, answer) = mpsc::channel();
        self.submit(Job::Score(ScoreJob {
            prompt: prompt_tokens,
            continuations: continuation_tokens,
            reply,
        }))?;
        answer
            .recv()
            .map_err(|_| Error::Inference("the model thread stopped".into()))?
    }

    fn submit(&self, job: Job) -> Result<()> {
        let config = &self.shared.config;
        let mut queue = self
            .shared
            .queue
            .lock()
            .map_err(|_| Error::Inference("the model thread crashed".into()))?;
        if queue.closed {
            return Err(Error::Inference("the model thread stopped".into()));
        }
        let occupied = queue.busy_slots + queue.waiting.len();
        if occupied >= config.parallel_sequences + config.queue_length {
            let per_request_ms = queue.average_request_ms.max(1000.0);
            let rounds = (queue.waiting.len() + 1) as f64 / config.parallel_sequences as f64;
            let retry_after_s = (per_request_ms * rounds / 1000.0).ceil().max(1.0) as u64;
            tracing::warn!(
                busy_slots = queue.busy_slots,
                waiting = queue.waiting.len(),
                retry_after_s,
                "language model queue full"
            );
            return Err(Error::Busy {
                what: "local language model".into(),
                retry_after_s,
            });
        }
        queue.waiting.push_back(job);
        drop(queue);
        self.shared.wake.notify_all();
        Ok(())
    }
}

impl Drop for LlamaGenerator {
    fn drop(&mut self) {
        if let Ok(mut queue) = self.shared.queue.lock() {
            queue.closed = true;
        }
        self.shared.wake.notify_all();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Generator for LlamaGenerator {
    fn id(&self) -> &str {
        &self.id
    }

    fn context_tokens(&self) -> usize {
        self.shared.config.context_tokens
    }

    fn count_tokens(&self, messages: &[ChatMessage]) -> Result<usize> {
        Ok(tokenize_prompt(&self.shared, &render(&self.shared, messages)?).len())
    }

    fn generate(&self, request: GenerateRequest) -> Result<TokenStream> {
        let arrived = Instant::now();
        let prompt = tokenize_prompt(&self.shared, &render(&self.shared, &request.messages)?);
        if prompt.is_empty() {
            return Err(Error::Request("the prompt is empty".into()));
        }
        if request.max_tokens == 0 {
            return Err(Error::Request("max_tokens must be at least 1".into()));
        }
        let context_tokens = self.shared.config.context_tokens;
        if prompt.len() + request.max_tokens > context_tokens {
            return Err(Error::PromptTooLong {
                prompt_tokens: prompt.len(),
                max_tokens: request.max_tokens,
                context_tokens,
            });
        }
        let sampler = sampler(&self.shared.model, &request)?;
        let (events, receiver) = mpsc::channel();
        self.submit(Job::Generate(GenerateJob {
            prompt,
            max_tokens: request.max_tokens,
            stop: request
                .stop
                .iter()
                .filter(|stop| !stop.is_empty())
                .map(|stop| stop.as_bytes().to_vec())
                .collect(),
            ignore_end_of_text: request.ignore_end_of_text,
            sampler,
            events,
            arrived,
        }))?;
        Ok(TokenStream::new(receiver.into_iter()))
    }
}

fn validate(config: &LlamaConfig) -> Result<()> {
    if config.context_tokens < 16 {
        return Err(Error::Settings(format!(
            "context_tokens = {} is too small (at least 16)",
            config.context_tokens
        )));
    }
    if config.threads == 0 || config.parallel_sequences == 0 || config.batch_tokens == 0 {
        return Err(Error::Settings(
            "threads, parallel_sequences and batch_tokens must be at least 1".into(),
        ));
    }
    if config.parallel_sequences > 64 {
        return Err(Error::Settings(format!(
            "parallel_sequences = {} is more than llama.cpp allows (64)",
            config.parallel_sequences
        )));
    }
    Ok(())
}

fn load_model(config: &LlamaConfig, info: &GgufInfo) -> Result<LlamaModel> {
    let backend = backend()?;
    LlamaModel::load_from_file(backend, &config.model_path, &LlamaModelParams::default()).map_err(
        |error| Error::Model {
            path: config.model_path.clone(),
            reason: format!(
                "llama.cpp cannot load it ({error}): the file is truncated or corrupted ({} bytes; download it again), or its architecture `{}` is not supported by this build",
                info.file_bytes, info.architecture
            ),
        },
    )
}

fn render(shared: &Shared, messages: &[ChatMessage]) -> Result<String> {
    if messages.is_empty() {
        return Err(Error::Request("no message to answer".into()));
    }
    match &shared.template {
        Template::Plain => Ok(messages
            .iter()
            .map(|message| message.content.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")),
        Template::Model(template) => {
            let chat = messages
                .iter()
                .map(|message| {
                    LlamaChatMessage::new(
                        message.role.as_str().into(),
                        message.content.as_str().to_string(),
                    )
                })
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|_| Error::Request("a message holds a NUL character".into()))?;
            let add_assistant =
                messages.last().map(|message| message.role) != Some(Role::Assistant);
            shared
                .model
                .apply_chat_template(template, &chat, add_assistant)
                .map_err(|error| {
                    Error::Request(format!(
                        "the model's chat template cannot be applied ({error}): set llm.chat_template = \"plain\""
                    ))
                })
        }
    }
}

fn tokenize_prompt(shared: &Shared, prompt: &str) -> Vec<LlamaToken> {
    // Template markers (`<|im_start|>`) must become their special tokens; plain text is
    // taken literally.
    let parse_special = matches!(shared.template, Template::Model(_));
    shared
        .model
        .vocab()
        .tokenize(prompt.as_bytes(), true, parse_special)
}

fn sampler(model: &LlamaModel, request: &GenerateRequest) -> Result<LlamaSampler> {
    let sampling = &request.sampling;
    let mut chain = Vec::new();
    match &request.constraint {
        None => {}
        Some(Constraint::Grammar(grammar)) => chain.push(grammar_sampler(model, grammar)?),
        Some(Constraint::JsonSchema(schema)) => {
            let grammar = llama_cpp_2::json_schema_to_grammar(&schema.to_string())
                .map_err(|error| Error::Request(format!("unusable JSON schema: {error}")))?;
            chain.push(grammar_sampler(model, &grammar)?);
        }
    }
    if sampling.repeat_penalty != 1.0 {
        if sampling.repeat_penalty.is_nan() || sampling.repeat_penalty <= 0.0 {
            return Err(Error::Request("repeat_penalty must be above 0".into()));
        }
        chain.push(LlamaSampler::penalties(
            model.n_vocab(),
            sampling.repeat_last_tokens.min(i32::MAX as usize) as i32,
            sampling.repeat_penalty,
            0.0,
            0.0,
        ));
    }
    if sampling.temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
    } else {
        if !(0.0..=1.0).contains(&sampling.top_p) || sampling.top_p == 0.0 {
            return Err(Error::Request("top_p must be in (0, 1]".into()));
        }
        chain.push(LlamaSampler::top_p(sampling.top_p, 1));
        chain.push(LlamaSampler::temp(sampling.temperature));
        chain.push(LlamaSampler::dist(sampling.seed));
    }
    Ok(LlamaSampler::chain_simple(chain))
}

fn grammar_sampler(model: &LlamaModel, grammar: &str) -> Result<LlamaSampler> {
    LlamaSampler::grammar(model, grammar, "root")
        .map_err(|error| Error::Request(format!("invalid grammar (start rule `root`): {error}")))
}

/// One sequence of the context: its KV cache holds `cached`.
struct Slot {
    sequence: i32,
    cached: Vec<LlamaToken>,
    active: Option<Active>,
}

struct Active {
    job: GenerateJob,
    /// Prompt tokens not yet in the KV cache.
    pending: VecDeque<LlamaToken>,
    cached_prompt_tokens: usize,
    /// Token sampled last, to be decoded next.
    next: Option<LlamaToken>,
    /// Index in the current batch of the token whose logits this slot samples from.
    logits_index: Option<i32>,
    generated: usize,
    bytes: Vec<u8>,
    emitted: usize,
    started: Instant,
    first_token: Option<Instant>,
}

fn context<'model>(shared: &'model Shared) -> Result<(LlamaContext<'model>, u32)> {
    let config = &shared.config;
    let total_tokens = config.context_tokens * config.parallel_sequences;
    let n_ctx = u32::try_from(total_tokens)
        .ok()
        .and_then(NonZeroU32::new)
        .ok_or_else(|| {
            Error::Settings("context_tokens × parallel_sequences is too large".into())
        })?;
    let batch = config.batch_tokens.max(config.parallel_sequences) as u32;
    let threads = config.threads.min(i32::MAX as usize) as i32;
    let params = LlamaContextParams::default()
        .with_n_ctx(Some(n_ctx))
        .with_n_batch(batch)
        .with_n_ubatch(batch)
        .with_n_seq_max(config.parallel_sequences as u32)
        .with_n_threads(threads)
        .with_n_threads_batch(threads)
        .with_swa_full(true)
        .with_kv_unified(false);
    let context = shared
        .model
        .new_context(backend()?, params)
        .map_err(|error| {
            Error::Settings(format!(
                "llama.cpp cannot create a context of {total_tokens} tokens ({error}): lower llm.context_tokens or llm.parallel_sequences"
            ))
        })?;
    Ok((context, batch))
}

/// The worker: admits jobs into free slots, decodes one batch per step, samples, streams.
fn serve(shared: &Shared, ready: mpsc::Sender<Result<()>>) {
    let (mut context, batch_tokens) = match context(shared) {
        Ok(context) => {
            let _ = ready.send(Ok(()));
            context
        }
        Err(error) => {
            if let Ok(mut queue) = shared.queue.lock() {
                queue.closed = true;
            }
            let _ = ready.send(Err(error));
            return;
        }
    };
    let parallel = shared.config.parallel_sequences;
    let mut slots: Vec<Slot> = (0..parallel)
        .map(|sequence| Slot {
            sequence: sequence as i32,
            cached: Vec::new(),
            active: None,
        })
        .collect();
    let mut batch = LlamaBatch::new(batch_tokens as usize, parallel as i32);
    loop {
        // Admit waiting jobs into free slots; sleep when there is nothing to do.
        let admitted = {
            let Ok(mut queue) = shared.queue.lock() else {
                return;
            };
            loop {
                if queue.closed {
                    // The generator is dropped: refuse what waits, end what runs.
                    let stopping = || Error::Inference("the model was unloaded".into());
                    for job in queue.waiting.drain(..) {
                        match job {
                            Job::Generate(job) => drop(job.events.send(Err(stopping()))),
                            Job::Score(job) => drop(job.reply.send(Err(stopping()))),
                        }
                    }
                    for slot in &mut slots {
                        if let Some(active) = slot.active.take() {
                            let _ = active.job.events.send(Err(stopping()));
                        }
                    }
                    return;
                }
                let busy = slots.iter().filter(|slot| slot.active.is_some()).count();
                queue.busy_slots = busy;
                if busy < parallel && !queue.waiting.is_empty() {
                    // Counted as busy until it starts, so the queue never lets one more in.
                    queue.busy_slots = busy + 1;
                    break queue.waiting.pop_front();
                }
                if busy > 0 {
                    break None;
                }
                queue = match shared.wake.wait(queue) {
                    Ok(queue) => queue,
                    Err(_) => return,
                };
            }
        };
        if let Some(job) = admitted {
            let slot_index = best_slot(&slots, job.prompt());
            match job {
                Job::Generate(job) => start(&mut context, &mut slots[slot_index], job),
                Job::Score(job) => {
                    let slot = &mut slots[slot_index];
                    let scores = score(&mut context, slot, &job, batch_tokens as usize);
                    let _ = job.reply.send(scores);
                }
            }
            if let Ok(mut queue) = shared.queue.lock() {
                queue.busy_slots = slots.iter().filter(|slot| slot.active.is_some()).count();
            }
            continue;
        }
        step(shared, &mut context, &mut slots, &mut batch);
    }
}

/// The idle slot whose cache shares the longest prefix with `prompt`; among equals, the one
/// with the least cached (so that a long prefix someone else may reuse stays).
fn best_slot(slots: &[Slot], prompt: &[LlamaToken]) -> usize {
    slots
        .iter()
        .enumerate()
        .filter(|(_, slot)| slot.active.is_none())
        .max_by_key(|(_, slot)| {
            (
                common_prefix(&slot.cached, prompt),
                std::cmp::Reverse(slot.cached.len()),
            )
        })
        .map(|(index, _)| index)
        .unwrap_or(0)
}

fn common_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Keeps the part of the slot's cache that `tokens` starts with, at most `limit` tokens;
/// returns how many tokens were kept.
fn reuse_prefix(
    context: &mut LlamaContext<'_>,
    slot: &mut Slot,
    tokens: &[LlamaToken],
    limit: usize,
) -> usize {
    let keep = common_prefix(&slot.cached, tokens).min(limit);
    let kept = if context
        .kv_cache_seq_rm(slot.sequence, Some(keep as u32), None)
        .is_ok()
    {
        keep
    } else {
        let _ = context.kv_cache_seq_rm(slot.sequence, None, None);
        0
    };
    slot.cached.truncate(kept);
    kept
}

fn start(context: &mut LlamaContext<'_>, slot: &mut Slot, job: GenerateJob) {
    // At least the last prompt token is computed again: its logits give the first token.
    let kept = reuse_prefix(context, slot, &job.prompt, job.prompt.len() - 1);
    tracing::debug!(
        sequence = slot.sequence,
        prompt_tokens = job.prompt.len(),
        cached_prompt_tokens = kept,
        "generation admitted"
    );
    slot.active = Some(Active {
        pending: job.prompt[kept..].iter().copied().collect(),
        cached_prompt_tokens: kept,
        job,
        next: None,
        logits_index: None,
        generated: 0,
        bytes: Vec::new(),
        emitted: 0,
        started: Instant::now(),
        first_token: None,
    });
}

/// One decode of every active slot's next tokens, then sampling.
fn step(
    shared: &Shared,
    context: &mut LlamaContext<'_>,
    slots: &mut [Slot],
    batch: &mut LlamaBatch<'_>,
) {
    batch.clear();
    let capacity = shared
        .config
        .batch_tokens
        .max(shared.config.parallel_sequences);
    let mut used = 0;
    let mut added: Vec<(usize, Vec<LlamaToken>)> = Vec::new();
    // Generation tokens first (one per slot), so that a long prompt never starves them.
    for (index, slot) in slots.iter_mut().enumerate() {
        let Some(active) = slot.active.as_mut() else {
            continue;
        };
        active.logits_index = None;
        if let Some(token) = active.next.take() {
            let position = slot.cached.len() as i32;
            if batch.add(token, position, &[slot.sequence], true).is_ok() {
                active.logits_index = Some(used as i32);
                used += 1;
                added.push((index, vec![token]));
            } else {
                active.next = Some(token);
            }
        }
    }
    for (index, slot) in slots.iter_mut().enumerate() {
        let Some(active) = slot.active.as_mut() else {
            continue;
        };
        if active.pending.is_empty() || used >= capacity {
            continue;
        }
        let mut tokens = Vec::new();
        while used < capacity
            && let Some(token) = active.pending.pop_front()
        {
            let position = (slot.cached.len() + tokens.len()) as i32;
            let last = active.pending.is_empty();
            if batch.add(token, position, &[slot.sequence], last).is_err() {
                active.pending.push_front(token);
                break;
            }
            if last {
                active.logits_index = Some(used as i32);
            }
            tokens.push(token);
            used += 1;
        }
        added.push((index, tokens));
    }
    if used == 0 {
        return;
    }
    if let Err(error) = context.decode(batch) {
        tracing::error!(%error, tokens = used, "llama.cpp decode failed");
        for (index, _) in &added {
            let slot = &mut slots[*index];
            let _ = context.kv_cache_seq_rm(slot.sequence, None, None);
            slot.cached.clear();
            if let Some(active) = slot.active.take() {
                let _ = active.job.events.send(Err(Error::Inference(format!(
                    "llama.cpp could not decode a batch ({error})"
                ))));
            }
        }
        return;
    }
    for (index, tokens) in added {
        slots[index].cached.extend(tokens);
    }
    let vocab = shared.model.vocab();
    for slot in slots.iter_mut() {
        let Some(active) = slot.active.as_mut() else {
            continue;
        };
        let Some(logits_index) = active.logits_index else {
            continue;
        };
        let token = active.job.sampler.sample(context, logits_index);
        let now = Instant::now();
        active.first_token.get_or_insert(now);
        active.generated += 1;
        let end_of_text = vocab.is_eog(token) && !active.job.ignore_end_of_text;
        if !end_of_text {
            vocab.token_to_piece_into(token, &mut active.bytes, false, None);
        }
        let outcome = advance(active, end_of_text);
        let delivered = match &outcome {
            Advance::Continue(piece) | Advance::Finish(piece, _) => {
                piece.is_empty()
                    || active
                        .job
                        .events
                        .send(Ok(StreamEvent::Text(piece.clone())))
                        .is_ok()
            }
        };
        if !delivered {
            tracing::debug!(
                sequence = slot.sequence,
                "generation cancelled by its reader"
            );
            finish_slot(shared, slot);
            continue;
        }
        match outcome {
            Advance::Continue(_) => active.next = Some(token),
            Advance::Finish(_, finish_reason) => {
                let end = active.emitted;
                let usage = Usage {
                    prompt_tokens: active.job.prompt.len(),
                    cached_prompt_tokens: active.cached_prompt_tokens,
                    completion_tokens: active.generated,
                    time_to_first_token_ms: milliseconds(
                        active.job.arrived,
                        active.first_token.unwrap_or(now),
                    ),
                    prompt_ms: milliseconds(active.started, active.first_token.unwrap_or(now)),
                    generation_ms: milliseconds(active.first_token.unwrap_or(now), now),
                };
                let text = String::from_utf8_lossy(&active.bytes[..end]).into_owned();
                let _ = active.job.events.send(Ok(StreamEvent::Done {
                    text,
                    finish_reason,
                    usage,
                }));
                finish_slot(shared, slot);
            }
        }
    }
}

fn milliseconds(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1000.0
}

fn finish_slot(shared: &Shared, slot: &mut Slot) {
    if let Some(active) = slot.active.take()
        && let Ok(mut queue) = shared.queue.lock()
    {
        let elapsed_ms = milliseconds(active.job.arrived, Instant::now());
        queue.average_request_ms = if queue.average_request_ms == 0.0 {
            elapsed_ms
        } else {
            0.8 * queue.average_request_ms + 0.2 * elapsed_ms
        };
    }
}

enum Advance {
    /// Text that can be shown now.
    Continue(String),
    /// The last text, and why generation ends.
    Finish(String, FinishReason),
}

/// Decides what of the generated bytes can be shown: never half a UTF-8 character, never
/// the start of what may become a stop sequence, nothing from a stop sequence on.
fn advance(active: &mut Active, end_of_text: bool) -> Advance {
    let bytes = &active.bytes;
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(error) => error.valid_up_to(),
    };
    let longest_stop = active.job.stop.iter().map(Vec::len).max().unwrap_or(0);
    let search_from = active.emitted.saturating_sub(longest_stop);
    let stop_at = active
        .job
        .stop
        .iter()
        .filter_map(|stop| find(&bytes[search_from..valid], stop).map(|at| search_from + at))
        .min();
    let (end, finish) = if let Some(stop_at) = stop_at {
        (stop_at, Some(FinishReason::Stop))
    } else if end_of_text {
        (valid, Some(FinishReason::Stop))
    } else if active.generated >= active.job.max_tokens {
        (valid, Some(FinishReason::Length))
    } else {
        let held = active
            .job
            .stop
            .iter()
            .map(|stop| partial_stop(&bytes[..valid], stop))
            .max()
            .unwrap_or(0);
        (valid - held, None)
    };
    let end = end.max(active.emitted);
    let piece = String::from_utf8_lossy(&bytes[active.emitted..end]).into_owned();
    active.emitted = end;
    match finish {
        Some(reason) => Advance::Finish(piece, reason),
        None => Advance::Continue(piece),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Length of the longest end of `text` that is a proper start of `stop`.
fn partial_stop(text: &[u8], stop: &[u8]) -> usize {
    (1..stop.len().min(text.len() + 1))
        .rev()
        .find(|&length| text.ends_with(&stop[..length]))
        .unwrap_or(0)
}

/// Log-likelihood of each continuation, computed in the slot's sequence (the prompt's KV
/// state is reused between continuations).
fn score(
    context: &mut LlamaContext<'_>,
    slot: &mut Slot,
    job: &ScoreJob,
    batch_tokens: usize,
) -> Result<Vec<f64>> {
    let mut scores = Vec::with_capacity(job.continuations.len());
    let mut batch = LlamaBatch::new(batch_tokens, 1);
    for continuation in &job.continuations {
        let tokens: Vec<LlamaToken> = job.prompt.iter().chain(continuation).copied().collect();
        // Logits are needed from the last prompt token on: recompute at least from there.
        let kept = reuse_prefix(context, slot, &tokens, job.prompt.len() - 1);
        let mut total = 0.0;
        let mut position = kept;
        while position < tokens.len() {
            batch.clear();
            let chunk_end = (position + batch_tokens).min(tokens.len());
            for (offset, token) in tokens[position..chunk_end].iter().enumerate() {
                let at = position + offset;
                let wants_logits = at + 1 >= job.prompt.len() && at + 1 < tokens.len();
                batch
                    .add(*token, at as i32, &[slot.sequence], wants_logits)
                    .map_err(|error| Error::Inference(error.to_string()))?;
            }
            if let Err(error) = context.decode(&mut batch) {
                let _ = context.kv_cache_seq_rm(slot.sequence, None, None);
                slot.cached.clear();
                return Err(Error::Inference(format!(
                    "llama.cpp could not decode ({error})"
                )));
            }
            slot.cached.extend_from_slice(&tokens[position..chunk_end]);
            for at in position..chunk_end {
                if at + 1 >= job.prompt.len() && at + 1 < tokens.len() {
                    let logits = context.get_logits_ith((at - position) as i32);
                    total += log_probability(logits, tokens[at + 1].0 as usize);
                }
            }
            position = chunk_end;
        }
        scores.push(total);
    }
    Ok(scores)
}

/// log softmax(logits)[index], in f64.
fn log_probability(logits: &[f32], index: usize) -> f64 {
    let maximum = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = logits
        .iter()
        .map(|&logit| (logit as f64 - maximum).exp())
        .sum();
    logits.get(index).map_or(f64::NEG_INFINITY, |&logit| {
        logit as f64 - maximum - sum.ln()
    })
}
