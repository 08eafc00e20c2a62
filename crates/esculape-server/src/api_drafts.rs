//! Rédiger in `/api/v1/drafts`: a draft made from the clinician's notes by the drafting
//! pipeline (extractive: every sentence is a sentence of the notes, with its span), kept
//! for its author only, edited, validated or rejected, exported once validated, and its
//! patient information notice. Every step goes through the audited use cases of
//! `esculape-app`.

use crate::api::ApiJson;
use crate::error::{ApiError, ErrorBody};
use crate::session::{ApiAuth, ApiChangeAuth, blocking};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use esculape_app::{ExportFormat, Identity, MAX_DRAFT_CHARS};
use esculape_drafting::{DocumentTypes, DraftConfig, DraftRequest, InputDocument, MedicationLists};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Names of the input documents, as the draft's spans name them.
pub const NOTES_NAME: &str = "notes";
pub const ADMISSION_NAME: &str = "traitement d'entrée";
pub const DISCHARGE_NAME: &str = "traitement de sortie";

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDraftRequest {
    /// `lettre-de-liaison`, `compte-rendu-consultation` or `courrier-adressage`.
    pub document_type: String,
    /// The clinician's notes or a dictation transcript (at most 200,000 characters).
    pub notes: String,
    /// Treatment on admission, one drug per line (`amlodipine 5 mg/j`).
    #[serde(default)]
    pub admission_medications: Option<String>,
    /// Treatment at discharge, one drug per line.
    #[serde(default)]
    pub discharge_medications: Option<String>,
}

/// What the pipeline made, and where it is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDraft {
    pub summary: DraftSummary,
    /// The whole draft: sections with each sentence and its input spans (`document`,
    /// `start_char`, `end_char` into `sources`), missing mandatory items (`missing`),
    /// flagged sentences, reconciled treatments, alerts, and the AI-use record.
    #[schema(value_type = Object)]
    pub draft: serde_json::Value,
    /// Always true: the draft is machine-assisted and must be checked by the clinician.
    pub ai_generated: bool,
}

/// A draft as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftSummary {
    pub id: i64,
    pub document_type: String,
    pub title: String,
    /// `draft`, `edited`, `validated` or `rejected`.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub latest_version: i64,
    pub decided_at: Option<String>,
    pub rejection_reason: Option<String>,
}

/// One version of a draft's text.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftVersionView {
    pub version: i64,
    pub created_at: String,
    /// Markdown.
    pub body: String,
    /// The pipeline's draft with its spans for a version it produced; `null` for an edit.
    #[schema(value_type = Object)]
    pub trace: serde_json::Value,
}

/// A draft with every version.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftView {
    pub summary: DraftSummary,
    /// Display name of who validated or rejected it.
    pub decided_by: Option<String>,
    pub versions: Vec<DraftVersionView>,
    pub ai_generated: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditDraftRequest {
    /// The new text (Markdown); the old versions are kept.
    pub body: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RejectDraftRequest {
    /// Why, kept with the draft (not in the audit trail).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportParams {
    /// `md` (default), `txt` or `html` (also `markdown`, `text`).
    pub format: Option<String>,
}

/// The patient information notice, in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeResponse {
    pub fr: String,
    pub en: String,
}

/// A listed draft, from the store's record.
macro_rules! summary {
    ($record:expr) => {{
        let record = $record;
        DraftSummary {
            id: record.id,
            document_type: record.document_type.clone(),
            title: record.title.clone(),
            status: record.status.as_str().to_string(),
            created_at: esculape_app::rfc3339_utc(record.created_at_s * 1000),
            updated_at: esculape_app::rfc3339_utc(record.updated_at_s * 1000),
            latest_version: record.latest_version,
            decided_at: record
                .decided_at_s
                .map(|seconds| esculape_app::rfc3339_utc(seconds * 1000)),
            rejection_reason: record.rejection_reason.clone(),
        }
    }};
}

/// The built-in document types, for the page's choice.
pub fn document_types() -> DocumentTypes {
    DocumentTypes::built_in()
}

