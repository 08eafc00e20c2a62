//! Pseudonymiser: a text in, the text with its identifiers replaced out, and the list of
//! what was masked (kind, original, replacement, confidence).

use crate::api_clinical::label_name;
use crate::error::ApiError;
use crate::pages::layout::{Frame, LangChoice, SignedIn, error_page, page};
use crate::session::blocking;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use esculape_app::{Auth, PseudonymizedText};
use maud::html;
use serde::Deserialize;

pub async fn pseudonymize_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
) -> Response {
    render(&state, choice, &auth, "", false, None)
}

#[derive(Debug, Deserialize)]
pub struct PseudonymizeForm {
    csrf: String,
    text: String,
    #[serde(default)]
    placeholders: Option<String>,
}

pub async fn pseudonymize_submit(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<PseudonymizeForm>,
) -> Response {
    if !auth.csrf_matches(&form.csrf) {
        return error_page(choice, Some(&auth), state.app.features(), ApiError::Csrf);
    }
    let placeholders = form.placeholders.is_some();
    let app = state.app.clone();
    let identity = auth.identity().clone();
    let text = form.text.clone();
    match blocking(move || app.pseudonymize_text(&identity, &text, placeholders)).await {
        Ok(result) => render(
            &state,
            choice,
            &auth,
            &form.text,
            placeholders,
            Some(&result),
        ),
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

fn render(
    state: &AppState,
    choice: LangChoice,
    auth: &Auth,
    text: &str,
    placeholders: bool,
    result: Option<&PseudonymizedText>,
) -> Response {
    let texts = choice.lang.clinical();
    let frame = Frame {
        title: texts.pseudonymize_title,
        auth: Some(auth),
        features: state.app.features(),
        shows_ai_output: false,
        path: "/pseudonymiser",
    };
    page(
        choice,
        &frame,
        html! {
            form class="pseudonymize" method="post" action="/pseudonymiser" {
                input type="hidden" name="csrf" value=(auth.csrf_token());
                label for="text" { (texts.text_label) }
                textarea id="text" name="text" rows="8" required maxlength="100000" aria-describedby="text-hint" { (text) }
                p id="text-hint" class="hint" { (texts.text_hint) }
                label class="check" {
                    input type="checkbox" name="placeholders" checked[placeholders];
                    " " (texts.placeholders_label)
                }
                button type="submit" { (texts.pseudonymize_button) }
            }
            @if let Some(result) = result {
                section class="pseudonymized" {
                    h2 { (texts.pseudonymized_heading) }
                    pre class="pseudonymized-text" { (result.text) }
                    h2 { (texts.findings_heading) " (" (result.findings.len()) ")" }
                    @if result.findings.is_empty() {
                        p class="warning" { (texts.no_findings) }
                    } @else {
                        table class="findings" {
                            thead { tr { th { (texts.kind) } th { (texts.original) } th { (texts.replacement) } th { (texts.confidence) } } }
                            tbody {
                                @for finding in &result.findings {
                                    tr {
                                        td { code { (label_name(finding.label)) } }
                                        td { (finding.original) }
                                        td { (finding.replacement.as_deref().unwrap_or(texts.left_in_place)) }
                                        td class="number" { (format!("{:.2}", finding.confidence)) }
                                    }
                                }
                            }
                        }
                    }
                    p class="hint" { (texts.pseudonymize_note) }
                }
            }
        },
    )
}
