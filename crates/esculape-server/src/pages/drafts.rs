//! Rédiger: the clinician's notes in, a draft beside them where each sentence shows the
//! passage of the notes it comes from, missing items shown as missing, flagged sentences
//! apart; then Valider or Rejeter (POST forms with the CSRF token), a new version by
//! hand, export links once validated, and the patient information notice. A clinician
//! sees only their own drafts (the use cases of `esculape-app` enforce and audit it).

use crate::api_drafts::{self, DraftView, NewDraftRequest};
use crate::error::ApiError;
use crate::pages::draft_texts::DraftTexts;
use crate::pages::layout::{Frame, LangChoice, SignedIn, error_page, page};
use crate::pages::texts::Lang;
use crate::session::blocking;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use esculape_app::Auth;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

/// The form and the caller's drafts.
pub async fn drafts_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
) -> Response {
    let app = state.app.clone();
    let identity = auth.identity().clone();
    match blocking(move || api_drafts::draft_list(&app, &identity)).await {
        Ok(list) => {
            let texts = choice.lang.drafting();
            let content = html! {
                (new_draft_form(choice.lang, &auth, None))
                section class="my-drafts" {
                    h2 { (texts.my_drafts) }
                    @if list.is_empty() {
                        p { (texts.no_drafts) }
                    } @else {
                        table class="drafts" {
                            thead { tr { th { (texts.number) } th { (texts.document) } th { (texts.status) } th { (texts.updated) } } }
                            tbody {
                                @for draft in &list {
                                    tr {
                                        td class="number" { a href={ "/rediger/" (draft.id) } { (draft.id) } }
                                        td { a href={ "/rediger/" (draft.id) } { (draft.title) } }
                                        td { span class={ "status status-" (draft.status) } { (texts.status(&draft.status)) } }
                                        td { (draft.updated_at) }
                                    }
                                }
                            }
                        }
                    }
                }
            };
            page(choice, &frame(&state, &auth, texts, "/rediger"), content)
        }
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct NewDraftForm {
    csrf: String,
    document_type: String,
    notes: String,
    #[serde(default)]
    admission_medications: String,
    #[serde(default)]
    discharge_medications: String,
}

/// Drafts from the form, then shows the draft beside the notes.
pub async fn draft_submit(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Form(form): Form<NewDraftForm>,
) -> Response {
    if !auth.csrf_matches(&form.csrf) {
        return error_page(choice, Some(&auth), state.app.features(), ApiError::Csrf);
    }
    let request = NewDraftRequest {
        document_type: form.document_type.clone(),
        notes: form.notes.clone(),
        admission_medications: Some(form.admission_medications.clone()),
        discharge_medications: Some(form.discharge_medications.clone()),
    };
    let app = state.app.clone();
    let identity = auth.identity().clone();
    match blocking(move || api_drafts::create_draft(&app, &identity, &request)).await {
        Ok((id, draft, summary)) => {
            let texts = choice.lang.drafting();
            let inputs = [
                (api_drafts::NOTES_NAME, form.notes.as_str()),
                (
                    api_drafts::ADMISSION_NAME,
                    form.admission_medications.as_str(),
                ),
                (
                    api_drafts::DISCHARGE_NAME,
                    form.discharge_medications.as_str(),
                ),
            ];
            let content = html! {
                p class="notice" role="status" {
                    (summary.title) " — " (texts.number) " " (id) " (" (texts.status(&summary.status)) ")"
                }
                (side_by_side(choice.lang, &draft, Some(&inputs)))
                (decision_forms(texts, &auth, id))
                p { a href={ "/rediger/" (id) } { (texts.open) " " (texts.number) " " (id) } }
            };
            page(choice, &frame(&state, &auth, texts, "/rediger"), content)
        }
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

/// One draft: its latest text, the draft with its spans, the decision, the exports and
/// the notice, every version.
pub async fn draft_page(
    State(state): State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Path(id): Path<i64>,
) -> Response {
    let app = state.app.clone();
    let identity = auth.identity().clone();
    let loaded = blocking(move || {
        let view = api_drafts::draft_view(&app, &identity, id)?;
        let notice = app.draft_notice(&identity, id)?;
        Ok((view, notice))
    })
    .await;
    match loaded {
        Ok((view, notice)) => {
            let texts = choice.lang.drafting();
            let content = detail(choice.lang, &auth, &view, &notice);
            page(choice, &frame(&state, &auth, texts, "/rediger"), content)
        }
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    csrf: String,
    body: String,
}

/// Valider: the caller signs the latest version.
pub async fn validate_submit(
    state: State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    change(state, choice, auth, id, &form.csrf, move |app, identity| {
        app.validate_draft(identity, id).map(|_| ())
    })
    .await
}

/// Rejeter, with an optional reason.
pub async fn reject_submit(
    state: State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let reason = form.reason.clone();
    change(state, choice, auth, id, &form.csrf, move |app, identity| {
        app.reject_draft(identity, id, &reason).map(|_| ())
    })
    .await
}

/// A new version written by hand.
pub async fn edit_submit(
    state: State<AppState>,
    choice: LangChoice,
    SignedIn(auth): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Response {
    let body = form.body.clone();
    change(state, choice, auth, id, &form.csrf, move |app, identity| {
        app.edit_draft(identity, id, &body).map(|_| ())
    })
    .await
}

/// A change from a form: session, CSRF token, the use case, then back to the draft.
async fn change(
    State(state): State<AppState>,
    choice: LangChoice,
    auth: Auth,
    id: i64,
    csrf: &str,
    work: impl FnOnce(&esculape_app::App, &esculape_app::Identity) -> esculape_app::Result<()>
    + Send
    + 'static,
) -> Response {
    if !auth.csrf_matches(csrf) {
        return error_page(choice, Some(&auth), state.app.features(), ApiError::Csrf);
    }
    let app = state.app.clone();
    let identity = auth.identity().clone();
    match blocking(move || work(&app, &identity)).await {
        Ok(()) => Redirect::to(&format!("/rediger/{id}")).into_response(),
        Err(error) => error_page(choice, Some(&auth), state.app.features(), error.into()),
    }
}

fn frame<'a>(state: &AppState, auth: &'a Auth, texts: &'a DraftTexts, path: &'a str) -> Frame<'a> {
    Frame {
        title: texts.title,
        auth: Some(auth),
        features: state.app.features(),
        shows_ai_output: true,
        path,
    }
}

fn new_draft_form(lang: Lang, auth: &Auth, chosen: Option<&str>) -> Markup {
    let texts = lang.drafting();
    let types = api_drafts::document_types();
    html! {
        form class="draft-form" method="post" action="/rediger" {
            h2 { (texts.new_heading) }
            input type="hidden" name="csrf" value=(auth.csrf_token());
            label for="document_type" { (texts.type_label) }
            select id="document_type" name="document_type" required {
                @for document_type in types.all() {
                    @if document_type.id != "synthese" {
                        option value=(document_type.id) selected[chosen == Some(document_type.id.as_str())] {
                            @match lang { Lang::Fr => (document_type.name_fr), Lang::En => (document_type.name_en) }
                        }
                    }
                }
            }
            label for="notes" { (texts.notes_label) }
            textarea id="notes" name="notes" rows="12" required maxlength="200000" aria-describedby="notes-hint" {}
            p id="notes-hint" class="hint" { (texts.notes_hint) }
            details {
                summary { (texts.medications_summary) }
                label for="admission_medications" { (texts.admission_label) }
                textarea id="admission_medications" name="admission_medications" rows="4" aria-describedby="medications-hint" {}
                label for="discharge_medications" { (texts.discharge_label) }
                textarea id="discharge_medications" name="discharge_medications" rows="4" aria-describedby="medications-hint" {}
                p id="medications-hint" class="hint" { (texts.medications_hint) }
            }
            button type="submit" { (texts.draft_button) }
        }
    }
}

/// The passage `[start_char, end_char)` of an input, when the input is known.
fn excerpt(
    inputs: Option<&[(&str, &str)]>,
    source: &str,
    start: usize,
    end: usize,
) -> Option<String> {
    let (_, text) = inputs?.iter().find(|(name, _)| *name == source)?;
    Some(
        text.chars()
            .skip(start)
            .take(end.saturating_sub(start))
            .collect(),
    )
}

/// The draft (from its JSON trace) beside the notes: each sentence with numbered
/// references to the passages of the notes it rests on; with `inputs`, the passages are
/// quoted from the notes themselves.
fn side_by_side(lang: Lang, draft: &Value, inputs: Option<&[(&str, &str)]>) -> Markup {
    let texts = lang.drafting();
    let sources: Vec<String> = draft["sources"]
        .as_array()
        .map(|sources| {
            sources
                .iter()
                .map(|source| source["name"].as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_default();
    // Every cited span, numbered in order of first citation.
    // With each, the passage the trace quotes (drafts saved without their notes).
    let mut cited: Vec<(usize, usize, usize)> = Vec::new();
    let mut quotes: Vec<String> = Vec::new();
    let mut reference = |span: &Value| -> usize {
        let key = (
            span["document"].as_u64().unwrap_or(0) as usize,
            span["start_char"].as_u64().unwrap_or(0) as usize,
            span["end_char"].as_u64().unwrap_or(0) as usize,
        );
        match cited.iter().position(|existing| *existing == key) {
            Some(index) => index + 1,
            None => {
                cited.push(key);
                quotes.push(span["quote"].as_str().unwrap_or_default().to_string());
                cited.len()
            }
        }
    };
    let title = |value: &Value| -> String {
        let key = match lang {
            Lang::Fr => "title_fr",
            Lang::En => "title_en",
        };
        value[key].as_str().unwrap_or_default().to_string()
    };
    let empty = Vec::new();
    let sections = draft["sections"].as_array().unwrap_or(&empty);
    let mut rendered_sections = Vec::new();
    for section in sections {
        let mut sentences = Vec::new();
        for sentence in section["sentences"].as_array().unwrap_or(&empty) {
            let references: Vec<usize> = sentence["spans"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .map(&mut reference)
                .collect();
            sentences.push((sentence.clone(), references));
        }
        rendered_sections.push((section, sentences));
    }
    let flagged: Vec<(Value, Vec<usize>)> = draft["flagged"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|flagged| {
            let references = flagged["sentence"]["spans"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .map(&mut reference)
                .collect();
            (flagged.clone(), references)
        })
        .collect();
    let treatments = draft["treatments"].as_array().unwrap_or(&empty);
    let quoted = |number: usize| -> (String, String) {
        let (document, start, end) = cited[number - 1];
        let source = sources.get(document).cloned().unwrap_or_else(|| "?".into());
        let place = format!("{source}, {} {start}–{end}", texts.characters);
        let text =
            excerpt(inputs, &source, start, end).unwrap_or_else(|| quotes[number - 1].clone());
        (place, text)
    };
    let sentence_markup = |sentence: &Value, references: &[usize], class: &str| {
        let tooltip: Vec<String> = references
            .iter()
            .map(|number| {
                let (place, text) = quoted(*number);
                if text.is_empty() {
                    place
                } else {
                    format!("{place} : « {text} »")
                }
            })
            .collect();
        html! {
            li class=(class) title=(tooltip.join("\n")) {
                @if let Some(label) = sentence["label"].as_str() { strong { (label) " : " } }
                (sentence["text"].as_str().unwrap_or_default())
                @for number in references {
                    " " sup { a href={ "#extrait-" (number) } aria-label={ (texts.source_of) " " (number) } { "[" (number) "]" } }
                }
            }
        }
    };
    html! {
        div class="draft-columns" {
            section class="draft-notes" aria-labelledby="notes-heading" {
                h2 id="notes-heading" { (texts.notes_heading) }
                @if let Some(inputs) = inputs {
                    @for (name, text) in inputs {
                        @if !text.trim().is_empty() {
                            h3 { (name) }
                            pre class="notes-text" { (text) }
                        }
                    }
                }
                h3 { (texts.excerpts_heading) }
                ol class="excerpts" {
                    @for number in 1..=cited.len() {
                        @let (place, text) = quoted(number);
                        li id={ "extrait-" (number) } {
                            span class="provenance-line" { (place) }
                            @if !text.is_empty() { blockquote { (text) } }
                        }
                    }
                }
            }
            section class="draft-text" aria-labelledby="draft-heading" {
                h2 id="draft-heading" { (title(draft)) }
                @if let Some(count) = draft["identifiers_replaced"].as_u64() {
                    p class="hint" { (count) " " (texts.identifiers_note) }
                }
                @for (section, sentences) in &rendered_sections {
                    h3 { (title(section)) }
                    @if let Some(missing) = section["missing"].as_str() {
                        p class="missing" { strong { (texts.missing) " — " } (missing) }
                    }
                    @if !sentences.is_empty() {
                        ul class="draft-sentences" {
                            @for (sentence, references) in sentences {
                                (sentence_markup(sentence, references, "supported"))
                            }
                        }
                    }
                }
                @if !treatments.is_empty() {
                    h3 { (texts.treatments_heading) }
                    table class="treatments" {
                        thead { tr { th { (texts.change) } th { (texts.admission) } th { (texts.discharge) } th { (texts.reason) } } }
                        tbody {
                            @for change in treatments {
                                tr {
                                    td { (texts.change_kind(change["kind"].as_str().unwrap_or_default())) }
                                    td { (change["admission"].as_str().unwrap_or("—")) }
                                    td { (change["discharge"].as_str().unwrap_or("—")) }
                                    td { (change["reason"]["text"].as_str().unwrap_or("—")) }
                                }
                            }
                        }
                    }
                }
                @if !treatments.is_empty() || draft["interactions"].is_object() {
                    h3 { (texts.alerts_heading) }
                    @match draft["interactions"]["alerts"].as_array() {
                        Some(alerts) if alerts.is_empty() => p { (texts.no_alert) },
                        Some(alerts) => ul class="alerts" {
                            @for alert in alerts {
                                li class={ "alert level-" (alert["level"].as_str().unwrap_or_default()) } {
                                    strong { (level_label(alert["level"].as_str().unwrap_or_default())) } " : "
                                    (alert["labels"][0].as_str().unwrap_or_default()) " + "
                                    (alert["labels"][1].as_str().unwrap_or_default())
                                }
                            }
                        },
                        None => p class="warning" { (texts.not_checked) },
                    }
                }
                @if !flagged.is_empty() {
                    h3 { (texts.flagged_heading) }
                    ul class="draft-sentences" {
                        @for (flagged, references) in &flagged {
                            (sentence_markup(&flagged["sentence"], references, "flagged"))
                        }
                    }
                    p class="warning" { (texts.flagged_note) }
                }
            }
        }
    }
}

/// The ANSM thesaurus's label of a level (as `esculape_drugs::Level::label_fr` writes it).
fn level_label(level: &str) -> &str {
    match level {
        "contre_indication" => "Contre-indication",
        "association_deconseillee" => "Association déconseillée",
        "precaution_emploi" => "Précaution d'emploi",
        "a_prendre_en_compte" => "À prendre en compte",
        other => other,
    }
}

fn decision_forms(texts: &DraftTexts, auth: &Auth, id: i64) -> Markup {
    html! {
        div class="decision" {
            form method="post" action={ "/rediger/" (id) "/valider" } {
                input type="hidden" name="csrf" value=(auth.csrf_token());
                button type="submit" { (texts.validate_button) }
            }
            form method="post" action={ "/rediger/" (id) "/rejeter" } {
                input type="hidden" name="csrf" value=(auth.csrf_token());
                label for={ "reason-" (id) } { (texts.reject_reason_label) }
                input type="text" id={ "reason-" (id) } name="reason" maxlength="2000";
                button type="submit" { (texts.reject_button) }
            }
        }
    }
}

fn detail(lang: Lang, auth: &Auth, view: &DraftView, notice: &(String, String)) -> Markup {
    let texts = lang.drafting();
    let summary = &view.summary;
    let id = summary.id;
    let open = summary.status == "draft" || summary.status == "edited";
    let latest = view.versions.last();
    let trace = view
        .versions
        .iter()
        .find(|version| !version.trace.is_null())
        .map(|version| &version.trace);
    html! {
        p {
            (summary.title) " — " (texts.number) " " (id) " — "
            span class={ "status status-" (summary.status) } { (texts.status(&summary.status)) }
            @if let Some(by) = &view.decided_by {
                " — " (texts.decided_by) " " (by) " " (summary.decided_at.as_deref().unwrap_or_default())
            }
        }
        @if let Some(reason) = summary.rejection_reason.as_deref().filter(|reason| !reason.is_empty()) {
            p { (texts.reject_reason_label) " : " (reason) }
        }
        @if summary.latest_version > 1 {
            p class="hint" { (texts.edited_note) }
        }
        @if let Some(trace) = trace {
            (side_by_side(lang, trace, None))
        }
        @if open {
            (decision_forms(texts, auth, id))
            @if let Some(latest) = latest {
                form class="draft-edit" method="post" action={ "/rediger/" (id) "/modifier" } {
                    h2 { (texts.edit_heading) }
                    input type="hidden" name="csrf" value=(auth.csrf_token());
                    label for="body" { (texts.edit_heading) " (Markdown)" }
                    textarea id="body" name="body" rows="16" required maxlength="200000" { (latest.body) }
                    button type="submit" { (texts.edit_button) }
                }
            }
        }
        section class="export" {
            h2 { (texts.export_heading) }
            @if summary.status == "validated" {
                ul {
                    li { a href={ "/api/v1/drafts/" (id) "/export?format=html" } { "HTML" } }
                    li { a href={ "/api/v1/drafts/" (id) "/export?format=md" } { "Markdown" } }
                    li { a href={ "/api/v1/drafts/" (id) "/export?format=txt" } { "Texte / Text" } }
                }
            } @else {
                p { (texts.export_only_validated) }
            }
        }
        section class="patient-notice" {
            h2 { (texts.notice_heading) }
            p lang="fr" { (notice.0) }
            p lang="en" { (notice.1) }
        }
        section class="versions" {
            h2 { (texts.versions_heading) }
            @for version in view.versions.iter().rev() {
                details open[Some(version.version) == latest.map(|latest| latest.version)] {
                    summary { (texts.version) " " (version.version) " — " (version.created_at) }
                    pre class="draft-body" { (version.body) }
                }
            }
        }
        p { a href="/rediger" { (texts.my_drafts) } }
    }
}