/// Runs the drafting pipeline (extractive) on the request and saves the draft for the
/// caller. Blocking.
pub fn create_draft(
    app: &esculape_app::App,
    identity: &Identity,
    request: &NewDraftRequest,
) -> esculape_app::Result<(i64, serde_json::Value, DraftSummary)> {
    app.may_draft(identity)?;
    for (field, text) in [
        ("notes", Some(&request.notes)),
        (
            "admission_medications",
            request.admission_medications.as_ref(),
        ),
        (
            "discharge_medications",
            request.discharge_medications.as_ref(),
        ),
    ] {
        if text.is_some_and(|text| text.chars().count() > MAX_DRAFT_CHARS) {
            return Err(esculape_app::Error::Invalid(format!(
                "`{field}` is longer than {MAX_DRAFT_CHARS} characters: shorten it"
            )));
        }
    }
    let types = document_types();
    let document_type = types.get(&request.document_type).map_err(drafting_error)?;
    let admission = given(request.admission_medications.as_deref());
    let discharge = given(request.discharge_medications.as_deref());
    let medications = (admission.is_some() || discharge.is_some()).then(|| MedicationLists {
        admission: InputDocument::new(ADMISSION_NAME, admission.unwrap_or_default()),
        discharge: InputDocument::new(DISCHARGE_NAME, discharge.unwrap_or_default()),
    });
    let draft_request = DraftRequest {
        document_type,
        documents: vec![InputDocument::new(NOTES_NAME, request.notes.clone())],
        medications,
    };
    let config = DraftConfig {
        pseudonymization: app.pseudonymization_config().clone(),
        ..DraftConfig::default()
    };
    let medication = app.medication_engine();
    let resolve = medication.map(|medication| {
        move |line: &str| -> Vec<String> { substances_of_line(medication, line) }
    });
    let draft = esculape_drafting::draft(
        &draft_request,
        &config,
        esculape_drafting::Resources {
            generator: None,
            thesaurus: medication.map(|medication| &medication.thesaurus),
            substances_of: resolve
                .as_ref()
                .map(|resolve| resolve as &esculape_drafting::SubstancesOf),
            drug_names: None,
        },
    )
    .map_err(drafting_error)?;
    let record = app.save_draft(identity, &draft)?;
    let value = serde_json::to_value(&draft)
        .map_err(|error| esculape_app::Error::Internal(format!("draft as JSON: {error}")))?;
    Ok((record.id, value, summary!(&record)))
}

