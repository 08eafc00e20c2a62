//! Checking a prescription: every pair of lines, every pair of their substances, through
//! the substances' classes; one alert per pair of substances, at the most severe level
//! that applies, with every matching entry kept as a reason.

use crate::conditions::{Applies, Dose};
use crate::names::name_key;
use crate::thesaurus::{Level, TermId, Thesaurus};
use serde::Serialize;

/// One line of a prescription: what the prescriber wrote, its active substances (BDPM or
/// thesaurus names) and, when stated, its dose (applied when the line has one substance).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PrescriptionLine {
    pub label: String,
    pub substances: Vec<String>,
    pub dose: Option<Dose>,
}

/// The result of a check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub thesaurus_version: String,
    /// Most severe first.
    pub alerts: Vec<Alert>,
    /// Substances the thesaurus does not name, by itself or through a class: no interaction
    /// can be reported for them, and the clinician must know.
    pub unmatched: Vec<UnmatchedSubstance>,
}

/// A substance of the prescription absent from the thesaurus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedSubstance {
    pub line: usize,
    pub substance: String,
}

/// An interaction between two substances of two lines.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// The level that applies: the most severe of the reasons' levels.
    pub level: Level,
    /// `true` when a dose decided the level; `false` when the highest possible level is
    /// shown by default (no dose, or a condition code cannot judge).
    pub dose_selected: bool,
    pub lines: [usize; 2],
    pub labels: [String; 2],
    pub substances: [String; 2],
    pub reasons: Vec<Reason>,
    pub thesaurus_version: String,
}

/// One thesaurus entry behind an alert.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// "MAIN + PLUS" as the thesaurus names the entry.
    pub entry: String,
    /// The terms that matched, for the alert's first and second substance: the substance
    /// itself or one of its classes ("INHIBITEURS PUISSANTS DU CYP3A4").
    pub via: [String; 2],
    pub level: Level,
    pub levels: Vec<LevelAssessment>,
    pub mechanism: String,
    pub note: String,
}

/// One level of an entry and whether it applies to this prescription.
#[derive(Debug, Clone, Serialize)]
pub struct LevelAssessment {
    pub level: Level,
    pub applies: Applies,
    /// Condition and what to do, as the thesaurus words it.
    pub info: String,
}

struct ResolvedLine {
    /// (substance name as given, its term).
    substances: Vec<(String, TermId)>,
    dose: Option<Dose>,
}

impl Thesaurus {
    /// Checks every pair of lines of a prescription.
    pub fn check(&self, lines: &[PrescriptionLine]) -> CheckReport {
        let mut unmatched = Vec::new();
        let resolved: Vec<ResolvedLine> = lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let mut substances = Vec::with_capacity(line.substances.len());
                for substance in &line.substances {
                    let term = self
                        .find_key(&name_key(substance))
                        .or_else(|| self.find(substance));
                    match term {
                        Some(term) => substances.push((substance.clone(), term)),
                        None => unmatched.push(UnmatchedSubstance {
                            line: index,
                            substance: substance.clone(),
                        }),
                    }
                }
                let dose = if line.substances.len() == 1 {
                    line.dose
                } else {
                    None
                };
                ResolvedLine { substances, dose }
            })
            .collect();
        let mut alerts = Vec::new();
        let mut matched_entries: Vec<(u32, TermId, TermId)> = Vec::new();
        for first in 0..resolved.len() {
            for second in first + 1..resolved.len() {
                for (first_name, first_term) in &resolved[first].substances {
                    for (second_name, second_term) in &resolved[second].substances {
                        matched_entries.clear();
                        for &first_via in self.memberships(*first_term) {
                            for &second_via in self.memberships(*second_term) {
                                for &entry in self.entries_for(first_via, second_via) {
                                    if !matched_entries.iter().any(|(seen, _, _)| *seen == entry) {
                                        matched_entries.push((entry, first_via, second_via));
                                    }
                                }
                            }
                        }
                        if matched_entries.is_empty() {
                            continue;
                        }
                        alerts.push(self.alert(
                            [first, second],
                            [&lines[first].label, &lines[second].label],
                            [first_name, second_name],
                            [
                                resolved[first].dose.as_ref(),
                                resolved[second].dose.as_ref(),
                            ],
                            &matched_entries,
                        ));
                    }
                }
            }
        }
        alerts.sort_by(|a, b| b.level.cmp(&a.level).then(a.lines.cmp(&b.lines)));
        CheckReport {
            thesaurus_version: self.version().to_string(),
            alerts,
            unmatched,
        }
    }

    fn alert(
        &self,
        lines: [usize; 2],
        labels: [&String; 2],
        substances: [&String; 2],
        doses: [Option<&Dose>; 2],
        matched_entries: &[(u32, TermId, TermId)],
    ) -> Alert {
        let mut dose_selected = true;
        let mut reasons: Vec<Reason> = matched_entries
            .iter()
            .map(|&(entry_id, first_via, second_via)| {
                let entry = self.entry(entry_id);
                // Which of our two substances stands on the entry's main side.
                let (main_dose, plus_dose) = if entry.main == first_via {
                    (doses[0], doses[1])
                } else {
                    (doses[1], doses[0])
                };
                let levels: Vec<LevelAssessment> = entry
                    .levels
                    .iter()
                    .map(|rule| {
                        let applies = if entry.levels.len() == 1 {
                            Applies::Yes
                        } else {
                            rule.clauses
                                .iter()
                                .map(|clause| clause.applies(main_dose, plus_dose))
                                .max()
                                .unwrap_or(Applies::NotDoseDependent)
                        };
                        LevelAssessment {
                            level: rule.level,
                            applies,
                            info: rule.info.clone(),
                        }
                    })
                    .collect();
                // Levels are sorted most severe first: the first that may apply wins; a
                // level is lowered only when the doses given exclude the ones above it, or
                // satisfy them only under a further condition (shown, as `conditional`).
                let chosen = levels
                    .iter()
                    .find(|assessment| assessment.applies > Applies::Conditional)
                    .or_else(|| {
                        levels
                            .iter()
                            .find(|assessment| assessment.applies == Applies::Conditional)
                    })
                    .unwrap_or(&levels[0]);
                if levels.len() > 1 && chosen.applies != Applies::Yes {
                    dose_selected = false;
                }
                Reason {
                    entry: format!("{} + {}", entry.main_name, entry.plus_name),
                    via: [
                        self.term(first_via).name.clone(),
                        self.term(second_via).name.clone(),
                    ],
                    level: chosen.level,
                    levels,
                    mechanism: entry.mechanism.clone(),
                    note: entry.note.clone(),
                }
            })
            .collect();
        reasons.sort_by_key(|reason| std::cmp::Reverse(reason.level));
        let level = reasons[0].level;
        let dose_selected = dose_selected && reasons.iter().any(|reason| reason.levels.len() > 1);
        Alert {
            level,
            dose_selected,
            lines,
            labels: labels.map(String::clone),
            substances: substances.map(String::clone),
            reasons,
            thesaurus_version: self.version().to_string(),
        }
    }
}
