//! Scores and Pseudonymiser: clinical calculators and one-shot pseudonymization of a
//! text, each audited without the values or the text.

use crate::app::{App, Outcome as AuditOutcome};
use crate::identity::{Identity, Permission};
use crate::{Error, Result};
use esculape_pseudo::{Label, Mode, Scope};
use serde::Serialize;

/// Longest text pseudonymized in one request, in characters.
pub const MAX_PSEUDONYMIZE_CHARS: usize = 100_000;

/// One identifier found and what replaced it.
#[derive(Debug, Clone, Serialize)]
pub struct MaskedIdentifier {
    pub label: Label,
    /// Character offsets in the input text.
    pub start_char: usize,
    pub end_char: usize,
    /// The input's text there (shown only to the caller who sent it).
    pub original: String,
    /// What replaced it; `None` when it was left in place (below the confidence bound).
    pub replacement: Option<String>,
    pub confidence: f32,
}

/// A pseudonymized text and every identifier masked in it.
#[derive(Debug, Clone, Serialize)]
pub struct PseudonymizedText {
    pub text: String,
    pub findings: Vec<MaskedIdentifier>,
}

impl App {
    /// Computes calculator `id` from text inputs (`("age", Some("72"))`, `("diabetes",
    /// None)` for a yes/no finding present, `("creatinine", Some("115umol/L"))`).
    /// Impossible values are refused with the valid range. Audited with the calculator
    /// and the outcome's band, not the inputs.
    pub fn compute_score(
        &self,
        identity: &Identity,
        id: &str,
        inputs: &[(String, Option<String>)],
    ) -> Result<esculape_scores::Outcome> {
        self.require(identity, Permission::ComputeScore, "score.compute", id)?;
        self.scores_enabled()?;
        let calculator =
            esculape_scores::calculator(id).map_err(|error| Error::NotFound(error.to_string()))?;
        let borrowed: Vec<(&str, Option<&str>)> = inputs
            .iter()
            .map(|(input, value)| (input.as_str(), value.as_deref()))
            .collect();
        let outcome = calculator
            .evaluate_text(&borrowed)
            .map_err(Error::InvalidScoreInput)?;
        self.audit(
            identity.login(),
            "score.compute",
            calculator.id,
            AuditOutcome::Success,
            serde_json::json!({
                "band": outcome.band.as_ref().map(|band| band.range),
                "inputs": inputs.len(),
            }),
        )?;
        Ok(outcome)
    }

    /// The calculators offered.
    pub fn score_calculators(
        &self,
        identity: &Identity,
    ) -> Result<&'static [&'static esculape_scores::Calculator]> {
        self.require(identity, Permission::ComputeScore, "score.list", "")?;
        self.scores_enabled()?;
        Ok(esculape_scores::calculators())
    }

    /// Replaces the identifiers of `text` by surrogates (or typed placeholders) in a
    /// one-shot scope that is not kept. Fails closed: a detector error fails the request.
    /// Audited with the number of identifiers by label, never the text.
    pub fn pseudonymize_text(
        &self,
        identity: &Identity,
        text: &str,
        placeholders: bool,
    ) -> Result<PseudonymizedText> {
        self.require(identity, Permission::Pseudonymize, "pseudonymize", "")?;
        if !self.features.pseudonymize {
            return Err(Error::NotFound(
                "pseudonymization is not enabled on this server".into(),
            ));
        }
        if text.trim().is_empty() {
            return Err(Error::Invalid("the text is empty: paste a note".into()));
        }
        if text.chars().count() > MAX_PSEUDONYMIZE_CHARS {
            return Err(Error::Invalid(format!(
                "the text is longer than {MAX_PSEUDONYMIZE_CHARS} characters: split it"
            )));
        }
        let config = esculape_pseudo::Config {
            mode: if placeholders {
                Mode::Placeholders
            } else {
                self.engines.pseudonymization.mode
            },
            ..self.engines.pseudonymization.clone()
        };
        let failure = |error: esculape_pseudo::Error| {
            Error::Internal(format!("pseudonymization failed closed: {error}"))
        };
        let mut scope = Scope::new("web-one-shot", 3600).map_err(failure)?;
        let result = esculape_pseudo::pseudonymize(text, &mut scope, &config);
        let pseudonymized = match result {
            Ok(pseudonymized) => pseudonymized,
            Err(error) => {
                self.audit(
                    identity.login(),
                    "pseudonymize",
                    "",
                    AuditOutcome::Failure,
                    serde_json::json!({}),
                )?;
                return Err(failure(error));
            }
        };
        let value = pseudonymized.value();
        let findings: Vec<MaskedIdentifier> = pseudonymized
            .findings()
            .iter()
            .zip(pseudonymized.replacement_ranges())
            .map(|(finding, replacement)| MaskedIdentifier {
                label: finding.label,
                start_char: finding.start_char,
                end_char: finding.end_char,
                original: text
                    .get(finding.start..finding.end)
                    .unwrap_or_default()
                    .to_string(),
                replacement: replacement
                    .as_ref()
                    .and_then(|range| value.get(range.clone()))
                    .map(str::to_string),
                confidence: finding.confidence,
            })
            .collect();
        let mut by_label = std::collections::BTreeMap::<String, usize>::new();
        for finding in &findings {
            let label = serde_json::to_value(finding.label)
                .ok()
                .and_then(|value| value.as_str().map(str::to_string))
                .unwrap_or_default();
            *by_label.entry(label).or_default() += 1;
        }
        self.audit(
            identity.login(),
            "pseudonymize",
            "",
            AuditOutcome::Success,
            serde_json::json!({ "identifiers": by_label, "chars": text.chars().count() }),
        )?;
        Ok(PseudonymizedText {
            text: value.clone(),
            findings,
        })
    }

    fn scores_enabled(&self) -> Result<()> {
        if self.features.scores {
            Ok(())
        } else {
            Err(Error::NotFound(
                "clinical calculators are not enabled on this server".into(),
            ))
        }
    }
}