/// The substances of a treatment line (`amlodipine 5 mg/j`): what the thesaurus or the
/// BDPM resolves the line or its drug name (the words before the first number) to; else
/// the name itself, which the check then reports as absent from the thesaurus.
fn substances_of_line(medication: &esculape_app::Medication, line: &str) -> Vec<String> {
    let name: Vec<&str> = line
        .split_whitespace()
        .take_while(|word| !word.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let name = name.join(" ");
    for candidate in [line.trim(), name.as_str()] {
        let substances = medication.substances_named(candidate);
        if !substances.is_empty() {
            return substances;
        }
    }
    vec![name.to_uppercase()]
}

/// A treatment list that says something.
fn given(text: Option<&str>) -> Option<&str> {
    text.filter(|text| !text.trim().is_empty())
}

/// The pipeline's errors as application errors (then mapped in [`crate::error`]).
fn drafting_error(error: esculape_drafting::Error) -> esculape_app::Error {
    use esculape_drafting::Error;
    match error {
        Error::UnknownType { .. } | Error::EmptyNotes | Error::NoDocuments => {
            esculape_app::Error::Invalid(error.to_string())
        }
        Error::Pseudonymization(_) | Error::InvalidType { .. } | Error::TypesFolder { .. } => {
            esculape_app::Error::Internal(error.to_string())
        }
    }
}

/// A draft with its versions, as the API shows it. Blocking.
pub fn draft_view(
    app: &esculape_app::App,
    identity: &Identity,
    id: i64,
) -> esculape_app::Result<DraftView> {
    let detail = app.draft_detail(identity, id)?;
    Ok(DraftView {
        summary: summary!(&detail.draft),
        decided_by: detail.decided_by_name.clone(),
        versions: detail
            .versions
            .iter()
            .map(|version| DraftVersionView {
                version: version.version,
                created_at: esculape_app::rfc3339_utc(version.created_at_s * 1000),
                body: version.body.clone(),
                trace: serde_json::from_str(&version.trace).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
        ai_generated: true,
    })
}

/// The caller's drafts, newest first. Blocking.
pub fn draft_list(
    app: &esculape_app::App,
    identity: &Identity,
) -> esculape_app::Result<Vec<DraftSummary>> {
    Ok(app
        .my_drafts(identity)?
        .iter()
        .map(|record| summary!(record))
        .collect())
}

#[utoipa::path(post, path = "/api/v1/drafts", tag = "drafts", request_body = NewDraftRequest,
    description = "Drafts a document from the notes (extractive: each sentence is a sentence \
        of the notes with its span; a mandatory item the notes do not cover is written as \
        missing) and keeps it for the caller, status `draft`.",
    responses((status = 201, body = CreatedDraft), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    ApiJson(request): ApiJson<NewDraftRequest>,
) -> Result<Response, ApiError> {
    let app = state.app.clone();
    let (_, draft, summary) =
        blocking(move || create_draft(&app, auth.identity(), &request)).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedDraft {
            summary,
            draft,
            ai_generated: true,
        }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/drafts", tag = "drafts",
    responses((status = 200, body = Vec<DraftSummary>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> Result<Json<Vec<DraftSummary>>, ApiError> {
    let app = state.app.clone();
    Ok(Json(
        blocking(move || draft_list(&app, auth.identity())).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/drafts/{id}", tag = "drafts",
    params(("id" = i64, Path, description = "draft number")),
    description = "One of the caller's drafts with every version; another's draft is 404.",
    responses((status = 200, body = DraftView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<i64>,
) -> Result<Json<DraftView>, ApiError> {
    let app = state.app.clone();
    Ok(Json(
        blocking(move || draft_view(&app, auth.identity(), id)).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/drafts/{id}", tag = "drafts", request_body = EditDraftRequest,
    params(("id" = i64, Path, description = "draft number")),
    description = "Replaces the text with a new version (status `edited`); old versions are kept.",
    responses((status = 200, body = DraftSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<EditDraftRequest>,
) -> Result<Json<DraftSummary>, ApiError> {
    let app = state.app.clone();
    let record = blocking(move || app.edit_draft(auth.identity(), id, &request.body)).await?;
    Ok(Json(summary!(&record)))
}

#[utoipa::path(post, path = "/api/v1/drafts/{id}/validate", tag = "drafts",
    params(("id" = i64, Path, description = "draft number")),
    description = "The caller validates (signs) the latest version.",
    responses((status = 200, body = DraftSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn validate(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    Path(id): Path<i64>,
) -> Result<Json<DraftSummary>, ApiError> {
    let app = state.app.clone();
    let record = blocking(move || app.validate_draft(auth.identity(), id)).await?;
    Ok(Json(summary!(&record)))
}

#[utoipa::path(post, path = "/api/v1/drafts/{id}/reject", tag = "drafts",
    request_body = RejectDraftRequest,
    params(("id" = i64, Path, description = "draft number")),
    responses((status = 200, body = DraftSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<RejectDraftRequest>,
) -> Result<Json<DraftSummary>, ApiError> {
    let app = state.app.clone();
    let record = blocking(move || app.reject_draft(auth.identity(), id, &request.reason)).await?;
    Ok(Json(summary!(&record)))
}

/// A validated draft's text in `format`, with its content type. Blocking.
pub fn export_text(
    app: &esculape_app::App,
    identity: &Identity,
    id: i64,
    format: Option<&str>,
) -> esculape_app::Result<(&'static str, String)> {
    let format: ExportFormat = format.unwrap_or("md").parse()?;
    let text = app.export_draft(identity, id, format)?;
    let content_type = match format {
        ExportFormat::Markdown => "text/markdown; charset=utf-8",
        ExportFormat::Text => "text/plain; charset=utf-8",
        ExportFormat::Html => "text/html; charset=utf-8",
    };
    Ok((content_type, text))
}

#[utoipa::path(get, path = "/api/v1/drafts/{id}/export", tag = "drafts", params(ExportParams,
    ("id" = i64, Path, description = "draft number")),
    description = "The latest version with the patient information notice; 409 unless the \
        draft is validated.",
    responses((status = 200, description = "the document", content_type = "text/markdown"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<i64>,
    Query(params): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let app = state.app.clone();
    let (content_type, text) =
        blocking(move || export_text(&app, auth.identity(), id, params.format.as_deref())).await?;
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}

#[utoipa::path(get, path = "/api/v1/drafts/{id}/notice", tag = "drafts",
    params(("id" = i64, Path, description = "draft number")),
    description = "The patient information notice: an AI assisted in writing the document, \
        and (once validated) which clinician validated it and when.",
    responses((status = 200, body = NoticeResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn notice(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<i64>,
) -> Result<Json<NoticeResponse>, ApiError> {
    let app = state.app.clone();
    let (fr, en) = blocking(move || app.draft_notice(auth.identity(), id)).await?;
    Ok(Json(NoticeResponse { fr, en }))
}
