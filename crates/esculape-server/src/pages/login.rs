//! The login page, and logout.

use crate::error::ApiError;
use crate::pages::layout::{Frame, LangChoice, error_page, page_with_status};
use crate::session::{self, LOGIN_CSRF_COOKIE, SESSION_COOKIE, blocking};
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use esculape_app::{Features, Password};
use maud::html;
use serde::Deserialize;
use subtle::ConstantTimeEq;

pub async fn login_page(
    State(state): State<AppState>,
    choice: LangChoice,
    headers: HeaderMap,
) -> Response {
    if session::authenticate(&state, &headers).await.is_ok() {
        return Redirect::to("/rechercher").into_response();
    }
    login_form(&state, choice, None)
}

fn login_form(state: &AppState, choice: LangChoice, error: Option<String>) -> Response {
    let texts = choice.lang.texts();
    // Login CSRF: a double-submit token, the same in a cookie and in the form.
    let token = match esculape_app::random_token(24) {
        Ok(token) => token,
        Err(error) => return error_page(choice, None, Features::default(), error.into()),
    };
    let frame = Frame {
        title: texts.login_title,
        auth: None,
        features: Features::default(),
        shows_ai_output: false,
        path: "/login",
    };
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let mut response = page_with_status(
        status,
        choice,
        &frame,
        html! {
            @if let Some(message) = &error {
                p class="error" role="alert" { (message) }
            }
            form class="login" method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                p {
                    label for="login" { (texts.login_label) }
                    input id="login" name="login" type="text" autocomplete="username" required autofocus;
                }
                p {
                    label for="password" { (texts.password_label) }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                p { button type="submit" { (texts.sign_in) } }
            }
        },
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, state.config.secure_cookies),
    );
    response
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    csrf: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    choice: LangChoice,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = session::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(form.csrf.as_bytes())) {
        return error_page(choice, None, Features::default(), ApiError::Csrf);
    }
    let app = state.app.clone();
    let password = Password::new(form.password);
    let login = form.login;
    match blocking(move || app.login(&login, &password)).await {
        Ok(outcome) => {
            let max_age_s = outcome.auth.expires_at_s() - esculape_app::now_s();
            let cookie = session::set_cookie(
                SESSION_COOKIE,
                outcome.token.expose(),
                max_age_s,
                state.config.secure_cookies,
            );
            let clear = session::set_cookie(LOGIN_CSRF_COOKIE, "", 0, state.config.secure_cookies);
            let mut response = Redirect::to("/rechercher").into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response.headers_mut().append(header::SET_COOKIE, clear);
            response
        }
        Err(esculape_app::Error::Unauthenticated(message)) => {
            login_form(&state, choice, Some(message))
        }
        Err(other) => error_page(choice, None, Features::default(), other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout_submit(
    State(state): State<AppState>,
    choice: LangChoice,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Ok((auth, _)) = session::authenticate(&state, &headers).await else {
        return Redirect::to("/login").into_response();
    };
    if !auth.csrf_matches(&form.csrf) {
        return error_page(choice, Some(&auth), state.app.features(), ApiError::Csrf);
    }
    let app = state.app.clone();
    if let Err(error) = blocking(move || app.logout(&auth)).await {
        return error_page(choice, None, Features::default(), error.into());
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
    );
    response
}

/// `/`: the search page for a signed-in user, the login page otherwise.
pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if session::authenticate(&state, &headers).await.is_ok() {
        Redirect::to("/rechercher").into_response()
    } else {
        Redirect::to("/login").into_response()
    }
}
