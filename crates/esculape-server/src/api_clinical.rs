//! The clinical part of `/api/v1`: questions answered as server-sent events, prescription
//! checks, drug cards, clinical scores and pseudonymization.

use crate::api::ApiJson;
use crate::error::{ApiError, ErrorBody};
use crate::session::{ApiAuth, ApiChangeAuth, blocking};
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use esculape_answer::{Answer, AnswerSentence, UsedPassage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct AskRequest {
    /// A clinical question in French or English (at most 2,000 characters).
    pub question: String,
}

/// A verified sentence, as streamed (`event: sentence`).
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamedSentence {
    pub text: String,
    /// Numbers of the passages it cites (`passages[n - 1]` of the final answer).
    pub citations: Vec<usize>,
}

impl From<&AnswerSentence> for StreamedSentence {
    fn from(sentence: &AnswerSentence) -> StreamedSentence {
        StreamedSentence {
            text: sentence.text.clone(),
            citations: sentence.citations.clone(),
        }
    }
}

/// A passage cited by (or close to) an answer, with its provenance.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitedPassage {
    pub number: usize,
    /// `pack:document#n`: open it with `/api/v1/passages/{id}`.
    pub id: String,
    pub pack: String,
    pub source_title: String,
    pub publisher: String,
    pub version: String,
    pub published: Option<String>,
    pub date: Option<String>,
    pub document_title: String,
    pub heading_path: String,
    pub text: String,
}

impl From<&UsedPassage> for CitedPassage {
    fn from(passage: &UsedPassage) -> CitedPassage {
        CitedPassage {
            number: passage.number,
            id: passage.chunk_id.clone(),
            pack: passage.pack.clone(),
            source_title: passage.source_title.clone(),
            publisher: passage.publisher.clone(),
            version: passage.version.clone(),
            published: passage.published.clone(),
            date: passage.date.clone(),
            document_title: passage.document_title.clone(),
            heading_path: passage.heading_path.clone(),
            text: passage.evidence_text.clone(),
        }
    }
}

/// The whole answer (`event: answer`, the last event of a stream).
#[derive(Debug, Serialize, ToSchema)]
pub struct AskAnswer {
    pub language: String,
    pub sentences: Vec<StreamedSentence>,
    pub passages: Vec<CitedPassage>,
    pub abstained: bool,
    /// "The sources do not answer this question", in the question's language.
    pub abstention_message: Option<String>,
    /// When abstaining: numbers of the closest passages.
    pub closest_passages: Vec<usize>,
    /// Sentences dropped because a cited passage did not support them.
    pub dropped: usize,
    /// `extractive` or `generative`.
    pub mode: String,
    pub model: Option<String>,
    pub identifiers_replaced: usize,
    /// When the question names two drugs or more: the interaction checker's alerts
    /// (`drugs_named`, `checked`, `alerts` with `level`, `drugs`, `summary`, `source`),
    /// deterministic, from the ANSM thesaurus, shown even when the answer abstains.
    #[schema(value_type = Object)]
    pub interactions: serde_json::Value,
    /// The calculators the question names: a score is computed by its calculator
    /// (`POST /api/v1/scores/{id}`), never taken from a passage or a model.
    pub calculators: Vec<CalculatorLink>,
    /// Always true: the answer is machine-generated and must be checked by a clinician.
    pub ai_generated: bool,
}

/// A calculator a question names.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorLink {
    pub id: String,
    pub name_fr: String,
    pub name_en: String,
}

/// The calculators `question` names.
pub fn calculator_links(question: &str) -> Vec<CalculatorLink> {
    esculape_scores::calculators_named_in(question)
        .into_iter()
        .map(|calculator| CalculatorLink {
            id: calculator.id.to_string(),
            name_fr: calculator.name_fr.to_string(),
            name_en: calculator.name_en.to_string(),
        })
        .collect()
}

impl From<&Answer> for AskAnswer {
    fn from(answer: &Answer) -> AskAnswer {
        AskAnswer {
            language: answer.language.clone(),
            sentences: answer
                .sentences
                .iter()
                .map(StreamedSentence::from)
                .collect(),
            passages: answer.passages.iter().map(CitedPassage::from).collect(),
            abstained: answer.abstained,
            abstention_message: answer.abstention_message.clone(),
            closest_passages: answer.closest_passages.clone(),
            dropped: answer.dropped.len(),
            mode: match answer.mode {
                esculape_answer::AnswerMode::Extractive => "extractive".into(),
                esculape_answer::AnswerMode::Generative => "generative".into(),
            },
            model: answer.model.clone(),
            identifiers_replaced: answer.identifiers_replaced,
            interactions: serde_json::to_value(&answer.interactions).unwrap_or_default(),
            calculators: Vec::new(),
            ai_generated: true,
        }
    }
}

