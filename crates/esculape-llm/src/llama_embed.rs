//! Sentence embeddings from a GGUF embedding model run by llama.cpp (e5, bge, nomic…), behind
//! the [`Embedder`] trait.

use crate::embed::{EmbedKind, Embedder, normalize};
use crate::error::{Error, Result};
use crate::gguf::{backend, inspect_gguf};
use llama_cpp_2::context::params::{LlamaContextParams, LlamaPoolingType};
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Mutex;

/// Settings of a GGUF embedding model.
#[derive(Debug, Clone)]
pub struct LlamaEmbedderConfig {
    pub model_path: PathBuf,
    /// Longest input, in tokens; longer texts are cut.
    pub max_tokens: usize,
    pub threads: usize,
    /// Prefixes some models need ("query: ", "passage: " for e5).
    pub query_prefix: String,
    pub passage_prefix: String,
}

/// A GGUF embedding model: the pooling its file names, mean pooling when it names none
/// (a chat model used for embeddings).
pub struct LlamaEmbedder {
    model: LlamaModel,
    config: LlamaEmbedderConfig,
    id: String,
    dimension: usize,
    pooling: LlamaPoolingType,
    /// One computation at a time: each call builds its own llama.cpp context.
    lock: Mutex<()>,
}

impl std::fmt::Debug for LlamaEmbedder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LlamaEmbedder")
            .field("id", &self.id)
            .field("dimension", &self.dimension)
            .finish_non_exhaustive()
    }
}

impl LlamaEmbedder {
    pub fn load(config: LlamaEmbedderConfig) -> Result<LlamaEmbedder> {
        if config.max_tokens == 0 || config.threads == 0 {
            return Err(Error::Settings(
                "max_tokens and threads of an embedding model must be at least 1".into(),
            ));
        }
        let info = inspect_gguf(&config.model_path)?;
        let model =
            LlamaModel::load_from_file(backend()?, &config.model_path, &LlamaModelParams::default())
                .map_err(|error| Error::Model {
                    path: config.model_path.clone(),
                    reason: format!(
                        "llama.cpp cannot load it ({error}): the file is truncated or corrupted, or its architecture `{}` is not supported",
                        info.architecture
                    ),
                })?;
        let dimension = usize::try_from(model.n_embd()).unwrap_or(0);
        let file_name = config
            .model_path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(LlamaEmbedder {
            id: format!("llama.cpp:{file_name}:{}", config.max_tokens),
            model,
            config,
            dimension,
            pooling: if info.pooling_type.is_some() {
                LlamaPoolingType::Unspecified
            } else {
                LlamaPoolingType::Mean
            },
            lock: Mutex::new(()),
        })
    }
}

impl Embedder for LlamaEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn dimension(&self) -> usize {
        self.dimension
    }

    fn embed(&self, texts: &[&str], kind: EmbedKind) -> Result<Vec<Vec<f32>>> {
        let prefix = match kind {
            EmbedKind::Query => &self.config.query_prefix,
            EmbedKind::Passage => &self.config.passage_prefix,
        };
        let vocab = self.model.vocab();
        let max_tokens = self.config.max_tokens;
        let token_lists: Vec<_> = texts
            .iter()
            .map(|text| {
                let mut tokens = vocab.tokenize(format!("{prefix}{text}").as_bytes(), true, false);
                tokens.truncate(max_tokens);
                tokens
            })
            .collect();
        let _guard = self
            .lock
            .lock()
            .map_err(|_| Error::Inference("an earlier embedding crashed".into()))?;
        let size = u32::try_from(max_tokens).unwrap_or(u32::MAX);
        let threads = self.config.threads.min(i32::MAX as usize) as i32;
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(size))
            .with_n_batch(size)
            .with_n_ubatch(size)
            .with_n_seq_max(1)
            .with_n_threads(threads)
            .with_n_threads_batch(threads)
            .with_embeddings(true)
            .with_pooling_type(self.pooling);
        let mut context = self
            .model
            .new_context(backend()?, params)
            .map_err(|error| {
                Error::Inference(format!("cannot create an embedding context: {error}"))
            })?;
        let mut batch = LlamaBatch::new(max_tokens, 1);
        let mut vectors = Vec::with_capacity(texts.len());
        for tokens in &token_lists {
            if tokens.is_empty() {
                vectors.push(vec![0.0; self.dimension]);
                continue;
            }
            context.clear_kv_cache();
            batch.clear();
            batch
                .add_sequence(tokens, 0, false)
                .map_err(|error| Error::Inference(error.to_string()))?;
            context.decode(&mut batch).map_err(|error| {
                Error::Inference(format!("llama.cpp could not embed ({error})"))
            })?;
            let mut vector = context
                .embeddings_seq_ith(0)
                .map_err(|error| Error::Inference(format!("no embedding came back ({error})")))?
                .to_vec();
            normalize(&mut vector);
            vectors.push(vector);
        }
        Ok(vectors)
    }
}
