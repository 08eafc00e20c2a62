//! Demander: the question form; the answer streamed by `/static/ask.js` from
//! `/api/v1/ask`, or rendered whole when the form is posted without script. Each citation
//! opens the passage in context; an abstention shows the closest passages.

use crate::error::ApiError;
use crate::pages::clinical_texts::ClinicalTexts;
use crate::pages::layout::{
    Frame, LangChoice, SignedIn, encode_query_value, error_page, page_with_status,
};
use crate::pages::texts::Lang;
use crate::session::blocking;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use esculape_answer::{Answer, UsedPassage};
use esculape_app::Auth;
use maud::{Markup, html};
use serde::Deserialize;

pub async fn ask_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
) -> Response {
    render(&state, choice, &auth, "", None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    csrf: String,
    question: String,
}

/// Without script: the whole answer at once (same queue, same audit as the API).
pub async fn ask_submit(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<AskForm>,
) -> Response {
    if !auth.csrf_matches(&form.csrf) {
        return error_page(choice, Some(&auth), state.app.features(), ApiError::Csrf);
    }
    let app = state.app.clone();
    let identity = auth.identity().clone();
    let question = form.question.clone();
    let answered = blocking(move || {
        let ticket = app.admit_question(&identity, &question)?;
        app.ask(&identity, ticket, &question, &mut |_| {})
    })
    .await;
    match answered {
        Ok(answer) => render(
            &state,
            choice,
            &auth,
            &form.question,
            Some(answer_markup(
                choice.lang,
                &answer,
                &crate::api_clinical::calculator_links(&form.question),
            )),
            StatusCode::OK,
        ),
        Err(esculape_app::Error::Busy { retry_after_s }) => {
            let notice = busy_notice(choice.lang.clinical(), retry_after_s);
            let mut response = render(
                &state,
                choice,
                &auth,
                &form.question,
                Some(notice),
                StatusCode::TOO_MANY_REQUESTS,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
            response
        }
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

fn busy_notice(texts: &ClinicalTexts, retry_after_s: u64) -> Markup {
    html! {
        p class="error busy" role="alert" {
            (texts.busy) " " (texts.retry_in) " " (retry_after_s) " " (texts.seconds) "."
        }
    }
}

/// The page, with `shown` (an answer or a notice) where the answer goes.
fn render(
    state: &AppState,
    choice: LangChoice,
    auth: &Auth,
    question: &str,
    shown: Option<Markup>,
    status: StatusCode,
) -> Response {
    let texts = choice.lang.clinical();
    let frame = Frame {
        title: texts.ask_title,
        auth: Some(auth),
        features: state.app.features(),
        shows_ai_output: true,
        path: "/demander",
    };
    let content = html! {
        form id="ask-form" class="ask" method="post" action="/demander" {
            input type="hidden" name="csrf" value=(auth.csrf_token());
            label for="question" { (texts.question_label) }
            textarea id="question" name="question" rows="3" required maxlength="2000" aria-describedby="question-hint" { (question) }
            p id="question-hint" class="hint" { (texts.question_hint) }
            button type="submit" { (texts.ask_button) }
        }
        div id="answer" aria-live="polite"
            data-answering=(texts.answering) data-answer-heading=(texts.answer_heading)
            data-cited-sources=(texts.cited_sources) data-closest=(texts.closest_passages)
            data-abstained=(texts.abstained_note) data-open=(texts.open_passage)
            data-busy=(texts.busy) data-retry-in=(texts.retry_in) data-seconds=(texts.seconds)
            data-dropped=(texts.dropped_note) data-extractive=(texts.mode_extractive)
            data-generative=(texts.mode_generative)
            data-interactions-heading=(texts.interactions_heading)
            data-interactions-not-checked=(texts.interactions_not_checked)
            data-calculators-heading=(texts.calculators_heading) {
            @if let Some(shown) = shown {
                (shown)
            }
        }
        script src="/static/ask.js" defer {}
    };
    page_with_status(status, choice, &frame, content)
}

/// The answer as the script also builds it: sentences with their citation links, the
/// cited sources with provenance; or the abstention with the closest passages.
fn answer_markup(
    lang: Lang,
    answer: &Answer,
    calculators: &[crate::api_clinical::CalculatorLink],
) -> Markup {
    let texts = lang.clinical();
    let passage = |number: usize| answer.passages.get(number.wrapping_sub(1));
    let interactions = &answer.interactions;
    html! {
        section class="answer" {
            h2 { (texts.answer_heading) }
            @if !calculators.is_empty() {
                section class="answer-calculators" {
                    h3 { (texts.calculators_heading) }
                    ul {
                        @for calculator in calculators {
                            li { a href={ "/scores/" (calculator.id) } {
                                (if lang == Lang::En { &calculator.name_en } else { &calculator.name_fr })
                            } }
                        }
                    }
                }
            }
            @if interactions.drugs_named.len() >= 2 {
                section class="answer-interactions" {
                    h3 { (texts.interactions_heading) }
                    @if !interactions.checked {
                        p class="warning" { (texts.interactions_not_checked) }
                    }
                    @for alert in &interactions.alerts {
                        article class="alert" {
                            p {
                                strong class="level" { (alert.level.to_uppercase()) }
                                " — " (alert.drugs[0]) " + " (alert.drugs[1])
                            }
                            p { (alert.summary) }
                            p class="hint" { (alert.source) }
                        }
                    }
                }
            }
            @if answer.abstained {
                p class="abstention" role="status" {
                    strong { (answer.abstention_message.as_deref().unwrap_or_default()) }
                    " " (texts.abstained_note)
                }
                h3 { (texts.closest_passages) }
                ol class="sources" {
                    @for number in &answer.closest_passages {
                        @if let Some(used) = passage(*number) {
                            li { (source_line(texts, used)) blockquote lang=(used.language) { (used.evidence_text) } }
                        }
                    }
                }
            } @else {
                p class="mode" {
                    @match answer.mode {
                        esculape_answer::AnswerMode::Extractive => { (texts.mode_extractive) }
                        esculape_answer::AnswerMode::Generative => {
                            (texts.mode_generative) " " (answer.model.as_deref().unwrap_or_default())
                        }
                    }
                }
                div class="sentences" {
                    @for sentence in &answer.sentences {
                        p class="sentence" {
                            (sentence.text)
                            @for number in &sentence.citations {
                                @if let Some(used) = passage(*number) {
                                    " "
                                    a class="citation" href=(passage_href(used)) title=(used.document_title) { "[" (number) "]" }
                                }
                            }
                        }
                    }
                }
                h3 { (texts.cited_sources) }
                ol class="sources" {
                    @for used in cited(answer) {
                        li value=(used.number) { (source_line(texts, used)) }
                    }
                }
            }
            @if !answer.dropped.is_empty() {
                p class="hint" { (answer.dropped.len()) " " (texts.dropped_note) }
            }
        }
    }
}

fn cited(answer: &Answer) -> Vec<&UsedPassage> {
    let mut numbers: Vec<usize> = answer
        .sentences
        .iter()
        .flat_map(|sentence| sentence.citations.iter().copied())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .into_iter()
        .filter_map(|number| answer.passages.get(number.wrapping_sub(1)))
        .collect()
}

fn passage_href(used: &UsedPassage) -> String {
    format!("/passage?id={}", encode_query_value(&used.chunk_id))
}

/// `publisher — source: document (version, date)` and the link to the passage.
fn source_line(texts: &ClinicalTexts, used: &UsedPassage) -> Markup {
    let date = used.published.as_deref().or(used.date.as_deref());
    html! {
        span class="provenance-line" {
            (used.publisher) " — " cite { (used.source_title) } " : " (used.document_title)
            " (version " (used.version)
            @if let Some(date) = date { ", " (date) }
            ") "
        }
        a href=(passage_href(used)) { (texts.open_passage) }
    }
}
