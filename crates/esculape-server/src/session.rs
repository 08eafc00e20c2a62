//! Sessions over HTTP: the session cookie or an `Authorization: Bearer` token, CSRF
//! checks, and blocking use cases run off the async threads.

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use esculape_app::{Auth, SessionToken};

pub const SESSION_COOKIE: &str = "esculape_session";
pub const LOGIN_CSRF_COOKIE: &str = "esculape_login_csrf";
pub const LANGUAGE_COOKIE: &str = "esculape_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are: a browser's cookie needs a CSRF token on every
/// state-changing request; a bearer token cannot be sent by another site, so it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Cookie,
    Bearer,
}

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The session token a request carries, and how.
pub fn presented_token(headers: &HeaderMap) -> Option<(SessionToken, Credential)> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    {
        return Some((SessionToken::presented(bearer.trim()), Credential::Bearer));
    }
    cookie(headers, SESSION_COOKIE)
        .map(|token| (SessionToken::presented(token), Credential::Cookie))
}

/// Checks the request's session (off the async threads).
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(Auth, Credential), ApiError> {
    let Some((token, credential)) = presented_token(headers) else {
        return Err(esculape_app::Error::Unauthenticated(
            "sign in first: POST /api/v1/auth/login".into(),
        )
        .into());
    };
    let app = state.app.clone();
    let auth = blocking(move || app.authenticate(&token)).await?;
    Ok((auth, credential))
}

/// As [`authenticate`], and for a cookie session, the `X-CSRF-Token` header must match.
pub async fn authenticate_for_change(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Auth, ApiError> {
    let (auth, credential) = authenticate(state, headers).await?;
    if credential == Credential::Cookie {
        let presented = headers
            .get(CSRF_HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !auth.csrf_matches(presented) {
            return Err(ApiError::Csrf);
        }
    }
    Ok(auth)
}

/// Runs a blocking use case (password hashing, index reads, database writes) on
/// tokio's blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> esculape_app::Result<T> + Send + 'static,
) -> esculape_app::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|join_error| {
            Err(esculape_app::Error::Internal(format!(
                "a request's task failed: {join_error}"
            )))
        })
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`, Secure under TLS.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    ))
    .expect("cookie names and values are URL-safe base64 or fixed words")
}

/// The caller of an API read: rejected with 401 before any body is read.
#[derive(Debug)]
pub struct ApiAuth(pub Auth);

impl axum::extract::FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(state, &parts.headers)
            .await
            .map(|(auth, _)| ApiAuth(auth))
    }
}

/// The caller of an API change: as [`ApiAuth`], plus the CSRF header for a cookie session.
#[derive(Debug)]
pub struct ApiChangeAuth(pub Auth);

impl axum::extract::FromRequestParts<AppState> for ApiChangeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate_for_change(state, &parts.headers)
            .await
            .map(ApiChangeAuth)
    }
}