/// One server-sent event, as bytes.
fn event(name: &str, data: &impl Serialize) -> Bytes {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".into());
    Bytes::from(format!("event: {name}\ndata: {json}\n\n"))
}

#[utoipa::path(post, path = "/api/v1/ask", tag = "ask", request_body = AskRequest,
    description = "Streams `text/event-stream`: `event: sentence` (StreamedSentence) for each \
        verified sentence, then `event: answer` (AskAnswer), or `event: error` (ErrorDetail). \
        When the model queue is full the answer is 429 with `Retry-After`, before any event.",
    responses(
        (status = 200, description = "server-sent events", content_type = "text/event-stream", body = AskAnswer),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn ask(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    ApiJson(request): ApiJson<AskRequest>,
) -> Result<Response, ApiError> {
    let (app, identity) = (state.app.clone(), auth.identity().clone());
    let (admitted, question) = (identity.clone(), request.question.clone());
    // A refusal is audited (a database write): off the async threads like any use case.
    let ticket = blocking(move || app.admit_question(&admitted, &question)).await?;
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
    let app = state.app.clone();
    tokio::task::spawn_blocking(move || {
        let streamed = sender.clone();
        let result = app.ask(&identity, ticket, &request.question, &mut |sentence| {
            let _ = streamed.send(event("sentence", &StreamedSentence::from(sentence)));
        });
        let last = match result {
            Ok(answer) => {
                let mut shown = AskAnswer::from(&answer);
                shown.calculators = calculator_links(&request.question);
                event("answer", &shown)
            }
            Err(error) => {
                let (_, code, message, _) = crate::error::classify(&ApiError::App(error));
                event("error", &crate::error::ErrorDetail { code, message })
            }
        };
        let _ = sender.send(last);
    });
    let stream = futures_util::stream::poll_fn(move |context| {
        receiver
            .poll_recv(context)
            .map(|next| next.map(Ok::<Bytes, std::convert::Infallible>))
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InteractionsRequest {
    /// One prescription line each: a brand, an INN, a CIS or CIP13 code, with an optional
    /// dose (`kardegic 75 mg/j`).
    pub lines: Vec<String>,
}

/// Each line as understood, and the ANSM thesaurus's alerts (level, substances, every
/// matching entry as a reason, thesaurus version).
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionsResponse {
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub check: serde_json::Value,
}

#[utoipa::path(post, path = "/api/v1/interactions", tag = "drugs", request_body = InteractionsRequest,
    responses((status = 200, body = InteractionsResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn interactions(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    ApiJson(request): ApiJson<InteractionsRequest>,
) -> Result<Json<InteractionsResponse>, ApiError> {
    let app = state.app.clone();
    let check = blocking(move || app.check_prescription(auth.identity(), &request.lines)).await?;
    Ok(Json(InteractionsResponse {
        check: serde_json::to_value(check).unwrap_or_default(),
    }))
}

/// What a drug text resolves to, with the BDPM cards.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrugResponse {
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub lookup: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/drugs/{id}", tag = "drugs",
    params(("id" = String, Path, description = "brand, INN, CIS or CIP13, percent-encoded")),
    responses((status = 200, body = DrugResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn drug(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(query): Path<String>,
) -> Result<Json<DrugResponse>, ApiError> {
    let app = state.app.clone();
    let lookup = blocking(move || app.drug(auth.identity(), &query)).await?;
    Ok(Json(DrugResponse {
        lookup: serde_json::to_value(lookup).unwrap_or_default(),
    }))
}

/// A calculator: what it estimates, its inputs with units and plausible ranges, its
/// reference.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalculatorInfo {
    pub id: String,
    pub name_fr: String,
    pub name_en: String,
    pub estimates_fr: String,
    pub estimates_en: String,
    pub result_unit: String,
    /// Each input: `id`, `label_fr`, `label_en`, `kind` (`number` with `unit`,
    /// `accepted_units`, `min`, `max` in `unit`; `flag`; `choice` with `choices`).
    #[schema(value_type = Vec<Object>)]
    pub inputs: serde_json::Value,
    #[schema(value_type = Object)]
    pub reference: serde_json::Value,
}

impl From<&esculape_scores::Calculator> for CalculatorInfo {
    fn from(calculator: &esculape_scores::Calculator) -> CalculatorInfo {
        CalculatorInfo {
            id: calculator.id.into(),
            name_fr: calculator.name_fr.into(),
            name_en: calculator.name_en.into(),
            estimates_fr: calculator.estimates_fr.into(),
            estimates_en: calculator.estimates_en.into(),
            result_unit: calculator.result_unit.into(),
            inputs: serde_json::to_value(calculator.inputs).unwrap_or_default(),
            reference: serde_json::to_value(calculator.reference).unwrap_or_default(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/scores", tag = "scores",
    responses((status = 200, body = Vec<CalculatorInfo>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn calculators(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> Result<Json<Vec<CalculatorInfo>>, ApiError> {
    let app = state.app.clone();
    let list = blocking(move || app.score_calculators(auth.identity())).await?;
    Ok(Json(
        list.iter()
            .map(|calculator| CalculatorInfo::from(*calculator))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoreRequest {
    /// Input id → value: a measurement with its unit (`"115umol/L"`), a number (`"72"`),
    /// a choice id (`"F"`), or `true` for a yes/no finding present (`false` or absent: no).
    #[schema(value_type = Object)]
    pub inputs: BTreeMap<String, serde_json::Value>,
}

/// The result, its band, every input as used, the reference and its caveat.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreResponse {
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub outcome: serde_json::Value,
}

#[utoipa::path(post, path = "/api/v1/scores/{id}", tag = "scores", request_body = ScoreRequest,
    params(("id" = String, Path, description = "calculator id (`ckd-epi`, `cha2ds2-vasc`…)")),
    responses((status = 200, body = ScoreResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn compute_score(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ScoreRequest>,
) -> Result<Json<ScoreResponse>, ApiError> {
    let mut inputs = Vec::new();
    for (name, value) in request.inputs {
        match value {
            serde_json::Value::Bool(true) => inputs.push((name, None)),
            serde_json::Value::Bool(false) | serde_json::Value::Null => {}
            serde_json::Value::String(text) => inputs.push((name, Some(text))),
            serde_json::Value::Number(number) => inputs.push((name, Some(number.to_string()))),
            _ => {
                return Err(esculape_app::Error::Invalid(format!(
                    "input `{name}`: give a string (\"115umol/L\"), a number, or true/false"
                ))
                .into());
            }
        }
    }
    let app = state.app.clone();
    let outcome = blocking(move || app.compute_score(auth.identity(), &id, &inputs)).await?;
    Ok(Json(ScoreResponse {
        outcome: serde_json::to_value(outcome).unwrap_or_default(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PseudonymizeRequest {
    /// The text (at most 100,000 characters).
    pub text: String,
    /// Typed placeholders (`[NOM_1]`) instead of realistic surrogates.
    #[serde(default)]
    pub placeholders: bool,
}

/// One identifier masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaskedFinding {
    /// `LAST_NAME`, `FIRST_NAME`, `NIR`, `DATE`, `PHONE`…
    pub label: String,
    /// Character offsets in the input.
    pub start_char: usize,
    pub end_char: usize,
    pub original: String,
    pub replacement: Option<String>,
    pub confidence: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PseudonymizeResponse {
    pub text: String,
    pub findings: Vec<MaskedFinding>,
}

#[utoipa::path(post, path = "/api/v1/pseudonymize", tag = "pseudonymization", request_body = PseudonymizeRequest,
    responses((status = 200, body = PseudonymizeResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pseudonymize(
    State(state): State<AppState>,
    ApiChangeAuth(auth): ApiChangeAuth,
    ApiJson(request): ApiJson<PseudonymizeRequest>,
) -> Result<Json<PseudonymizeResponse>, ApiError> {
    let app = state.app.clone();
    let result = blocking(move || {
        app.pseudonymize_text(auth.identity(), &request.text, request.placeholders)
    })
    .await?;
    Ok(Json(PseudonymizeResponse {
        text: result.text,
        findings: result
            .findings
            .into_iter()
            .map(|finding| MaskedFinding {
                label: label_name(finding.label),
                start_char: finding.start_char,
                end_char: finding.end_char,
                original: finding.original,
                replacement: finding.replacement,
                confidence: finding.confidence,
            })
            .collect(),
    }))
}

/// A label's stable name (`LAST_NAME`), as its serialization writes it.
pub fn label_name(label: esculape_pseudo::Label) -> String {
    serde_json::to_value(label)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}
