//! Ordonnance: the ANSM thesaurus and the BDPM loaded from their installed packs (for the
//! server and the CLI alike), prescription checks and drug cards, audited.

use crate::app::{App, Outcome as AuditOutcome};
use crate::identity::{Identity, Permission};
use crate::{Error, Result};
use esculape_answer::{InteractionAlert, InteractionCheck, InteractionChecker};
use esculape_drugs::{
    Bdpm, BdpmTables, CheckReport, Dose, Outcome, PrescriptionLine, Resolution, Specialty,
    TermKind, Thesaurus,
};
use esculape_kb::KnowledgeBase;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Most lines in one prescription.
pub const MAX_PRESCRIPTION_LINES: usize = 30;
/// Longest prescription line or drug query, in characters.
pub const MAX_LINE_CHARS: usize = 200;

/// The interaction thesaurus, and the BDPM when its pack is installed (without it, lines
/// must name substances the thesaurus knows).
#[derive(Debug)]
pub struct Medication {
    pub thesaurus: Thesaurus,
    pub bdpm: Option<Bdpm>,
}

impl Medication {
    /// Loads the thesaurus of the installed `ansm-interactions` pack and, when installed,
    /// the BDPM of the `bdpm` pack.
    pub fn load(kb: &KnowledgeBase) -> Result<Medication> {
        let thesaurus = load_thesaurus(kb)?;
        let bdpm = if kb.catalog().packs.contains_key("bdpm") {
            Some(load_bdpm(kb)?)
        } else {
            None
        };
        Ok(Medication { thesaurus, bdpm })
    }

    /// The drug names an answer's verifier checks: see [`drug_names`].
    pub fn drug_names(&self) -> Vec<String> {
        drug_names(&self.thesaurus, self.bdpm.as_ref())
    }
}

