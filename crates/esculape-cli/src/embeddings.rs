//! Building the configured embedding model.

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use esculape_llm::{Embedder, MiniLm, MiniLmConfig, OpenAiConfig, OpenAiEmbedder, install_minilm};
use std::time::Duration;

/// The configured embedder, or `None` when dense retrieval is off.
pub fn embedder(settings: &Settings) -> Result<Option<Box<dyn Embedder>>> {
    let config = &settings.embeddings;
    match config.backend.as_str() {
        "none" => Ok(None),
        "local" => {
            let folder = settings.local_model_dir();
            esculape_llm::check_model_folder(&folder)
                .with_context(|| "the local embedding model is not installed: run `esculape setup` (or set embeddings.backend = \"none\")")?;
            let model = MiniLm::load(&MiniLmConfig {
                folder,
                max_tokens: config.max_tokens,
                threads: config.threads,
            })?;
            Ok(Some(Box::new(model)))
        }
        "openai" => {
            let api_key = if !config.api_key_file.trim().is_empty() {
                let text =
                    std::fs::read_to_string(config.api_key_file.trim()).with_context(|| {
                        format!(
                            "cannot read the API key file `{}`",
                            config.api_key_file.trim()
                        )
                    })?;
                Some(text.trim().to_string())
            } else {
                std::env::var(&config.api_key_env)
                    .ok()
                    .filter(|key| !key.trim().is_empty())
            };
            let client = OpenAiEmbedder::connect(OpenAiConfig {
                base_url: config.base_url.clone(),
                model: config.model.clone(),
                api_key,
                timeout: Duration::from_secs(config.timeout_s),
                attempts: config.attempts,
                batch_size: config.batch_size,
                query_prefix: config.query_prefix.clone(),
                passage_prefix: config.passage_prefix.clone(),
            })?;
            Ok(Some(Box::new(client)))
        }
        other => bail!("unknown embeddings.backend {other:?}"),
    }
}

/// Installs the local model if the local backend is configured.
pub fn install_model(settings: &Settings) -> Result<()> {
    if settings.embeddings.backend != "local" {
        return Ok(());
    }
    let folder = settings.local_model_dir();
    install_minilm(&settings.kb.python, &folder)
        .context("cannot install the local embedding model")?;
    Ok(())
}
