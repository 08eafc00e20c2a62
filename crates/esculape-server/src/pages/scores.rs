//! Scores: the calculators, a form per calculator with units and plausible ranges, and the
//! result with its band, every input as used, the reference and its limits.

use crate::error::ApiError;
use crate::pages::clinical_texts::ClinicalTexts;
use crate::pages::layout::{Frame, LangChoice, SignedIn, error_page, page};
use crate::pages::texts::Lang;
use crate::session::blocking;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use esculape_app::Auth;
use esculape_scores::{Calculator, InputKind, Outcome, format_number};
use maud::{Markup, html};
use std::collections::HashMap;

pub async fn scores_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
) -> Response {
    let app = state.app.clone();
    let identity = auth.identity().clone();
    let calculators = match blocking(move || app.score_calculators(&identity)).await {
        Ok(calculators) => calculators,
        Err(error) => return error_page(choice, Some(&auth), state.app.features(), error.into()),
    };
    let texts = choice.lang.clinical();
    let frame = frame(&state, &auth, texts.scores_title);
    let english = choice.lang == Lang::En;
    page(
        choice,
        &frame,
        html! {
            table class="calculators" {
                thead { tr { th { (texts.calculator) } th { (texts.estimates) } } }
                tbody {
                    @for calculator in calculators {
                        tr {
                            td { a href={ "/scores/" (calculator.id) } { (if english { calculator.name_en } else { calculator.name_fr }) } }
                            td { (if english { calculator.estimates_en } else { calculator.estimates_fr }) }
                        }
                    }
                }
            }
        },
    )
}

fn frame<'a>(state: &AppState, auth: &'a Auth, title: &'a str) -> Frame<'a> {
    Frame {
        title,
        auth: Some(auth),
        features: state.app.features(),
        shows_ai_output: false,
        path: "/scores",
    }
}

