//! Layered settings: embedded defaults, then a file, then `ESCULAPE__SECTION__KEY`
//! environment variables; command-line flags are applied by each command.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// All settings, as `config/default.toml` documents them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub paths: PathSettings,
    pub kb: KbSettings,
    pub embeddings: EmbeddingSettings,
    pub llm: LlmSettings,
    pub search: SearchSettings,
    pub pseudo: PseudoSettings,
    pub store: StoreSettings,
    pub answer: AnswerSettings,
    pub server: ServerSettings,
    pub audit: AuditSettings,
    pub log: LogSettings,
}

/// The `[server]` section: `esculape serve`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub addr: String,
    pub session_hours: u64,
    pub lockout_attempts: u32,
    pub lockout_minutes: u64,
    pub body_limit_kb: usize,
    pub request_timeout_s: u64,
    pub tls_cert: String,
    pub tls_key: String,
    pub behind_tls: bool,
    pub model_workers: usize,
    pub model_queue: usize,
}

/// The `[audit]` section: how long the audit trail keeps records.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    pub retention_days: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddingSettings {
    pub backend: String,
    pub local_model_dir: String,
    pub max_tokens: usize,
    pub threads: usize,
    pub batch_size: usize,
    pub base_url: String,
    pub model: String,
    pub api_key_env: String,
    pub api_key_file: String,
    pub timeout_s: u64,
    pub attempts: u32,
    pub query_prefix: String,
    pub passage_prefix: String,
}

/// The `[llm]` section: which language model answers, and how many requests it serves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmSettings {
    pub backend: String,
    pub model: String,
    pub chat_template: String,
    pub context_tokens: usize,
    pub threads: usize,
    pub parallel_sequences: usize,
    pub queue_length: usize,
    pub batch_tokens: usize,
    pub max_tokens: usize,
    pub base_url: String,
    pub remote_model: String,
    pub api_key_env: String,
    pub api_key_file: String,
    pub response_timeout_s: u64,
    pub total_timeout_s: u64,
    pub attempts: u32,
    pub max_concurrent_requests: usize,
    pub remote_context_tokens: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathSettings {
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KbSettings {
    pub mirror: String,
    pub chunk_max_chars: usize,
    pub writer_memory_mb: usize,
    pub writer_threads: usize,
    pub max_file_mb: u64,
    pub python: String,
    pub http_timeout_s: u64,
    pub vector_index_min: usize,
    pub vector_probe_percent: u32,
}

/// The `[answer]` section: `esculape ask`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerSettings {
    pub mode: String,
    pub k: usize,
    pub max_passages: usize,
    pub max_passages_per_document: usize,
    pub max_sentences: usize,
    pub min_question_coverage: f32,
    pub min_document_coverage: f32,
    pub dense_min_support: f32,
    pub dense_min_question_coverage: f32,
    pub min_citation_support: f32,
    pub max_redundancy: f32,
    pub max_tokens: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    pub k: usize,
    pub mode: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PseudoSettings {
    pub mode: String,
    pub key_env: String,
    pub key_file: String,
    pub vault_dir: String,
    pub scope_ttl_hours: u64,
}

/// The `[store]` section: the data key that seals patient text in the database.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    pub key_env: String,
    pub key_file: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: String,
}

