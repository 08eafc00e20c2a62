//! Treatment reconciliation: the admission and discharge lists compared line by line
//! (added, stopped, dose changed, continued), each change with the note sentence that
//! gives its reason when there is one; interaction alerts on the discharge list through
//! the ANSM thesaurus engine of `esculape-drugs`.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How a treatment changed between admission and discharge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Stopped,
    DoseChanged,
    Continued,
}

impl ChangeKind {
    /// The French label written before the line.
    pub fn label_fr(self) -> &'static str {
        match self {
            ChangeKind::Added => "Introduit",
            ChangeKind::Stopped => "Arrêté",
            ChangeKind::DoseChanged => "Posologie modifiée",
            ChangeKind::Continued => "Poursuivi",
        }
    }
}

/// One line of a treatment list: the drug's name (the words before the first number) and
/// the rest (strength, dose, rhythm) as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MedicationLine {
    /// Byte range of the whole line in its (pseudonymized) list.
    pub range: Range<usize>,
    pub text: String,
    /// Folded name, the key of the comparison ("amlodipine").
    pub name_key: String,
    /// The dose part, spaces collapsed and folded ("5 mg 1/j").
    pub dose_key: String,
}

/// One reconciled treatment; lines are indexes into the input sentences.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub kind: ChangeKind,
    pub admission: Option<MedicationLine>,
    pub discharge: Option<MedicationLine>,
}

/// The lines of a treatment list (one per line; bullets and blank lines ignored).
pub(crate) fn medication_lines(text: &str) -> Vec<MedicationLine> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let trimmed = raw.trim().trim_start_matches(['-', '*', '•']).trim();
        if trimmed.is_empty() || !trimmed.chars().any(char::is_alphabetic) {
            continue;
        }
        let leading = raw.find(trimmed).unwrap_or(0);
        let range = start + leading..start + leading + trimmed.len();
        let mut name_words = Vec::new();
        let mut dose_words = Vec::new();
        for word in trimmed.split_whitespace() {
            if dose_words.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()) {
                name_words.push(esculape_text::fold(word));
            } else {
                dose_words.push(esculape_text::fold(word));
            }
        }
        lines.push(MedicationLine {
            range,
            text: trimmed.to_string(),
            name_key: name_words.join(" "),
            dose_key: dose_words.join(" "),
        });
    }
    lines
}

/// Compares the lists by drug name: in both with the same dose (continued) or another
/// (dose changed), only at admission (stopped), only at discharge (added). Discharge order
/// first, then the stopped ones in admission order.
pub(crate) fn reconcile(admission: &[MedicationLine], discharge: &[MedicationLine]) -> Vec<Change> {
    let mut changes = Vec::new();
    for line in discharge {
        let before = admission
            .iter()
            .find(|candidate| same_drug(candidate, line));
        let kind = match before {
            None => ChangeKind::Added,
            Some(before) if before.dose_key == line.dose_key => ChangeKind::Continued,
            Some(_) => ChangeKind::DoseChanged,
        };
        changes.push(Change {
            kind,
            admission: before.cloned(),
            discharge: Some(line.clone()),
        });
    }
    for line in admission {
        if !discharge.iter().any(|candidate| same_drug(candidate, line)) {
            changes.push(Change {
                kind: ChangeKind::Stopped,
                admission: Some(line.clone()),
                discharge: None,
            });
        }
    }
    changes
}

/// Same drug: the same folded name, or the same first word (brand with or without form).
fn same_drug(left: &MedicationLine, right: &MedicationLine) -> bool {
    left.name_key == right.name_key
        || (left.name_key.split(' ').next() == right.name_key.split(' ').next()
            && !left.name_key.is_empty())
}

/// The name the interaction engine is given when no resolver is: the drug's words,
/// uppercased as the thesaurus writes substances.
pub(crate) fn default_substances(line_text: &str) -> Vec<String> {
    let name: Vec<&str> = line_text
        .split_whitespace()
        .take_while(|word| !word.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    if name.is_empty() {
        Vec::new()
    } else {
        vec![name.join(" ").to_uppercase()]
    }
}
