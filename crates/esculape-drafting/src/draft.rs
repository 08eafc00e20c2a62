//! The pipeline: pseudonymize the inputs (fail closed) → place note sentences in sections
//! (extractive, always available) → optionally let a model rewrite each section from its
//! pseudonymized sentences → verify every output sentence against the input spans it
//! links to → write uncovered mandatory items as missing → reconcile treatments and check
//! interactions → re-identify for the clinician.

use crate::contradictions::{Contradiction, find_contradictions};
use crate::doctype::{DocumentType, SectionKind};
use crate::error::{Error, Result};
use crate::generative::rewrite_section;
use crate::inputs::{InputDocument, InputSentence, Span, input_sentences, pseudonymize_documents};
use crate::record::{AiStep, AiUseRecord, DraftSettings};
use crate::select::assign_sentences;
use crate::treatments::{ChangeKind, default_substances, medication_lines, reconcile};
use esculape_answer::{DrugNames, Verification, VerificationContext, verify_sentence};
use esculape_drugs::{CheckReport, Dose, PrescriptionLine, Thesaurus};
use esculape_llm::Generator;
use esculape_pseudo::Scope;
use esculape_text::Language;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The text written in place of a mandatory item the inputs do not cover.
pub const MISSING_FR: &str = "non renseigné dans les notes";

/// Whether a model may write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftMode {
    /// Sections hold the relevant sentences of the notes, as written.
    #[default]
    Extractive,
    /// A model rewrites each section from its sentences; every sentence is verified, and a
    /// section without a verified one falls back to the notes' sentences.
    Generative,
}

impl std::str::FromStr for DraftMode {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<DraftMode, String> {
        match text {
            "extractive" => Ok(DraftMode::Extractive),
            "generative" => Ok(DraftMode::Generative),
            other => Err(format!(
                "unknown drafting mode `{other}`: use `extractive` or `generative`"
            )),
        }
    }
}

/// Settings of one draft.
#[derive(Debug, Clone)]
pub struct DraftConfig {
    pub mode: DraftMode,
    /// Most tokens a model may write per section.
    pub max_tokens_per_section: usize,
    /// Share of a generated sentence's content terms that its linked spans must hold.
    pub min_support: f32,
    pub pseudonymization: esculape_pseudo::Config,
}

impl Default for DraftConfig {
    fn default() -> DraftConfig {
        DraftConfig {
            mode: DraftMode::Extractive,
            max_tokens_per_section: 192,
            min_support: 0.6,
            pseudonymization: esculape_pseudo::Config::default(),
        }
    }
}

/// Turns a treatment line into its active substances.
pub type SubstancesOf<'a> = dyn Fn(&str) -> Vec<String> + 'a;

/// What the pipeline may use besides the inputs.
#[derive(Clone, Copy, Default)]
pub struct Resources<'a> {
    /// For generative mode; without one the draft is extractive.
    pub generator: Option<&'a dyn Generator>,
    /// The ANSM thesaurus, for interaction alerts on the discharge treatment.
    pub thesaurus: Option<&'a Thesaurus>,
    /// Turns a treatment line into its active substances (BDPM resolution); without it the
    /// drug's words are taken as the substance.
    pub substances_of: Option<&'a SubstancesOf<'a>>,
    /// Drug names a sentence may not introduce.
    pub drug_names: Option<&'a DrugNames>,
}

impl std::fmt::Debug for Resources<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Resources")
            .field("generator", &self.generator.map(|generator| generator.id()))
            .field(
                "thesaurus",
                &self.thesaurus.map(|thesaurus| thesaurus.version()),
            )
            .finish_non_exhaustive()
    }
}

/// The treatment lists of a lettre de liaison.
#[derive(Debug, Clone)]
pub struct MedicationLists {
    pub admission: InputDocument,
    pub discharge: InputDocument,
}

/// What to draft from.
#[derive(Debug, Clone)]
pub struct DraftRequest<'a> {
    pub document_type: &'a DocumentType,
    /// The notes (one document) or, for a synthesis, every document.
    pub documents: Vec<InputDocument>,
    pub medications: Option<MedicationLists>,
}

/// Where a sentence of the draft comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A sentence of the inputs, as written.
    Notes,
    /// Written by the language model from the inputs.
    Model,
    /// A line of a treatment list, with its reconciled change.
    Treatments,
}

/// One sentence of a draft with the input spans that support it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftSentence {
    /// Written before the text by the pipeline itself ("Introduit"), when any.
    pub label: Option<String>,
    /// Re-identified: what the clinician reads.
    pub text: String,
    pub spans: Vec<Span>,
    pub origin: Origin,
    pub verification: Verification,
}

