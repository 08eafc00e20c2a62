//! The frame of every page: language choice, navigation bar, the AI-output banner, and
//! HTML error pages.

use crate::error::{ApiError, classify};
use crate::pages::texts::{Lang, Texts};
use crate::session::{self, LANGUAGE_COOKIE};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use esculape_app::{Auth, Features, Permission};
use maud::{DOCTYPE, Markup, html};

/// The page language: `?lang=` (then remembered in a cookie), the cookie, the browser's
/// `Accept-Language`, French.
#[derive(Debug, Clone, Copy)]
pub struct LangChoice {
    pub lang: Lang,
    /// Set when `?lang=` chose it: the response remembers it.
    pub remember: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for LangChoice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|query| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == "lang")
                .and_then(|(_, value)| Lang::from_code(value))
        });
        if let Some(lang) = from_query {
            return Ok(LangChoice {
                lang,
                remember: true,
            });
        }
        let lang = session::cookie(&parts.headers, LANGUAGE_COOKIE)
            .and_then(Lang::from_code)
            .or_else(|| accept_language(&parts.headers))
            .unwrap_or(Lang::Fr);
        Ok(LangChoice {
            lang,
            remember: false,
        })
    }
}

/// The first of French or English in `Accept-Language` (order of appearance).
fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    value.split(',').find_map(|tag| {
        let primary = tag.split(';').next()?.trim().split('-').next()?;
        Lang::from_code(&primary.to_ascii_lowercase())
    })
}

/// What the frame shows around a page's content.
#[derive(Debug)]
pub struct Frame<'a> {
    pub title: &'a str,
    pub auth: Option<&'a Auth>,
    pub features: Features,
    /// Pages that show AI output set this: the banner says it must be checked.
    pub shows_ai_output: bool,
    /// The current page, for `aria-current` and the language switch.
    pub path: &'a str,
}

/// A whole page, with the language cookie when `?lang=` chose it.
pub fn page(choice: LangChoice, frame: &Frame<'_>, content: Markup) -> Response {
    page_with_status(StatusCode::OK, choice, frame, content)
}

pub fn page_with_status(
    status: StatusCode,
    choice: LangChoice,
    frame: &Frame<'_>,
    content: Markup,
) -> Response {
    let texts = choice.lang.texts();
    let other = match choice.lang {
        Lang::Fr => Lang::En,
        Lang::En => Lang::Fr,
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(choice.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (frame.title) " · Esculape" }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                a class="skip" href="#contenu" { (texts.skip_to_content) }
                header class="top" {
                    p class="brand" { a href="/" { "Esculape" } span { (texts.app_tagline) } }
                    @if let Some(auth) = frame.auth {
                        (navigation(texts, auth, frame.features, frame.path))
                        form class="session" method="post" action="/logout" {
                            span { (texts.signed_in_as) " " (auth.identity().display_name()) " (" (texts.role(auth.identity().role())) ")" }
                            input type="hidden" name="csrf" value=(auth.csrf_token());
                            button type="submit" { (texts.sign_out) }
                        }
                    }
                    a class="language" href={ (frame.path) "?lang=" (other.code()) } lang=(other.code()) { (texts.other_language) }
                }
                @if frame.shows_ai_output {
                    (ai_output_banner(texts))
                }
                main id="contenu" {
                    h1 { (frame.title) }
                    (content)
                }
            }
        }
    };
    let mut response = (status, Html(markup.into_string())).into_response();
    if choice.remember {
        response.headers_mut().append(
            header::SET_COOKIE,
            session::set_cookie(LANGUAGE_COOKIE, choice.lang.code(), 31_536_000, false),
        );
    }
    response
}

/// The navigation bar: a page for each engine present, Administration for every role
/// (sources for all; users for admins; the audit trail for auditors).
fn navigation(texts: &Texts, auth: &Auth, features: Features, current: &str) -> Markup {
    let identity = auth.identity();
    let links: Vec<(&str, &str, bool)> = vec![
        ("/demander", texts.nav_ask, features.ask),
        (
            "/rechercher",
            texts.nav_search,
            identity.can(Permission::Search),
        ),
        ("/ordonnance", texts.nav_prescription, features.prescription),
        ("/scores", texts.nav_scores, features.scores),
        (
            "/rediger",
            texts.nav_draft,
            features.drafting && identity.can(Permission::Draft),
        ),
        (
            "/pseudonymiser",
            texts.nav_pseudonymize,
            features.pseudonymize,
        ),
        (
            "/administration",
            texts.nav_admin,
            identity.can(Permission::ReadSources),
        ),
    ];
    html! {
        nav aria-label=(texts.nav_label) {
            ul {
                @for (href, label, shown) in links {
                    @if shown {
                        li {
                            @if current.starts_with(href) {
                                a href=(href) aria-current="page" { (label) }
                            } @else {
                                a href=(href) { (label) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The notice on any page showing AI output.
pub fn ai_output_banner(texts: &Texts) -> Markup {
    html! {
        div class="ai-banner" role="note" { (texts.ai_banner) }
    }
}

/// An error as a page: sign-in errors go to the login page, the rest are shown.
pub fn error_page(
    choice: LangChoice,
    auth: Option<&Auth>,
    features: Features,
    error: ApiError,
) -> Response {
    let (status, _code, message, _retry) = classify(&error);
    if status == StatusCode::UNAUTHORIZED && auth.is_none() {
        return Redirect::to("/login").into_response();
    }
    let texts = choice.lang.texts();
    let frame = Frame {
        title: texts.error_title,
        auth,
        features,
        shows_ai_output: false,
        path: "/",
    };
    page_with_status(
        status,
        choice,
        &frame,
        html! {
            p class="error" role="alert" { (message) }
            p { a href="/rechercher" { (texts.back) } }
        },
    )
}

/// The signed-in user of a page request; a request without a valid session is sent to
/// the sign-in page.
pub struct SignedIn(pub Auth);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match session::authenticate(state, &parts.headers).await {
            Ok((auth, _)) => Ok(SignedIn(auth)),
            Err(_) => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// Percent-encodes a query-string value.
pub fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}
