//! The AI-use record of a draft (which steps produced it, with which model, settings and
//! sources) and the patient information notice, in French and English.

use crate::draft::DraftMode;
use serde::{Deserialize, Serialize};

/// One automated step that contributed to a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AiStep {
    pub step: String,
    /// The component and its version ("esculape-pseudo 0.1.0", a model id).
    pub tool: String,
    pub detail: String,
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

impl AiStep {
    pub(crate) fn pseudonymization(identifiers: usize) -> AiStep {
        AiStep {
            step: "pseudonymization".into(),
            tool: format!("esculape-pseudo {VERSION}"),
            detail: format!("{identifiers} identifier(s) replaced before any processing"),
        }
    }

    pub(crate) fn extractive_selection() -> AiStep {
        AiStep {
            step: "extractive_selection".into(),
            tool: format!("esculape-drafting {VERSION}"),
            detail: "note sentences placed in sections by headings and cue words".into(),
        }
    }

    pub(crate) fn model_rewrite(model: &str) -> AiStep {
        AiStep {
            step: "model_rewrite".into(),
            tool: model.to_string(),
            detail: "sections rewritten from pseudonymized sentences".into(),
        }
    }

    pub(crate) fn verification() -> AiStep {
        AiStep {
            step: "verification".into(),
            tool: format!("esculape-answer {VERSION}"),
            detail: "every sentence linked to input spans; numbers, drug names and support checked"
                .into(),
        }
    }

    pub(crate) fn reconciliation() -> AiStep {
        AiStep {
            step: "treatment_reconciliation".into(),
            tool: format!("esculape-drafting {VERSION}"),
            detail: "admission and discharge lists compared".into(),
        }
    }

    pub(crate) fn interactions(thesaurus_version: &str) -> AiStep {
        AiStep {
            step: "interaction_check".into(),
            tool: format!("esculape-drugs {VERSION}"),
            detail: format!("ANSM thesaurus {thesaurus_version}"),
        }
    }
}

/// The settings a draft was made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftSettings {
    pub requested_mode: DraftMode,
    pub used_mode: DraftMode,
    pub max_tokens_per_section: usize,
    pub temperature: f32,
    pub min_support: f32,
}

/// Which AI steps produced a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AiUseRecord {
    pub steps: Vec<AiStep>,
    /// The language model that wrote, when one did (id names model and backend).
    pub model: Option<String>,
    pub settings: DraftSettings,
    /// The input documents' names.
    pub sources: Vec<String>,
    /// Where the document type's content criteria come from.
    pub criteria_reference: String,
    pub created_at_unix_s: u64,
}

impl AiUseRecord {
    pub(crate) fn new(
        steps: Vec<AiStep>,
        model: Option<String>,
        settings: DraftSettings,
        sources: Vec<String>,
        criteria_reference: &str,
    ) -> AiUseRecord {
        AiUseRecord {
            steps,
            model,
            settings,
            sources,
            criteria_reference: criteria_reference.to_string(),
            created_at_unix_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|duration| duration.as_secs())
                .unwrap_or(0),
        }
    }
}

/// Who validated a document, and when (RFC 3339 or a readable date).
#[derive(Debug, Clone, Copy)]
pub struct Validation<'a> {
    pub by: &'a str,
    pub at: &'a str,
}

/// The patient information notice: French, then English.
pub fn patient_notice(
    record: &AiUseRecord,
    validation: Option<Validation<'_>>,
) -> (String, String) {
    let (how_fr, how_en) = match &record.model {
        Some(model) => (
            format!(
                "un modèle de langage ({model}) exécuté sur les serveurs de l'établissement a reformulé des phrases de ses notes"
            ),
            format!(
                "a language model ({model}) running on the care provider's own servers rephrased sentences of their notes"
            ),
        ),
        None => (
            "l'outil a sélectionné et ordonné des phrases de ses notes, sans modèle de langage"
                .to_string(),
            "the tool selected and ordered sentences of their notes, without a language model"
                .to_string(),
        ),
    };
    let (validated_fr, validated_en) = match validation {
        Some(validation) => (
            format!(
                "Il a été relu et validé par {} le {}.",
                validation.by, validation.at
            ),
            format!(
                "It was reviewed and validated by {} on {}.",
                validation.by, validation.at
            ),
        ),
        None => (
            "Il doit être relu et validé par un professionnel de santé avant tout usage."
                .to_string(),
            "It must be reviewed and validated by a health professional before any use."
                .to_string(),
        ),
    };
    let french = format!(
        "Information du patient : ce document a été rédigé par votre professionnel de santé avec l'aide d'un outil d'intelligence artificielle (Esculape) : {how_fr}. Vos données n'ont pas quitté l'établissement et vos identifiants ont été remplacés avant tout traitement automatique. {validated_fr}"
    );
    let english = format!(
        "Patient information: this document was written by your health professional with the help of an artificial intelligence tool (Esculape): {how_en}. Your data did not leave the care provider and your identifiers were replaced before any automated processing. {validated_en}"
    );
    (french, english)
}