/// One section of a draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftSection {
    pub id: String,
    pub title_fr: String,
    pub title_en: String,
    pub mandatory: bool,
    /// Verified sentences only.
    pub sentences: Vec<DraftSentence>,
    /// For a mandatory section the inputs do not cover: "non renseigné dans les notes".
    pub missing: Option<String>,
    /// Why a model's rewrite gave way to the notes' sentences, when it did.
    pub fallback_reason: Option<String>,
}

/// One reconciled treatment, as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatmentChange {
    pub kind: ChangeKind,
    pub admission: Option<String>,
    pub discharge: Option<String>,
    /// The note sentence that mentions this drug (the reason of a change), when one does.
    pub reason: Option<DraftSentence>,
}

/// A source document as the draft names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceDocument {
    pub name: String,
    pub chars: usize,
}

/// Time spent, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftTimings {
    pub pseudonymize_ms: f64,
    pub model_ms: f64,
    pub total_ms: f64,
}

/// A draft, with everything a clinician and an audit need.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub document_type: String,
    pub title_fr: String,
    pub title_en: String,
    pub reference: String,
    pub sections: Vec<DraftSection>,
    /// Sentences that failed verification: reported, never kept in a section.
    pub flagged: Vec<FlaggedSentence>,
    pub treatments: Vec<TreatmentChange>,
    /// Interaction alerts on the discharge treatment, when the thesaurus was given.
    pub interactions: Option<CheckReport>,
    pub contradictions: Vec<Contradiction>,
    pub sources: Vec<SourceDocument>,
    pub identifiers_replaced: usize,
    pub ai_use: AiUseRecord,
    pub timings: DraftTimings,
}

/// A sentence that failed verification, with the section it was meant for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedSentence {
    pub section: String,
    pub sentence: DraftSentence,
}