impl Settings {
    /// Loads defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings> {
        let environment: Vec<(String, String)> = std::env::vars().collect();
        Settings::load_from(file, &environment)
    }

    /// As [`Settings::load`], with the environment given (for tests).
    pub fn load_from(file: Option<&Path>, environment: &[(String, String)]) -> Result<Settings> {
        let mut table: toml::Table = DEFAULTS
            .parse()
            .context("the embedded default settings are invalid")?;
        if let Some(file) = file {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the settings file `{}`", file.display()))?;
            let overrides: toml::Table = text.parse().with_context(|| {
                format!("the settings file `{}` is not valid TOML", file.display())
            })?;
            merge(&mut table, overrides, file.display().to_string().as_str())?;
        }
        for (name, value) in environment {
            let Some(path) = name.strip_prefix("ESCULAPE__") else {
                continue;
            };
            let keys: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
            let [section, key] = &keys[..] else {
                bail!(
                    "environment variable `{name}` should be ESCULAPE__SECTION__KEY (for example ESCULAPE__KB__WRITER_THREADS)"
                );
            };
            let Some(toml::Value::Table(section_table)) = table.get_mut(section) else {
                bail!("environment variable `{name}`: there is no settings section `[{section}]`");
            };
            let Some(current) = section_table.get(key) else {
                bail!("environment variable `{name}`: section `[{section}]` has no key `{key}`");
            };
            let parsed = match current {
                toml::Value::String(_) => toml::Value::String(value.clone()),
                toml::Value::Integer(_) => {
                    toml::Value::Integer(value.trim().parse().with_context(|| {
                        format!(
                            "environment variable `{name}` must be a whole number, not `{value}`"
                        )
                    })?)
                }
                toml::Value::Boolean(_) => {
                    toml::Value::Boolean(value.trim().parse().with_context(|| {
                        format!(
                            "environment variable `{name}` must be true or false, not `{value}`"
                        )
                    })?)
                }
                toml::Value::Float(_) => {
                    toml::Value::Float(value.trim().parse().with_context(|| {
                        format!("environment variable `{name}` must be a number, not `{value}`")
                    })?)
                }
                _ => bail!("environment variable `{name}` cannot set a list or table"),
            };
            section_table.insert(key.clone(), parsed);
        }
        let settings: Settings = toml::Value::Table(table)
            .try_into()
            .context("invalid settings")?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<()> {
        if self.kb.chunk_max_chars < 100 {
            bail!(
                "kb.chunk_max_chars = {} is too small: passages under 100 characters cannot be cited usefully",
                self.kb.chunk_max_chars
            );
        }
        if self.kb.writer_threads == 0 {
            bail!("kb.writer_threads must be at least 1");
        }
        if !(1..=100).contains(&self.kb.vector_probe_percent) {
            bail!(
                "kb.vector_probe_percent = {} must be between 1 and 100 (the share of lists read per query)",
                self.kb.vector_probe_percent
            );
        }
        if !matches!(
            self.embeddings.backend.as_str(),
            "local" | "openai" | "none"
        ) {
            bail!(
                "embeddings.backend must be \"local\", \"openai\" or \"none\", not {:?}",
                self.embeddings.backend
            );
        }
        if !matches!(self.llm.backend.as_str(), "local" | "openai" | "none") {
            bail!(
                "llm.backend must be \"local\", \"openai\" or \"none\", not {:?}",
                self.llm.backend
            );
        }
        if !matches!(self.llm.chat_template.as_str(), "auto" | "model" | "plain") {
            bail!(
                "llm.chat_template must be \"auto\", \"model\" or \"plain\", not {:?}",
                self.llm.chat_template
            );
        }
        if self.llm.threads == 0 || self.llm.parallel_sequences == 0 || self.llm.batch_tokens == 0 {
            bail!("llm.threads, llm.parallel_sequences and llm.batch_tokens must be at least 1");
        }
        if !matches!(
            self.search.mode.as_str(),
            "auto" | "bm25" | "dense" | "hybrid"
        ) {
            bail!(
                "search.mode must be auto, bm25, dense or hybrid, not {:?}",
                self.search.mode
            );
        }
        if !matches!(self.pseudo.mode.as_str(), "surrogates" | "placeholders") {
            bail!(
                "pseudo.mode must be \"surrogates\" or \"placeholders\", not {:?}",
                self.pseudo.mode
            );
        }
        if !matches!(self.answer.mode.as_str(), "extractive" | "generative") {
            bail!(
                "answer.mode must be \"extractive\" or \"generative\", not {:?}",
                self.answer.mode
            );
        }
        for (name, value) in [
            ("min_question_coverage", self.answer.min_question_coverage),
            ("min_document_coverage", self.answer.min_document_coverage),
            (
                "dense_min_question_coverage",
                self.answer.dense_min_question_coverage,
            ),
            ("min_citation_support", self.answer.min_citation_support),
            ("max_redundancy", self.answer.max_redundancy),
        ] {
            if !(0.0..=1.0).contains(&value) {
                bail!("answer.{name} = {value} must be a share between 0 and 1");
            }
        }
        crate::serve::validate_settings(self)?;
        if !matches!(self.log.format.as_str(), "text" | "json") {
            bail!(
                "log.format must be \"text\" or \"json\", not {:?}",
                self.log.format
            );
        }
        Ok(())
    }

    /// Folder of the local embedding model.
    pub fn local_model_dir(&self) -> PathBuf {
        if self.embeddings.local_model_dir.trim().is_empty() {
            self.paths.data_dir.join("models/all-minilm-l6-v2")
        } else {
            PathBuf::from(self.embeddings.local_model_dir.trim())
        }
    }

    /// The mirror folder, if one is configured.
    pub fn mirror(&self) -> Option<PathBuf> {
        (!self.kb.mirror.trim().is_empty()).then(|| PathBuf::from(self.kb.mirror.trim()))
    }
}

fn merge(base: &mut toml::Table, overrides: toml::Table, origin: &str) -> Result<()> {
    for (key, value) in overrides {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_section)), toml::Value::Table(section)) => {
                for (inner_key, inner_value) in section {
                    if !base_section.contains_key(&inner_key) {
                        bail!(
                            "{origin}: unknown setting `{key}.{inner_key}` (see config/default.toml for the list)"
                        );
                    }
                    base_section.insert(inner_key, inner_value);
                }
            }
            (Some(_), _) | (None, _) => {
                bail!("{origin}: unknown settings section `{key}` (see config/default.toml)")
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn defaults_load_and_validate() {
        let settings = Settings::load_from(None, &[]).unwrap();
        assert_eq!(settings.search.k, 10);
        assert_eq!(settings.mirror(), None);
    }

    #[test]
    fn file_then_environment_override_defaults() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("esculape.toml");
        std::fs::write(
            &file,
            "[kb]\nwriter_threads = 3\nmirror = \"/srv/mirror\"\n",
        )
        .unwrap();
        let settings = Settings::load_from(
            Some(&file),
            &environment(&[("ESCULAPE__KB__WRITER_THREADS", "4")]),
        )
        .unwrap();
        assert_eq!(settings.kb.writer_threads, 4);
        assert_eq!(settings.mirror(), Some(PathBuf::from("/srv/mirror")));
    }

    #[test]
    fn typos_are_refused_with_the_key_named() {
        let error =
            Settings::load_from(None, &environment(&[("ESCULAPE__KB__WRITER_THREAD", "4")]))
                .unwrap_err();
        assert!(format!("{error:#}").contains("writer_thread"), "{error:#}");
        let error = Settings::load_from(
            None,
            &environment(&[("ESCULAPE__KB__WRITER_THREADS", "beaucoup")]),
        )
        .unwrap_err();
        assert!(format!("{error:#}").contains("whole number"), "{error:#}");
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("esculape.toml");
        std::fs::write(&file, "[kb]\nchunk_size = 3\n").unwrap();
        let error = Settings::load_from(Some(&file), &[]).unwrap_err();
        assert!(format!("{error:#}").contains("kb.chunk_size"), "{error:#}");
    }
}
