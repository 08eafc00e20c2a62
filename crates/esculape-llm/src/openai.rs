//! Embeddings from an OpenAI-compatible server (`POST /v1/embeddings`): vLLM, llama.cpp
//! server, TGI, text-embeddings-inference or a sovereign cloud endpoint. Timeouts,
//! retries with backoff that honour `Retry-After`, and an API key that is never logged.

use crate::embed::{EmbedKind, Embedder, normalize};
use crate::error::{Error, Result};
use crate::retry::Endpoint;
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
        let endpoint = Endpoint {
            agent: &self.agent,
            url: &self.url,
            api_key: self.config.api_key.as_deref(),
            attempts: self.config.attempts,
            what: "embedding server",
            refused_hint: "check the model name and the API key",
            unreachable_hint: "",
        };
        let mut response = endpoint.post(&body.to_string())?;
        let parsed: Response = response
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_json()
            .map_err(|error| endpoint.error(format!("unreadable answer: {error}")))?;
        self.order(parsed, texts.len())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    /// A loopback stand-in for an embedding server: answers each connection with the next
    /// scripted (status, headers, body) and records the requests it saw.
    fn server(script: Vec<(u16, &'static str, String)>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for (status, headers, body) in script {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                    request.push_str(&line);
                }
                let mut payload = vec![0u8; length];
                std::io::Read::read_exact(&mut reader, &mut payload).unwrap();
                request.push_str(&String::from_utf8_lossy(&payload));
                record.lock().unwrap().push(request);
                let mut stream = stream;
                let response = format!(
                    "HTTP/1.1 {status} X\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(response.as_bytes()).unwrap();
            }
        });
        (address, seen)
    }

    fn embeddings(vectors: &[[f32; 2]]) -> String {
        let data: Vec<String> = vectors
            .iter()
            .enumerate()
            .map(|(index, vector)| {
                format!(
                    "{{\"index\":{index},\"embedding\":[{},{}]}}",
                    vector[0], vector[1]
                )
            })
            .collect();
        format!("{{\"data\":[{}]}}", data.join(","))
    }

    fn config(base_url: String) -> OpenAiConfig {
        OpenAiConfig {
            base_url,
            model: "e5".into(),
            api_key: Some("secret-key".into()),
            timeout: Duration::from_secs(5),
            attempts: 3,
            batch_size: 8,
            query_prefix: "query: ".into(),
            passage_prefix: "passage: ".into(),
        }
    }

    #[test]
    fn retries_after_a_busy_answer_and_normalizes_in_order() {
        let (address, seen) = server(vec![
            (200, "", embeddings(&[[3.0, 4.0]])),
            (429, "Retry-After: 1\r\n", "{}".into()),
            (200, "", embeddings(&[[0.0, 2.0], [5.0, 0.0]])),
        ]);
        let embedder = OpenAiEmbedder::connect(config(address)).unwrap();
        assert_eq!(embedder.dimension(), 2);
        let vectors = embedder.embed(&["a", "b"], EmbedKind::Passage).unwrap();
        assert_eq!(vectors, [vec![0.0, 1.0], vec![1.0, 0.0]]);
        let requests = seen.lock().unwrap();
        assert_eq!(requests.len(), 3);
        assert!(requests[2].contains("\"passage: a\""), "{}", requests[2]);
        assert!(
            requests[2]
                .to_ascii_lowercase()
                .contains("authorization: bearer secret-key")
        );
    }

    #[test]
    fn a_dead_server_is_a_clear_error_and_the_key_never_shows() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let mut settings = config(address.clone());
        settings.attempts = 1;
        let error = OpenAiEmbedder::connect(settings.clone()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(&address), "{message}");
        assert!(!message.contains("secret-key") && !format!("{settings:?}").contains("secret-key"));
    }

    #[test]
    fn a_wrong_count_of_vectors_is_refused() {
        let (address, _) = server(vec![
            (200, "", embeddings(&[[1.0, 0.0]])),
            (200, "", embeddings(&[[1.0, 0.0]])),
        ]);
        let embedder = OpenAiEmbedder::connect(config(address)).unwrap();
        let error = embedder.embed(&["a", "b"], EmbedKind::Query).unwrap_err();
        assert!(
            error.to_string().contains("1 embeddings for 2 texts"),
            "{error}"
        );
    }
}
