//! HTTP for Esculape: the JSON API under `/api/v1` with its OpenAPI document, and the
//! server-rendered pages. The only crate that knows HTTP; it knows no SQL.
//!
//! Core concepts:
//! - [`router`] builds the whole application: API routes from [`api::endpoints`] (the
//!   same list the OpenAPI document [`api::ApiDoc`] must match), pages, security headers
//!   (CSP without scripts, frame denial, nosniff, no referrer), a body limit and a
//!   per-request timeout;
//! - a request is authenticated by the `esculape_session` cookie (HttpOnly,
//!   SameSite=Strict; changes need the session's CSRF token, in a form field or the
//!   `X-CSRF-Token` header) or by `Authorization: Bearer`;
//! - application errors become statuses and stable codes in one match
//!   ([`error::classify`]); 5xx bodies say nothing internal;
//! - [`serve`] runs until SIGTERM or Ctrl-C, then drains requests in flight for at most
//!   25 s.
//!
//! ```no_run
//! # async fn run(app: esculape_app::App) -> Result<(), esculape_server::Error> {
//! let router = esculape_server::router(app, esculape_server::ServerConfig::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! esculape_server::serve(listener, router).await
//! # }
//! ```

pub mod api;
pub mod api_clinical;
pub mod api_drafts;
pub mod api_openai;
mod config;
pub mod error;
mod pages;
mod security;
mod session;
mod state;

pub use config::{DRAIN_TIMEOUT, ServerConfig};
pub use pages::{Lang, Texts, ai_output_banner};
pub use session::{CSRF_HEADER, LANGUAGE_COOKIE, SESSION_COOKIE};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use esculape_app::{App, Operator};
use state::AppState;
use std::sync::Arc;
use std::time::Duration;

/// What can stop the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the HTTP server failed: {0}")]
    Serve(std::io::Error),
}

/// The whole application as one router.
pub fn router(app: App, config: ServerConfig) -> Router {
    let body_limit_bytes = config.body_limit_bytes;
    let state = AppState {
        app,
        config: Arc::new(config),
    };
    let mut routes = pages::routes();
    for endpoint in api::endpoints() {
        routes = routes.route(endpoint.path, endpoint.handler);
    }
    routes
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit_bytes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") || uri.path().starts_with("/v1/") {
        error::json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such API route: see /api/v1/openapi.json".into(),
            None,
        )
    } else {
        (StatusCode::NOT_FOUND, "404").into_response()
    }
}

/// Serves until SIGTERM or Ctrl-C, then stops accepting and waits at most
/// [`DRAIN_TIMEOUT`] for requests in flight. Applies audit retention once a day.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> Result<(), Error> {
    let server = axum::serve(listener, router).with_graceful_shutdown(shutdown_signal());
    tokio::select! {
        served = server.into_future() => served.map_err(Error::Serve),
        () = async {
            shutdown_signal().await;
            tokio::time::sleep(DRAIN_TIMEOUT).await;
        } => {
            tracing::warn!(drain_timeout_s = DRAIN_TIMEOUT.as_secs(), "requests still in flight at shutdown were cut");
            Ok(())
        }
    }
}

/// Applies the audit retention now and then every day, for as long as the runtime runs.
pub fn spawn_audit_retention(app: App) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(86_400));
        loop {
            interval.tick().await;
            let app = app.clone();
            let applied = tokio::task::spawn_blocking(move || {
                app.apply_audit_retention(Operator::terminal())
            })
            .await;
            match applied {
                Ok(Ok(outcome)) => tracing::info!(removed = outcome.removed, "audit retention"),
                Ok(Err(error)) => tracing::error!(%error, "audit retention failed"),
                Err(error) => tracing::error!(%error, "audit retention task failed"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: draining requests in flight");
}