/// The drug names an answer's verifier checks (a drug a sentence names must be in the
/// passage it cites): the substances of the thesaurus and of the BDPM compositions, and
/// each specialty's brand word — the first word of its name, unless it is a word of a
/// substance name ("DOLIPRANE" counts, the "ACIDE" of "ACIDE ACÉTYLSALICYLIQUE BIOGARAN"
/// does not). `esculape_answer::DrugNames` keeps the one-word names.
pub fn drug_names(thesaurus: &Thesaurus, bdpm: Option<&Bdpm>) -> Vec<String> {
    let mut names: Vec<String> = thesaurus
        .terms()
        .iter()
        .filter(|term| term.kind != TermKind::Class)
        .map(|term| term.name.clone())
        .collect();
    if let Some(bdpm) = bdpm {
        let mut substance_words = std::collections::HashSet::new();
        for specialty in bdpm.specialties() {
            for substance in specialty.active_substances() {
                substance_words.extend(esculape_text::words(substance).map(|word| word.folded));
                names.push(substance.to_string());
            }
        }
        for specialty in bdpm.specialties() {
            if let Some(brand) = esculape_text::words(&specialty.denomination).next()
                && !substance_words.contains(&brand.folded)
                && brand.folded.chars().all(char::is_alphabetic)
            {
                names.push(brand.folded);
            }
        }
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// The thesaurus of the installed `ansm-interactions` pack.
pub fn load_thesaurus(kb: &KnowledgeBase) -> Result<Thesaurus> {
    let folder = pack_folder(kb, "ansm-interactions")?;
    let read = |name: &str| {
        std::fs::read_to_string(folder.join(name)).map_err(|error| {
            Error::Invalid(format!(
                "cannot read `{}` ({error}): run `esculape setup` (or `esculape sources update ansm-interactions`)",
                folder.join(name).display()
            ))
        })
    };
    Thesaurus::from_json(
        &read("thesaurus.json")?,
        &read("index-des-substances.json")?,
        &pack_version(kb, "ansm-interactions"),
    )
    .map_err(|error| Error::Invalid(format!("the installed ANSM thesaurus: {error}")))
}

/// The BDPM of the installed `bdpm` pack.
pub fn load_bdpm(kb: &KnowledgeBase) -> Result<Bdpm> {
    let folder = pack_folder(kb, "bdpm")?;
    Bdpm::from_tables(read_bdpm_tables(&folder)?, &pack_version(kb, "bdpm"))
        .map_err(|error| Error::Invalid(format!("the installed BDPM: {error}")))
}

/// The eight BDPM tables of a folder (Windows-1252 or UTF-8); only the specialties and
/// compositions are required.
pub fn read_bdpm_tables(folder: &Path) -> Result<BdpmTables> {
    let read = |name: &str, required: bool| -> Result<Vec<Vec<String>>> {
        let path = folder.join(name);
        if !path.exists() && !required {
            return Ok(Vec::new());
        }
        let (rows, _) = esculape_kb::read_bdpm_table(&path)
            .map_err(|error| Error::Invalid(format!("BDPM table `{name}`: {error}")))?;
        Ok(rows)
    };
    Ok(BdpmTables {
        specialties: read("CIS_bdpm.txt", true)?,
        compositions: read("CIS_COMPO_bdpm.txt", true)?,
        presentations: read("CIS_CIP_bdpm.txt", false)?,
        smr: read("CIS_HAS_SMR_bdpm.txt", false)?,
        asmr: read("CIS_HAS_ASMR_bdpm.txt", false)?,
        has_links: read("HAS_LiensPageCT_bdpm.txt", false)?,
        generics: read("CIS_GENER_bdpm.txt", false)?,
        prescription_conditions: read("CIS_CPD_bdpm.txt", false)?,
    })
}

fn pack_folder(kb: &KnowledgeBase, pack: &str) -> Result<PathBuf> {
    kb.pack_folder(pack).map_err(|_| {
        Error::NotFound(format!(
            "source pack `{pack}` is not installed: run `esculape setup` (or `esculape sources add {pack}`; add --mirror DIR without Internet access)"
        ))
    })
}

fn pack_version(kb: &KnowledgeBase, pack: &str) -> String {
    kb.catalog()
        .packs
        .get(pack)
        .map(|installed| installed.version.clone())
        .unwrap_or_default()
}

/// One prescription line as understood.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedLine {
    pub text: String,
    /// How the BDPM read it (absent without the BDPM).
    pub resolution: Option<Resolution>,
    /// The substances checked for this line (empty when it was not understood).
    pub substances: Vec<String>,
    pub dose: Option<Dose>,
    /// Why the line could not be checked, with what to do.
    pub problem: Option<String>,
}

/// A prescription check: each line understood (or why not), and the thesaurus's alerts.
#[derive(Debug, Clone, Serialize)]
pub struct PrescriptionCheck {
    pub bdpm_version: Option<String>,
    pub lines: Vec<CheckedLine>,
    pub report: CheckReport,
}

impl App {
    /// Checks every pair of a prescription's lines against the ANSM thesaurus. A line
    /// that cannot be understood is reported with its candidates or suggestions, and the
    /// other lines are still checked. Audited with counts and versions (no drug text).
    pub fn check_prescription(
        &self,
        identity: &Identity,
        lines: &[String],
    ) -> Result<PrescriptionCheck> {
        self.require(
            identity,
            Permission::CheckPrescription,
            "interactions.check",
            "",
        )?;
        let medication = self.medication()?;
        let lines: Vec<&str> = lines
            .iter()
            .map(|line| line.trim())
            .filter(|line| !line.is_empty())
            .collect();
        if lines.len() < 2 {
            return Err(Error::Invalid(
                "give at least two prescription lines (one drug per line)".into(),
            ));
        }
        if lines.len() > MAX_PRESCRIPTION_LINES {
            return Err(Error::Invalid(format!(
                "a prescription has at most {MAX_PRESCRIPTION_LINES} lines here: split it"
            )));
        }
        if lines
            .iter()
            .any(|line| line.chars().count() > MAX_LINE_CHARS)
        {
            return Err(Error::Invalid(format!(
                "a line is longer than {MAX_LINE_CHARS} characters: one drug per line"
            )));
        }
        let checked: Vec<CheckedLine> = lines
            .iter()
            .map(|text| understand_line(medication, text))
            .collect();
        let prescription: Vec<PrescriptionLine> = checked
            .iter()
            .map(|line| PrescriptionLine {
                label: line.text.clone(),
                substances: line.substances.clone(),
                dose: line.dose,
            })
            .collect();
        let report = medication.thesaurus.check(&prescription);
        self.audit(
            identity.login(),
            "interactions.check",
            "",
            AuditOutcome::Success,
            serde_json::json!({
                "lines": checked.len(),
                "not_understood": checked.iter().filter(|line| line.problem.is_some()).count(),
                "alerts": report.alerts.len(),
                "highest_level": report.alerts.iter().map(|alert| alert.level).max(),
                "thesaurus_version": report.thesaurus_version,
                "bdpm_version": medication.bdpm.as_ref().map(|bdpm| bdpm.version().to_string()),
            }),
        )?;
        Ok(PrescriptionCheck {
            bdpm_version: medication
                .bdpm
                .as_ref()
                .map(|bdpm| bdpm.version().to_string()),
            lines: checked,
            report,
        })
    }

    /// The BDPM cards a drug text resolves to (brand, INN, CIS or CIP13), with the
    /// resolution (corrections, candidates, suggestions).
    pub fn drug(&self, identity: &Identity, query: &str) -> Result<DrugLookup> {
        self.require(identity, Permission::CheckPrescription, "drug", "")?;
        let medication = self.medication()?;
        let query = query.trim();
        if query.is_empty() || query.chars().count() > MAX_LINE_CHARS {
            return Err(Error::Invalid(format!(
                "give a drug name, CIS or CIP13 code of 1 to {MAX_LINE_CHARS} characters"
            )));
        }
        let bdpm = medication.bdpm.as_ref().ok_or_else(|| {
            Error::NotFound(
                "the BDPM is not installed: an administrator adds it with `esculape sources add bdpm`"
                    .into(),
            )
        })?;
        let resolution = bdpm.resolve(query, Some(&medication.thesaurus));
        let specialties: Vec<Specialty> = match &resolution.outcome {
            Outcome::Specialties { cis, .. } => cis
                .iter()
                .filter_map(|cis| bdpm.by_cis(cis))
                .cloned()
                .collect(),
            Outcome::Ambiguous { candidates } => candidates
                .iter()
                .filter_map(|candidate| bdpm.by_cis(&candidate.cis))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        Ok(DrugLookup {
            bdpm_version: bdpm.version().to_string(),
            resolution,
            specialties,
        })
    }

    fn medication(&self) -> Result<&Medication> {
        self.engines.medication.as_deref().ok_or_else(|| {
            Error::NotFound(
                "prescription checks are not enabled: an administrator installs the `ansm-interactions` pack"
                    .into(),
            )
        })
    }
}

/// The drugs a question names, checked for answers ("Demander"): the same thesaurus
/// and resolution as prescriptions.
impl Medication {
    /// The substances `name` stands for: a thesaurus term itself, or what the BDPM
    /// resolves it to (every candidate's substances when it is ambiguous: more alerts,
    /// never fewer).
    pub fn substances_named(&self, name: &str) -> Vec<String> {
        if self.thesaurus.find(name).is_some() {
            return vec![name.to_string()];
        }
        let Some(bdpm) = &self.bdpm else {
            return Vec::new();
        };
        match bdpm.resolve(name, Some(&self.thesaurus)).outcome {
            Outcome::Specialties { cis, .. } => cis
                .first()
                .map(|cis| bdpm.interaction_substances(cis, &self.thesaurus))
                .unwrap_or_default(),
            Outcome::Substance { name, .. } => vec![name],
            Outcome::Ambiguous { candidates } => {
                let mut all: Vec<String> = candidates
                    .iter()
                    .flat_map(|candidate| {
                        bdpm.interaction_substances(&candidate.cis, &self.thesaurus)
                    })
                    .collect();
                all.sort();
                all.dedup();
                all
            }
            Outcome::NotFound { .. } => Vec::new(),
        }
    }
}

impl InteractionChecker for Medication {
    fn check(&self, drugs: &[String]) -> std::result::Result<InteractionCheck, String> {
        let mut lines = Vec::new();
        let mut unknown = Vec::new();
        for drug in drugs {
            let substances = self.substances_named(drug);
            if substances.is_empty() {
                unknown.push(drug.clone());
            } else {
                lines.push(PrescriptionLine {
                    label: drug.clone(),
                    substances,
                    dose: None,
                });
            }
        }
        let report = self.thesaurus.check(&lines);
        let alerts = report
            .alerts
            .iter()
            .map(|alert| InteractionAlert {
                level: alert.level.label_fr().to_string(),
                severity: alert.level as u8,
                drugs: alert.labels.clone(),
                substances: alert.substances.clone(),
                summary: alert
                    .reasons
                    .iter()
                    .map(|reason| {
                        let mut text = reason.mechanism.clone();
                        if let Some(level) = reason
                            .levels
                            .iter()
                            .find(|assessment| assessment.level == alert.level)
                            && !level.info.trim().is_empty()
                        {
                            text = format!("{text} — {}", level.info.trim());
                        }
                        text
                    })
                    .collect::<Vec<_>>()
                    .join(" ; "),
                source: format!(
                    "ANSM, Thésaurus des interactions médicamenteuses, version {}",
                    alert.thesaurus_version
                ),
            })
            .collect();
        Ok(InteractionCheck { alerts, unknown })
    }
}

/// What a drug text resolves to in the BDPM.
#[derive(Debug, Clone, Serialize)]
pub struct DrugLookup {
    pub bdpm_version: String,
    pub resolution: Resolution,
    pub specialties: Vec<Specialty>,
}

fn understand_line(medication: &Medication, text: &str) -> CheckedLine {
    let dose = Dose::parse(text);
    let thesaurus = &medication.thesaurus;
    let Some(bdpm) = &medication.bdpm else {
        // Without the BDPM: the words before the first number name a substance.
        let name: Vec<&str> = text
            .split_whitespace()
            .take_while(|word| !word.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        let name = name.join(" ");
        let (substances, problem) = match thesaurus.find(&name) {
            Some(id) => (vec![thesaurus.term(id).name.clone()], None),
            None => (
                Vec::new(),
                Some(format!(
                    "« {name} » is not a substance of the ANSM thesaurus {}; without the BDPM, give the INN",
                    thesaurus.version()
                )),
            ),
        };
        return CheckedLine {
            text: text.to_string(),
            resolution: None,
            substances,
            dose,
            problem,
        };
    };
    let resolution = bdpm.resolve(text, Some(thesaurus));
    let (substances, problem) = match &resolution.outcome {
        Outcome::Specialties { cis, .. } => (bdpm.interaction_substances(&cis[0], thesaurus), None),
        Outcome::Substance { name, .. } => (vec![name.clone()], None),
        Outcome::Ambiguous { candidates } => (
            Vec::new(),
            Some(format!(
                "« {text} » names {} specialties with different substances: give the strength, the form or the CIS",
                candidates.len()
            )),
        ),
        Outcome::NotFound { suggestions } => (
            Vec::new(),
            Some(if suggestions.is_empty() {
                format!(
                    "« {text} » is neither a specialty nor a substance of the BDPM {}",
                    bdpm.version()
                )
            } else {
                format!(
                    "« {text} » is neither a specialty nor a substance of the BDPM {}; close: {}",
                    bdpm.version(),
                    suggestions.join(" ; ")
                )
            }),
        ),
    };
    CheckedLine {
        text: text.to_string(),
        resolution: Some(resolution),
        substances,
        dose,
        problem,
    }
}