pub async fn score_form(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
) -> Response {
    let app = state.app.clone();
    let identity = auth.identity().clone();
    let found = blocking(move || {
        app.score_calculators(&identity)?
            .iter()
            .copied()
            .find(|calculator| calculator.id == id)
            .ok_or_else(|| {
                esculape_app::Error::NotFound(format!("no calculator `{id}`: see /scores"))
            })
    })
    .await;
    match found {
        Ok(calculator) => render(&state, choice, &auth, calculator, &HashMap::new(), None),
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

pub async fn score_submit(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let fields: HashMap<String, String> = fields.into_iter().collect();
    if !auth.csrf_matches(fields.get("csrf").map(String::as_str).unwrap_or_default()) {
        return error_page(choice, Some(&auth), state.app.features(), ApiError::Csrf);
    }
    let calculator = match esculape_scores::calculator(&id) {
        Ok(calculator) => calculator,
        Err(error) => {
            return error_page(
                choice,
                Some(&auth),
                state.app.features(),
                esculape_app::Error::NotFound(error.to_string()).into(),
            );
        }
    };
    let mut inputs = Vec::new();
    for input in calculator.inputs {
        let value = fields
            .get(input.id)
            .map(|value| value.trim())
            .unwrap_or_default();
        match input.kind {
            InputKind::Flag => {
                if value == "on" {
                    inputs.push((input.id.to_string(), None));
                }
            }
            InputKind::Choice { .. } => {
                if !value.is_empty() {
                    inputs.push((input.id.to_string(), Some(value.to_string())));
                }
            }
            InputKind::Number { .. } => {
                if !value.is_empty() {
                    let unit = fields
                        .get(&format!("{}__unit", input.id))
                        .map(|unit| unit.trim())
                        .unwrap_or_default();
                    inputs.push((input.id.to_string(), Some(format!("{value}{unit}"))));
                }
            }
        }
    }
    let app = state.app.clone();
    let identity = auth.identity().clone();
    let computed = blocking(move || app.compute_score(&identity, &id, &inputs)).await;
    match computed {
        Ok(outcome) => render(
            &state,
            choice,
            &auth,
            calculator,
            &fields,
            Some(Ok(&outcome)),
        ),
        Err(esculape_app::Error::InvalidScoreInput(error)) => {
            let message = if choice.lang == Lang::En {
                error.to_string()
            } else {
                error.message_fr()
            };
            render(
                &state,
                choice,
                &auth,
                calculator,
                &fields,
                Some(Err(&message)),
            )
        }
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

fn render(
    state: &AppState,
    choice: LangChoice,
    auth: &Auth,
    calculator: &Calculator,
    fields: &HashMap<String, String>,
    result: Option<Result<&Outcome, &String>>,
) -> Response {
    let texts = choice.lang.clinical();
    let english = choice.lang == Lang::En;
    let name = if english {
        calculator.name_en
    } else {
        calculator.name_fr
    };
    let frame = frame(state, auth, name);
    let field = |id: &str| {
        fields
            .get(id)
            .map(String::as_str)
            .unwrap_or_default()
            .to_string()
    };
    page(
        choice,
        &frame,
        html! {
            p { (if english { calculator.estimates_en } else { calculator.estimates_fr }) }
            form class="score" method="post" action={ "/scores/" (calculator.id) } {
                input type="hidden" name="csrf" value=(auth.csrf_token());
                @for input in calculator.inputs {
                    @let label = if english { input.label_en } else { input.label_fr };
                    div class="field" {
                        @match input.kind {
                            InputKind::Flag => {
                                label class="check" {
                                    input type="checkbox" name=(input.id) checked[field(input.id) == "on"];
                                    " " (label)
                                }
                            }
                            InputKind::Choice { choices } => {
                                label for=(input.id) { (label) }
                                select id=(input.id) name=(input.id) required {
                                    option value="" { (texts.choose) }
                                    @for option in choices {
                                        option value=(option.id) selected[field(input.id) == option.id] {
                                            (if english { option.label_en } else { option.label_fr })
                                        }
                                    }
                                }
                            }
                            InputKind::Number { quantity, unit, accepted_units, min, max } => {
                                @let hint_id = format!("{}-range", input.id);
                                label for=(input.id) { (label) }
                                input id=(input.id) name=(input.id) type="text" inputmode="decimal" required
                                    value=(field(input.id)) aria-describedby=(hint_id);
                                @if accepted_units.len() > 1 {
                                    @let unit_id = format!("{}__unit", input.id);
                                    label class="visually-hidden" for=(unit_id) { (texts.unit) " — " (label) }
                                    select id=(unit_id) name=(unit_id) {
                                        @for accepted in accepted_units.iter() {
                                            option value=(accepted.ascii()) selected[field(&unit_id) == accepted.ascii()] { (accepted.symbol()) }
                                        }
                                    }
                                } @else {
                                    " " span class="unit" { (unit.symbol()) }
                                }
                                p id=(hint_id) class="hint" {
                                    (texts.allowed_range) " : "
                                    @for (index, accepted) in accepted_units.iter().enumerate() {
                                        @if index > 0 { " = " }
                                        (format_number(quantity.convert(min, unit, *accepted), 2)) "–"
                                        (format_number(quantity.convert(max, unit, *accepted), 2)) " " (accepted.symbol())
                                    }
                                }
                            }
                        }
                    }
                }
                button type="submit" { (texts.compute_button) }
            }
            @match result {
                Some(Ok(outcome)) => { (outcome_markup(texts, english, outcome)) }
                Some(Err(message)) => { p class="error" role="alert" { (message) } }
                None => {}
            }
            section class="reference" {
                h2 { (texts.reference) }
                p { (reference_text(&calculator.reference)) }
                p { strong { (texts.caveat) " : " } (calculator.caveat_fr) }
            }
        },
    )
}

fn outcome_markup(texts: &ClinicalTexts, english: bool, outcome: &Outcome) -> Markup {
    html! {
        section class="outcome" role="status" {
            h2 { (texts.result) " : " output class="score-value" { (outcome.value_text()) } " " (outcome.unit_text(english)) }
            @match &outcome.band {
                Some(band) => p { strong { (texts.interpretation) " : " } (if english { band.label_en } else { band.label_fr }) " (" (band.range) ")" },
                None => p { (texts.no_bands) },
            }
            h3 { (texts.inputs_used) }
            table {
                tbody {
                    @for input in &outcome.inputs {
                        tr {
                            td { (if english { input.label_en } else { input.label_fr }) }
                            td { (input.value.text_fr()) @if let Some(given) = &input.given { " (" (given) ")" } }
                        }
                    }
                }
            }
            @if !outcome.bands.is_empty() {
                h3 { (texts.interpretation) }
                table {
                    tbody {
                        @for band in outcome.bands {
                            tr { td { (band.range) } td { (if english { band.label_en } else { band.label_fr }) } }
                        }
                    }
                }
                @if let Some(source) = outcome.bands_source { p class="hint" { (source) } }
            }
            p class="hint" { (texts.checked_against) " : " (outcome.reference.checked_at.join(" ; ")) }
            p class="hint" { (texts.score_note) }
        }
    }
}

fn reference_text(reference: &esculape_scores::Reference) -> String {
    let mut text = format!(
        "{}. {}. {}.",
        reference.authors.trim_end_matches('.'),
        reference.title,
        reference.journal
    );
    if let Some(doi) = reference.doi {
        text.push_str(&format!(" doi:{doi}."));
    }
    if let Some(pmid) = reference.pmid {
        text.push_str(&format!(" PMID {pmid}."));
    }
    text
}
