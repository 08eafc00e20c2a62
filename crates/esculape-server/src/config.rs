//! What the HTTP layer needs to know beyond the application's settings.

use std::time::Duration;

/// HTTP settings (the binary fills them from `[server]`).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body, in bytes.
    pub body_limit_bytes: usize,
    /// Longest time for one request (source updates excepted).
    pub request_timeout: Duration,
    /// Mark cookies `Secure` and send HSTS: true when the server speaks TLS, or sits
    /// behind a proxy that does.
    pub secure_cookies: bool,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            body_limit_bytes: 1 << 20,
            request_timeout: Duration::from_secs(30),
            secure_cookies: false,
        }
    }
}

/// How long a shutdown waits for requests in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(25);
