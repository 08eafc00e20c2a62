//! Embeddings from an OpenAI-compatible server (`POST /v1/embeddings`): vLLM, llama.cpp
//! server, TGI, text-embeddings-inference or a sovereign cloud endpoint. Timeouts,
//! retries with backoff that honour `Retry-After`, and an API key that is never logged.

use crate::embed::{EmbedKind, Embedder, normalize};
use crate::error::{Error, Result};
use std::time::Duration;

/// Settings of an embedding server.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// Base address, for example `http://gpu-server:8000` (with or without `/v1`).
    pub base_url: String,
    /// Model name the server expects.
    pub model: String,
    /// Bearer token, if the server wants one. Read from the environment or a file by the
    /// caller; never printed.
    pub api_key: Option<String>,
    pub timeout: Duration,
    /// Attempts for one batch, the first included.
    pub attempts: u32,
    /// Texts per request.
    pub batch_size: usize,
    /// Prefixes some models need ("query: ", "passage: " for e5).
    pub query_prefix: String,
    pub passage_prefix: String,
}

impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

/// A client of an OpenAI-compatible embedding endpoint.
#[derive(Debug)]
pub struct OpenAiEmbedder {
    config: OpenAiConfig,
    agent: ureq::Agent,
    url: String,
    id: String,
    dimension: usize,
}

#[derive(serde::Deserialize)]
struct Response {
    data: Vec<Item>,
}

#[derive(serde::Deserialize)]
struct Item {
    index: usize,
    embedding: Vec<f32>,
}

impl OpenAiEmbedder {
    /// Connects and asks for one embedding to learn the dimension (fails fast on a dead server).
    pub fn connect(config: OpenAiConfig) -> Result<OpenAiEmbedder> {
        if config.base_url.trim().is_empty() || config.model.trim().is_empty() {
            return Err(Error::Settings(
                "an embedding server needs both a base address and a model name".into(),
            ));
        }
        let base = config.base_url.trim_end_matches('/');
        let url = if base.ends_with("/v1") {
            format!("{base}/embeddings")
        } else {
            format!("{base}/v1/embeddings")
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let id = format!("openai:{}@{}", config.model, base);
        let mut embedder = OpenAiEmbedder {
            config,
            agent,
            url,
            id,
            dimension: 0,
        };
        let probe = embedder.request(&["dimension probe"])?;
        embedder.dimension = probe.first().map(Vec::len).unwrap_or(0);
        if embedder.dimension == 0 {
            return Err(Error::Server {
                url: embedder.url.clone(),
                reason: "the server returned an empty embedding".into(),
            });
        }
        Ok(embedder)
    }

    fn request(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let body = serde_json::json!({ "model": self.config.model, "input": texts });
        let mut delay = Duration::from_millis(500);
        let mut last_error = String::new();
        for attempt in 1..=self.config.attempts.max(1) {
            let mut request = self
                .agent
                .post(&self.url)
                .header("Content-Type", "application/json");
            if let Some(key) = &self.config.api_key {
                request = request.header("Authorization", &format!("Bearer {key}"));
            }
            match request.send(body.to_string().as_bytes()) {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    if status == 200 {
                        let parsed: Response = response
                            .body_mut()
                            .with_config()
                            .limit(256 << 20)
                            .read_json()
                            .map_err(|error| Error::Server {
                                url: self.url.clone(),
                                reason: format!("unreadable answer: {error}"),
                            })?;
                        return self.order(parsed, texts.len());
                    }
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| value.trim().parse::<u64>().ok());
                    last_error = format!("HTTP {status}");
                    if status == 429 || status >= 500 {
                        if attempt == self.config.attempts.max(1) {
                            if let Some(seconds) = retry_after {
                                return Err(Error::Busy {
                                    url: self.url.clone(),
                                    retry_after_s: seconds,
                                });
                            }
                            break;
                        }
                        let wait = retry_after
                            .map(Duration::from_secs)
                            .unwrap_or(delay)
                            .min(Duration::from_secs(60));
                        tracing::warn!(url = %self.url, status, wait_ms = wait.as_millis() as u64, attempt, "embedding server refused; retrying");
                        std::thread::sleep(wait);
                        delay *= 2;
                        continue;
                    }
                    return Err(Error::Server {
                        url: self.url.clone(),
                        reason: format!("{last_error}: check the model name and the API key"),
                    });
                }
                Err(error) => {
                    last_error = error.to_string();
                    if attempt < self.config.attempts.max(1) {
                        tracing::warn!(url = %self.url, attempt, "embedding server unreachable; retrying");
                        std::thread::sleep(delay);
                        delay *= 2;
                    }
                }
            }
        }
        Err(Error::Server {
            url: self.url.clone(),
            reason: format!(
                "{last_error} after {} attempt(s)",
                self.config.attempts.max(1)
            ),
        })
    }

    fn order(&self, response: Response, expected: usize) -> Result<Vec<Vec<f32>>> {
        if response.data.len() != expected {
            return Err(Error::Server {
                url: self.url.clone(),
                reason: format!("{} embeddings for {expected} texts", response.data.len()),
            });
        }
        let mut vectors = vec![Vec::new(); expected];
        for item in response.data {
            let Some(slot) = vectors.get_mut(item.index) else {
                return Err(Error::Server {
                    url: self.url.clone(),
                    reason: format!("embedding index {} out of range", item.index),
                });
            };
            *slot = item.embedding;
        }
        for vector in &mut vectors {
            normalize(vector);
        }
        Ok(vectors)
    }
}

impl Embedder for OpenAiEmbedder {
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
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.config.batch_size.max(1)) {
            let prefixed: Vec<String> =
                batch.iter().map(|text| format!("{prefix}{text}")).collect();
            let references: Vec<&str> = prefixed.iter().map(String::as_str).collect();
            for vector in self.request(&references)? {
                if vector.len() != self.dimension {
                    return Err(Error::Server {
                        url: self.url.clone(),
                        reason: format!(
                            "vector of {} values, expected {}",
                            vector.len(),
                            self.dimension
                        ),
                    });
                }
                vectors.push(vector);
            }
        }
        Ok(vectors)
    }
}
