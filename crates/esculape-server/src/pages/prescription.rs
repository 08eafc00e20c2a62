//! Ordonnance: prescription lines in, each line as understood and the ANSM thesaurus's
//! alerts out, coloured by severity, with every reason and the thesaurus version.

use crate::error::ApiError;
use crate::pages::clinical_texts::ClinicalTexts;
use crate::pages::layout::{Frame, LangChoice, SignedIn, error_page, page};
use crate::session::blocking;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use esculape_app::{Auth, PrescriptionCheck};
use esculape_drugs::{Alert, Applies, Dose, Level};
use maud::{Markup, html};
use serde::Deserialize;

pub async fn prescription_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
) -> Response {
    render(&state, choice, &auth, "", None)
}

#[derive(Debug, Deserialize)]
pub struct PrescriptionForm {
    csrf: String,
    lines: String,
}

pub async fn prescription_submit(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<PrescriptionForm>,
) -> Response {
    if !auth.csrf_matches(&form.csrf) {
        return error_page(choice, Some(&auth), state.app.features(), ApiError::Csrf);
    }
    let lines: Vec<String> = form.lines.lines().map(str::to_string).collect();
    let app = state.app.clone();
    let identity = auth.identity().clone();
    match blocking(move || app.check_prescription(&identity, &lines)).await {
        Ok(check) => render(&state, choice, &auth, &form.lines, Some(&check)),
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

fn render(
    state: &AppState,
    choice: LangChoice,
    auth: &Auth,
    lines: &str,
    check: Option<&PrescriptionCheck>,
) -> Response {
    let texts = choice.lang.clinical();
    let frame = Frame {
        title: texts.prescription_title,
        auth: Some(auth),
        features: state.app.features(),
        shows_ai_output: false,
        path: "/ordonnance",
    };
    page(
        choice,
        &frame,
        html! {
            form class="prescription" method="post" action="/ordonnance" {
                input type="hidden" name="csrf" value=(auth.csrf_token());
                label for="lines" { (texts.lines_label) }
                textarea id="lines" name="lines" rows="6" required aria-describedby="lines-hint" { (lines) }
                p id="lines-hint" class="hint" { (texts.lines_hint) }
                button type="submit" { (texts.check_button) }
            }
            @if let Some(check) = check {
                (results(texts, check))
            }
        },
    )
}

fn results(texts: &ClinicalTexts, check: &PrescriptionCheck) -> Markup {
    let report = &check.report;
    html! {
        section class="prescription-lines" {
            h2 { (texts.lines_heading) }
            table {
                thead { tr { th { (texts.line) } th { "" } th { (texts.understood_as) } th { (texts.dose) } } }
                tbody {
                    @for (index, line) in check.lines.iter().enumerate() {
                        tr class=[line.problem.as_ref().map(|_| "problem")] {
                            td class="number" { (index + 1) }
                            td { (line.text) }
                            td {
                                @if let Some(problem) = &line.problem {
                                    span class="error" { (problem) }
                                } @else {
                                    (line.substances.join(" + "))
                                }
                            }
                            td { (line.dose.map(dose_text).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
        section class="alerts" {
            h2 { (texts.alerts_heading) }
            @if report.alerts.is_empty() {
                p class="notice" { (texts.no_interaction) " (version " (report.thesaurus_version) ")." }
            }
            @for alert in &report.alerts {
                (alert_card(texts, alert))
            }
            @for unmatched in &report.unmatched {
                p class="warning" role="note" {
                    (texts.line) " " (unmatched.line + 1) " : « " (unmatched.substance) " » "
                    (texts.not_in_thesaurus) " (" (report.thesaurus_version) ")."
                }
            }
            p class="hint" { (texts.deterministic_note) }
        }
    }
}

/// The CSS class of a level: its colour.
fn level_class(level: Level) -> &'static str {
    match level {
        Level::ContreIndication => "level-ci",
        Level::AssociationDeconseillee => "level-ad",
        Level::PrecautionEmploi => "level-pe",
        Level::APrendreEnCompte => "level-apc",
    }
}

fn alert_card(texts: &ClinicalTexts, alert: &Alert) -> Markup {
    let dose_dependent =
        !alert.dose_selected && alert.reasons.iter().any(|reason| reason.levels.len() > 1);
    html! {
        article class={ "alert " (level_class(alert.level)) } {
            h3 {
                span class="level" { (alert.level.label_fr().to_uppercase()) }
                " — " (alert.substances[0]) " (" (texts.line) " " (alert.lines[0] + 1) ") + "
                (alert.substances[1]) " (" (texts.line) " " (alert.lines[1] + 1) ")"
            }
            @if dose_dependent {
                p class="hint" { "(" (texts.highest_by_default) ")" }
            }
            @for reason in &alert.reasons {
                div class="reason" {
                    p {
                        strong { (texts.thesaurus) " " (alert.thesaurus_version) " : " (reason.entry) }
                        " (" (texts.via) " " (reason.via[0]) " / " (reason.via[1]) ")"
                    }
                    @if !reason.mechanism.is_empty() {
                        p { (texts.mechanism) " : " (reason.mechanism) }
                    }
                    ul class="levels" {
                        @for assessment in &reason.levels {
                            li class=[(assessment.level == reason.level).then_some("chosen")] {
                                span class={ "level " (level_class(assessment.level)) } { (assessment.level.label_fr()) }
                                @if reason.levels.len() > 1 {
                                    " [" (applies_text(texts, assessment.applies)) "]"
                                }
                                @if !assessment.info.is_empty() {
                                    " : " (assessment.info)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn applies_text(texts: &ClinicalTexts, applies: Applies) -> &'static str {
    match applies {
        Applies::Yes => texts.applies_yes,
        Applies::Conditional => texts.applies_conditional,
        Applies::Undecided => texts.applies_undecided,
        Applies::NotDoseDependent => texts.applies_context,
        Applies::No => texts.applies_no,
    }
}

fn dose_text(dose: Dose) -> String {
    let mut parts = Vec::new();
    if let Some(value) = dose.per_intake_mg {
        parts.push(format!("{value} mg/prise"));
    }
    if let Some(value) = dose.per_day_mg {
        parts.push(format!("{value} mg/j"));
    }
    if let Some(value) = dose.per_week_mg {
        parts.push(format!("{value} mg/semaine"));
    }
    parts.join(", ")
}