/// Drafts a document of `request.document_type` from the inputs.
pub fn draft(
    request: &DraftRequest<'_>,
    config: &DraftConfig,
    resources: Resources<'_>,
) -> Result<Draft> {
    let started = Instant::now();
    if request
        .documents
        .iter()
        .all(|document| document.text.trim().is_empty())
    {
        return Err(if request.documents.len() > 1 {
            Error::NoDocuments
        } else {
            Error::EmptyNotes
        });
    }
    let document_type = request.document_type;
    let mut inputs: Vec<InputDocument> = request.documents.clone();
    let notes_count = inputs.len();
    if let Some(medications) = &request.medications {
        inputs.push(medications.admission.clone());
        inputs.push(medications.discharge.clone());
    }

    // 1. Pseudonymize everything, in one scope; any failure fails the draft.
    let mut scope = Scope::new("draft", 3600)?;
    let documents = pseudonymize_documents(&inputs, &mut scope, &config.pseudonymization)?;
    let pseudonymize_ms = elapsed_ms(started);
    let identifiers_replaced = documents
        .iter()
        .map(|document| {
            document
                .pseudonymized
                .replacement_ranges()
                .iter()
                .flatten()
                .count()
        })
        .sum();

    let headings: Vec<String> = document_type
        .sections
        .iter()
        .flat_map(|section| section.headings.iter().cloned())
        .collect();
    let all_sentences = input_sentences(&documents, &headings);
    let note_sentences: Vec<InputSentence> = all_sentences
        .iter()
        .filter(|sentence| sentence.document < notes_count)
        .cloned()
        .collect();
    let passages: Vec<&str> = all_sentences
        .iter()
        .map(|sentence| sentence.text.as_str())
        .collect();
    let no_drug_names = DrugNames::default();
    let context = VerificationContext {
        passages: &passages,
        language: Language::French,
        drug_names: resources.drug_names.unwrap_or(&no_drug_names),
        min_citation_support: config.min_support,
    };
    let span_of = |sentence: &InputSentence| {
        documents[sentence.document].span(sentence.document, &sentence.range)
    };
    let extractive_sentence = |sentence: &InputSentence| {
        let span = span_of(sentence);
        DraftSentence {
            label: None,
            text: documents[sentence.document].original[span.start..span.end].to_string(),
            spans: vec![span],
            origin: Origin::Notes,
            verification: verify_sentence(&sentence.text, &[sentence.number], &context),
        }
    };

    // 2. Sentences per section.
    let assigned = assign_sentences(document_type, &note_sentences);
    let mut sections = Vec::with_capacity(document_type.sections.len());
    let mut flagged = Vec::new();
    let mut model_ms = 0.0;
    let mut model_used = false;
    for (spec, indexes) in document_type.sections.iter().zip(&assigned) {
        let chosen: Vec<&InputSentence> = indexes
            .iter()
            .map(|&index| &note_sentences[index])
            .collect();
        let mut section = DraftSection {
            id: spec.id.clone(),
            title_fr: spec.title_fr.clone(),
            title_en: spec.title_en.clone(),
            mandatory: spec.mandatory,
            sentences: Vec::new(),
            missing: None,
            fallback_reason: None,
        };
        let mut written_by_model = false;
        if config.mode == DraftMode::Generative && !chosen.is_empty() {
            match resources.generator {
                None => {
                    section.fallback_reason = Some("no language model is configured".into());
                }
                Some(generator) => {
                    let model_started = Instant::now();
                    let excerpts: Vec<(usize, esculape_pseudo::Pseudonymized<String>)> = chosen
                        .iter()
                        .map(|sentence| {
                            (
                                sentence.number,
                                documents[sentence.document]
                                    .pseudonymized
                                    .excerpt(std::slice::from_ref(&sentence.range)),
                            )
                        })
                        .collect();
                    let outcome = rewrite_section(
                        generator,
                        document_type,
                        spec,
                        &excerpts,
                        config.max_tokens_per_section,
                        &context,
                        &all_sentences,
                    );
                    model_ms += elapsed_ms(model_started);
                    match outcome {
                        Ok(generated) => {
                            for sentence in generated {
                                let spans = sentence
                                    .citations
                                    .iter()
                                    .filter_map(|number| all_sentences.get(number - 1))
                                    .map(span_of)
                                    .collect();
                                let draft_sentence = DraftSentence {
                                    label: None,
                                    text: esculape_pseudo::reidentify(&sentence.text, &scope),
                                    spans,
                                    origin: Origin::Model,
                                    verification: sentence.verification,
                                };
                                if draft_sentence.verification.verified {
                                    section.sentences.push(draft_sentence);
                                } else {
                                    flagged.push(FlaggedSentence {
                                        section: spec.id.clone(),
                                        sentence: draft_sentence,
                                    });
                                }
                            }
                            if section.sentences.is_empty() {
                                section.fallback_reason =
                                    Some("the model gave no verified sentence".into());
                            } else {
                                written_by_model = true;
                                model_used = true;
                            }
                        }
                        Err(error) => {
                            tracing::warn!(%error, section = %spec.id, "generation failed; drafting extractively");
                            section.fallback_reason = Some(format!("the model failed: {error}"));
                        }
                    }
                }
            }
        }
        if !written_by_model {
            for sentence in &chosen {
                let draft_sentence = extractive_sentence(sentence);
                if draft_sentence.verification.verified {
                    section.sentences.push(draft_sentence);
                } else {
                    flagged.push(FlaggedSentence {
                        section: spec.id.clone(),
                        sentence: draft_sentence,
                    });
                }
            }
        }
        sections.push(section);
    }

    // 3. Treatments: reconciled lists, reasons from the notes, interactions.
    let mut treatments = Vec::new();
    let mut interactions = None;
    if request.medications.is_some() {
        let admission_index = notes_count;
        let discharge_index = notes_count + 1;
        let admission = medication_lines(documents[admission_index].text());
        let discharge = medication_lines(documents[discharge_index].text());
        let line_sentence = |document: usize, line: &crate::treatments::MedicationLine| {
            all_sentences
                .iter()
                .find(|sentence| {
                    sentence.document == document
                        && sentence.range.start < line.range.end
                        && line.range.start < sentence.range.end
                })
                .map(|sentence| sentence.number)
        };
        let position = document_type
            .sections
            .iter()
            .position(|section| section.kind == SectionKind::Treatments);
        let mut treatment_sentences = Vec::new();
        for change in reconcile(&admission, &discharge) {
            let mut cited = Vec::new();
            let mut spans = Vec::new();
            let mut parts = Vec::new();
            for (document, line) in [
                (admission_index, &change.admission),
                (discharge_index, &change.discharge),
            ] {
                if let Some(line) = line {
                    spans.push(documents[document].span(document, &line.range));
                    if let Some(number) = line_sentence(document, line) {
                        cited.push(number);
                    }
                    parts.push(line.text.as_str());
                }
            }
            let pseudonymized_text = if change.kind == ChangeKind::DoseChanged {
                parts.join(" → ")
            } else {
                parts.last().copied().unwrap_or_default().to_string()
            };
            let name_key = change
                .discharge
                .as_ref()
                .or(change.admission.as_ref())
                .map(|line| line.name_key.clone())
                .unwrap_or_default();
            let reason = (change.kind != ChangeKind::Continued)
                .then(|| {
                    note_sentences.iter().find(|sentence| {
                        let folded = esculape_text::fold(&sentence.text);
                        let first = name_key.split(' ').next().unwrap_or_default();
                        first.chars().count() >= 4 && folded.contains(first)
                    })
                })
                .flatten()
                .map(extractive_sentence);
            let restore = |text: &str| esculape_pseudo::reidentify(text, &scope);
            let verification_text = parts.join("\n");
            let sentence = DraftSentence {
                label: Some(change.kind.label_fr().to_string()),
                text: restore(&pseudonymized_text),
                spans,
                origin: Origin::Treatments,
                verification: verify_sentence(&verification_text, &cited, &context),
            };
            treatments.push(TreatmentChange {
                kind: change.kind,
                admission: change.admission.as_ref().map(|line| restore(&line.text)),
                discharge: change.discharge.as_ref().map(|line| restore(&line.text)),
                reason,
            });
            treatment_sentences.push(sentence);
        }
        if let Some(position) = position {
            let section = &mut sections[position];
            let mut kept: Vec<DraftSentence> = Vec::new();
            for sentence in treatment_sentences {
                if sentence.verification.verified {
                    kept.push(sentence);
                } else {
                    flagged.push(FlaggedSentence {
                        section: section.id.clone(),
                        sentence,
                    });
                }
            }
            kept.append(&mut section.sentences);
            section.sentences = kept;
        }
        if let Some(thesaurus) = resources.thesaurus {
            let lines: Vec<PrescriptionLine> = discharge
                .iter()
                .map(|line| {
                    let text = esculape_pseudo::reidentify(&line.text, &scope);
                    PrescriptionLine {
                        substances: match resources.substances_of {
                            Some(resolve) => resolve(&text),
                            None => default_substances(&text),
                        },
                        dose: Dose::parse(&text),
                        label: text,
                    }
                })
                .collect();
            interactions = Some(thesaurus.check(&lines));
        }
    }

    // 4. Missing mandatory items.
    for section in &mut sections {
        if section.mandatory && section.sentences.is_empty() {
            section.missing = Some(MISSING_FR.to_string());
        }
    }

    let contradictions = if notes_count > 1 {
        find_contradictions(&documents, &note_sentences)
    } else {
        Vec::new()
    };
    let sources: Vec<SourceDocument> = inputs
        .iter()
        .map(|document| SourceDocument {
            name: document.name.clone(),
            chars: document.text.chars().count(),
        })
        .collect();
    let mut steps = vec![AiStep::pseudonymization(identifiers_replaced)];
    steps.push(AiStep::extractive_selection());
    if let Some(generator) = resources.generator.filter(|_| model_used) {
        steps.push(AiStep::model_rewrite(generator.id()));
    }
    steps.push(AiStep::verification());
    if request.medications.is_some() {
        steps.push(AiStep::reconciliation());
    }
    if let Some(report) = &interactions {
        steps.push(AiStep::interactions(&report.thesaurus_version));
    }
    let ai_use = AiUseRecord::new(
        steps,
        model_used
            .then(|| {
                resources
                    .generator
                    .map(|generator| generator.id().to_string())
            })
            .flatten(),
        DraftSettings {
            requested_mode: config.mode,
            used_mode: if model_used {
                DraftMode::Generative
            } else {
                DraftMode::Extractive
            },
            max_tokens_per_section: config.max_tokens_per_section,
            temperature: 0.0,
            min_support: config.min_support,
        },
        sources.iter().map(|source| source.name.clone()).collect(),
        &document_type.reference,
    );
    let total_ms = elapsed_ms(started);
    tracing::info!(
        document_type = %document_type.id,
        sections = sections.len(),
        flagged = flagged.len(),
        identifiers_replaced,
        total_ms,
        "drafted"
    );
    Ok(Draft {
        document_type: document_type.id.clone(),
        title_fr: document_type.name_fr.clone(),
        title_en: document_type.name_en.clone(),
        reference: document_type.reference.clone(),
        sections,
        flagged,
        treatments,
        interactions,
        contradictions,
        sources,
        identifiers_replaced,
        ai_use,
        timings: DraftTimings {
            pseudonymize_ms,
            model_ms,
            total_ms,
        },
    })
}

fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}
