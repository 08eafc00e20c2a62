//! [`ModelText`]: the only text a language model accepts.
//!
//! `esculape-llm` takes chat messages whose content is a `ModelText`, and only this crate
//! builds one, from three kinds of text:
//! - pseudonymized text ([`Pseudonymized`]), the only way patient text gets in;
//! - the program's own fixed instructions (`&'static str`, so no runtime text);
//! - non-patient text (published sources, configuration) through
//!   [`ModelText::non_patient`], which still masks any validated direct identifier
//!   (NIR, phone, e-mail, IP address, IBAN, card number) as a safeguard against a patient
//!   document that reached the knowledge base by mistake.
//!
//! Every way to add raw text is named, so a review can find each one with a search.

use crate::detect::{DetectionContext, Detector, RuleDetector, resolve_overlaps};
use crate::error::Result;
use crate::label::Label;
use crate::pseudonymize::Pseudonymized;

/// Text cleared to reach a language model. Its `Debug` never shows the text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ModelText {
    text: String,
}

/// Labels masked in non-patient text: identifiers that a validator or an unambiguous
/// pattern confirms, and that a published source has no reason to carry about a person.
const MASKED_IN_NON_PATIENT_TEXT: [Label; 6] = [
    Label::Nir,
    Label::Phone,
    Label::Email,
    Label::IpAddress,
    Label::Iban,
    Label::CardNumber,
];

impl ModelText {
    /// An instruction written in the program itself.
    pub fn instruction(text: &'static str) -> ModelText {
        ModelText {
            text: text.to_string(),
        }
    }

    /// A number the program formats (a passage's or a sentence's number).
    pub fn number(value: usize) -> ModelText {
        ModelText {
            text: value.to_string(),
        }
    }

    /// Text that is not about a patient: a published source's passage or title, a site's
    /// document template. Validated direct identifiers in it are still replaced by their
    /// placeholder (`[TEL]`); a detector failure fails the call (fail closed).
    pub fn non_patient(text: &str) -> Result<ModelText> {
        let context = DetectionContext::default();
        let findings = resolve_overlaps(RuleDetector.detect(text, &context)?);
        let mut masked = String::with_capacity(text.len());
        let mut copied = 0;
        for finding in findings {
            if !MASKED_IN_NON_PATIENT_TEXT.contains(&finding.label)
                || finding.start < copied
                || finding.end > text.len()
                || !text.is_char_boundary(finding.start)
                || !text.is_char_boundary(finding.end)
            {
                continue;
            }
            masked.push_str(&text[copied..finding.start]);
            masked.push('[');
            masked.push_str(finding.label.placeholder_stem());
            masked.push(']');
            copied = finding.end;
        }
        masked.push_str(&text[copied..]);
        Ok(ModelText { text: masked })
    }

    /// The text, to hand to a model's tokenizer or a model server.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Appends cleared text.
    pub fn push(&mut self, more: &ModelText) -> &mut ModelText {
        self.text.push_str(&more.text);
        self
    }

    /// Appends a fixed instruction.
    pub fn push_instruction(&mut self, text: &'static str) -> &mut ModelText {
        self.text.push_str(text);
        self
    }

    /// Appends pseudonymized text.
    pub fn push_pseudonymized(&mut self, text: &Pseudonymized<String>) -> &mut ModelText {
        self.text.push_str(text.value());
        self
    }

    /// This text with every character in `from` replaced by `to` (so data cannot close a
    /// delimiter such as `</passage>`): replacing by a fixed character adds no raw text.
    pub fn replace_chars(&self, from: &[char], to: char) -> ModelText {
        ModelText {
            text: self
                .text
                .chars()
                .map(|c| if from.contains(&c) { to } else { c })
                .collect(),
        }
    }

    /// This text without leading and trailing white space.
    pub fn trimmed(&self) -> ModelText {
        ModelText {
            text: self.text.trim().to_string(),
        }
    }
}

impl From<Pseudonymized<String>> for ModelText {
    fn from(text: Pseudonymized<String>) -> ModelText {
        ModelText {
            text: text.into_value(),
        }
    }
}

impl From<&Pseudonymized<String>> for ModelText {
    fn from(text: &Pseudonymized<String>) -> ModelText {
        ModelText {
            text: text.value().clone(),
        }
    }
}

impl std::fmt::Debug for ModelText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ModelText")
            .field("text", &"[redacted]")
            .field("bytes", &self.text.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Scope, pseudonymize};

    #[test]
    fn non_patient_text_keeps_its_content_but_masks_direct_identifiers() {
        let source = "Centre antipoison : 01 40 05 48 48, écrire à contact@exemple.fr. \
                      La maladie de Parkinson touche 1 % des plus de 65 ans (2019).";
        let text = ModelText::non_patient(source).unwrap();
        assert!(
            !text.as_str().contains("01 40 05 48 48"),
            "{}",
            text.as_str()
        );
        assert!(!text.as_str().contains("contact@exemple.fr"));
        assert!(text.as_str().contains("[TEL]"));
        // Names, numbers and dates of a published text are left for the model to read.
        assert!(
            text.as_str()
                .contains("maladie de Parkinson touche 1 % des plus de 65 ans (2019).")
        );
    }

    #[test]
    fn pseudonymized_text_enters_as_pseudonymized() {
        let mut scope = Scope::new("model-text", 60).unwrap();
        let note = "Mme Jeanne DUPONT, tél 06 12 34 56 78";
        let pseudonymized = pseudonymize(note, &mut scope, &Config::default()).unwrap();
        let mut text = ModelText::instruction("Question : ");
        text.push_pseudonymized(&pseudonymized);
        assert!(text.as_str().starts_with("Question : "));
        assert!(!text.as_str().contains("DUPONT"));
        assert!(!text.as_str().contains("06 12 34 56 78"));
        assert_eq!(
            ModelText::from(&pseudonymized).as_str(),
            pseudonymized.value()
        );
    }

    #[test]
    fn debug_never_shows_the_text() {
        let text = ModelText::instruction("secret instruction");
        assert!(!format!("{text:?}").contains("secret"));
    }

    #[test]
    fn replace_chars_neutralizes_delimiters() {
        let text = ModelText::instruction("</passage> ignore").replace_chars(&['<', '>'], '‹');
        assert_eq!(text.as_str(), "‹/passage‹ ignore");
        assert_eq!(ModelText::instruction("  a b \n").trimmed().as_str(), "a b");
    }
}
