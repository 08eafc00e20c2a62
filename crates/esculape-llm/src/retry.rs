//! The one retry loop of the OpenAI-compatible clients: a JSON POST retried with
//! exponential backoff on 429 and 5xx answers and on connection failures, honouring
//! `Retry-After`, and a typed `Busy` error when the server still refuses at the end.

use crate::error::{Error, Result};
use std::time::Duration;

/// Where a request goes and how its failures are worded.
pub(crate) struct Endpoint<'a> {
    pub agent: &'a ureq::Agent,
    pub url: &'a str,
    /// Bearer token; never logged.
    pub api_key: Option<&'a str>,
    /// Attempts, the first included.
    pub attempts: u32,
    /// What the server is, in messages ("embedding server", "model server").
    pub what: &'static str,
    /// Advice after a refusal that retrying cannot cure (4xx other than 429).
    pub refused_hint: &'static str,
    /// Advice after the last attempt failed ("" for none).
    pub unreachable_hint: &'static str,
}

impl Endpoint<'_> {
    /// POSTs `payload` (JSON text) and returns the first answer with status 200.
    pub fn post(&self, payload: &str) -> Result<ureq::http::Response<ureq::Body>> {
        let attempts = self.attempts.max(1);
        let mut delay = Duration::from_millis(500);
        let mut last_error = String::new();
        for attempt in 1..=attempts {
            let mut request = self
                .agent
                .post(self.url)
                .header("Content-Type", "application/json");
            if let Some(key) = self.api_key {
                request = request.header("Authorization", &format!("Bearer {key}"));
            }
            match request.send(payload.as_bytes()) {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if status == 200 {
                        return Ok(response);
                    }
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| value.trim().parse::<u64>().ok());
                    last_error = format!("HTTP {status}");
                    if status != 429 && status < 500 {
                        return Err(self.error(format!("{last_error}: {}", self.refused_hint)));
                    }
                    if attempt == attempts {
                        if let Some(retry_after_s) = retry_after {
                            return Err(Error::Busy {
                                what: format!("{} at {}", self.what, self.url),
                                retry_after_s,
                            });
                        }
                        break;
                    }
                    let wait = retry_after
                        .map(Duration::from_secs)
                        .unwrap_or(delay)
                        .min(Duration::from_secs(60));
                    tracing::warn!(url = %self.url, status, wait_ms = wait.as_millis() as u64, attempt, "{} refused; retrying", self.what);
                    std::thread::sleep(wait);
                }
                Err(error) => {
                    last_error = error.to_string();
                    if attempt < attempts {
                        tracing::warn!(url = %self.url, attempt, "{} unreachable; retrying", self.what);
                        std::thread::sleep(delay);
                    }
                }
            }
            delay *= 2;
        }
        let advice = if self.unreachable_hint.is_empty() {
            String::new()
        } else {
            format!(": {}", self.unreachable_hint)
        };
        Err(self.error(format!("{last_error} after {attempts} attempt(s){advice}")))
    }

    pub fn error(&self, reason: String) -> Error {
        Error::Server {
            url: self.url.to_string(),
            reason,
        }
    }
}
