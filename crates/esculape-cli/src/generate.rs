//! `esculape generate`, and building the configured language model.

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use esculape_llm::{
    ChatMessage, ChatTemplateChoice, GenerateRequest, Generator, LlamaConfig, LlamaGenerator,
    OpenAiChatConfig, OpenAiGenerator, Sampling, StreamEvent, model_spec,
};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The prompt. A base model (Gemma 3 270M) continues it; an instruction model answers it.
    prompt: String,
    /// Longest completion, in tokens (default: llm.max_tokens).
    #[arg(long)]
    max_tokens: Option<usize>,
    /// Print one JSON object (text, finish reason, token counts, timings) instead of text.
    #[arg(long)]
    json: bool,
    /// 0 picks the most likely token each time (reproducible).
    #[arg(long, default_value_t = 0.0)]
    temperature: f32,
    /// Seed of the random draw when the temperature is above 0.
    #[arg(long, default_value_t = 0)]
    seed: u32,
    /// Stop before this text (repeatable).
    #[arg(long)]
    stop: Vec<String>,
}

pub fn generate(settings: &Settings, args: GenerateArgs) -> Result<()> {
    let generator = generator(settings)?;
    // The prompt reaches the model only pseudonymized (fail closed); the answer is
    // re-identified before it is shown.
    let mut scope = esculape_pseudo::Scope::new("generate", 3600)?;
    let pseudonymized = esculape_pseudo::pseudonymize(
        &args.prompt,
        &mut scope,
        &esculape_pseudo::Config::default(),
    )
    .context("the prompt could not be pseudonymized, so it was not sent to the model")?;
    let replaced = pseudonymized.findings().len();
    // With nothing replaced there is nothing to restore, so pieces can be shown as they
    // come; otherwise the whole answer is restored at the end.
    let stream_pieces = replaced == 0;
    let request = GenerateRequest {
        sampling: Sampling {
            temperature: args.temperature,
            seed: args.seed,
            ..Sampling::default()
        },
        stop: args.stop,
        ..GenerateRequest::new(
            vec![ChatMessage::user(pseudonymized.into())],
            args.max_tokens.unwrap_or(settings.llm.max_tokens),
        )
    };
    let mut stdout = std::io::stdout().lock();
    for event in generator.generate(request)? {
        match event? {
            StreamEvent::Text(piece) => {
                if !args.json && stream_pieces {
                    stdout.write_all(piece.as_bytes())?;
                    stdout.flush()?;
                }
            }
            StreamEvent::Done {
                text,
                finish_reason,
                usage,
            } => {
                let text = esculape_pseudo::reidentify(&text, &scope);
                if args.json {
                    let value = serde_json::json!({
                        "model": generator.id(),
                        "text": text,
                        "identifiers_replaced": replaced,
                        "finish_reason": finish_reason,
                        "usage": usage,
                        "prompt_tokens_per_s": usage.prompt_tokens_per_s(),
                        "generation_tokens_per_s": usage.generation_tokens_per_s(),
                    });
                    writeln!(stdout, "{value}")?;
                } else {
                    if !stream_pieces {
                        stdout.write_all(text.as_bytes())?;
                    }
                    writeln!(stdout)?;
                    drop(stdout);
                    if replaced > 0 {
                        eprintln!(
                            "[{replaced} identifier(s) replaced before the model saw the prompt, restored in its answer]"
                        );
                    }
                    eprintln!(
                        "[{} · {} prompt tokens ({} reused), {} generated, {:?} · first token {:.0} ms · prompt {:.1} tok/s · generation {:.1} tok/s]",
                        generator.id(),
                        usage.prompt_tokens,
                        usage.cached_prompt_tokens,
                        usage.completion_tokens,
                        finish_reason,
                        usage.time_to_first_token_ms,
                        usage.prompt_tokens_per_s(),
                        usage.generation_tokens_per_s()
                    );
                }
                return Ok(());
            }
        }
    }
    bail!("the model stopped without finishing its answer")
}

/// The configured language model.
pub fn generator(settings: &Settings) -> Result<Box<dyn Generator>> {
    let config = &settings.llm;
    match config.backend.as_str() {
        "none" => bail!("no language model is configured (llm.backend = \"none\")"),
        "local" => Ok(Box::new(local_generator(settings)?)),
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
            tracing::warn!(
                base_url = %config.base_url,
                "llm.backend = openai: prompts leave this process for the model server; it must be one of this site's machines or a certified health-data host"
            );
            Ok(Box::new(OpenAiGenerator::new(OpenAiChatConfig {
                base_url: config.base_url.clone(),
                model: config.remote_model.clone(),
                api_key,
                response_timeout: Duration::from_secs(config.response_timeout_s),
                total_timeout: Duration::from_secs(config.total_timeout_s),
                attempts: config.attempts,
                max_concurrent_requests: config.max_concurrent_requests,
                context_tokens: config.remote_context_tokens,
            })?))
        }
        other => bail!("unknown llm.backend {other:?}"),
    }
}

/// The local GGUF model of `[llm]` (whatever llm.backend says): the one commands need for
/// what only a local model offers, such as scoring continuations by likelihood.
pub fn local_generator(settings: &Settings) -> Result<LlamaGenerator> {
    let config = &settings.llm;
    let model_path = match model_spec(&config.model) {
        Some(spec) => {
            let path = crate::models::models_dir(settings).join(spec.file_name);
            if !path.is_file() {
                bail!(
                    "the model {} is not installed: run `esculape models pull {}`",
                    spec.name,
                    spec.name
                );
            }
            path
        }
        None => PathBuf::from(&config.model),
    };
    let chat_template = match config.chat_template.as_str() {
        "model" => ChatTemplateChoice::Model,
        "plain" => ChatTemplateChoice::Plain,
        _ => ChatTemplateChoice::Auto,
    };
    Ok(LlamaGenerator::load(LlamaConfig {
        model_path,
        context_tokens: config.context_tokens,
        threads: config.threads,
        parallel_sequences: config.parallel_sequences,
        queue_length: config.queue_length,
        batch_tokens: config.batch_tokens,
        chat_template,
    })?)
}
