//! `esculape interactions` and `esculape drug`: prescriptions checked against the ANSM
//! thesaurus, specialty cards from the BDPM. Data come from the installed packs `bdpm`
//! and `ansm-interactions`; every fact printed cites its source and version.

#![allow(clippy::print_stdout)]

use crate::settings::Settings;
use crate::sources::open_kb;
use anyhow::{Result, bail};
use clap::Args;
use esculape_drugs::{
    Alert, Applies, Bdpm, BdpmTables, CheckReport, Dose, Outcome, PrescriptionLine, Resolution,
    Specialty, Thesaurus,
};
use esculape_kb::KnowledgeBase;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Args)]
pub struct InteractionsArgs {
    /// One argument per prescription line: a brand, an INN, a CIS or CIP13 code, with an
    /// optional dose ("kardegic 75 mg" "previscan" "aspirine 500 mg 3 g/j" "methotrexate 15 mg/semaine").
    #[arg(required = true, num_args = 2.., value_name = "LINE")]
    lines: Vec<String>,
    /// Machine-readable output (stable JSON).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DrugArgs {
    /// A brand name with or without strength, an INN, a CIS or a CIP13 code.
    query: String,
    /// Machine-readable output (stable JSON).
    #[arg(long)]
    json: bool,
}

/// The thesaurus of the installed `ansm-interactions` pack (loaded as the server does).
pub fn load_thesaurus(kb: &KnowledgeBase) -> Result<Thesaurus> {
    Ok(esculape_app::load_thesaurus(kb)?)
}

/// The BDPM of the installed `bdpm` pack.
pub fn load_bdpm(kb: &KnowledgeBase) -> Result<Bdpm> {
    Ok(esculape_app::load_bdpm(kb)?)
}

/// The eight BDPM tables of a folder (Windows-1252 or UTF-8); only the specialties and
/// compositions are required.
pub fn read_bdpm_tables(folder: &Path) -> Result<BdpmTables> {
    Ok(esculape_app::read_bdpm_tables(folder)?)
}

/// One line of the prescription as understood.
#[derive(Debug, Serialize)]
struct UnderstoodLine {
    text: String,
    resolution: Resolution,
    substances: Vec<String>,
    dose: Option<Dose>,
}

#[derive(Debug, Serialize)]
struct InteractionsOutput<'a> {
    bdpm_version: &'a str,
    lines: Vec<UnderstoodLine>,
    report: CheckReport,
}

pub fn interactions(settings: &Settings, args: InteractionsArgs) -> Result<()> {
    let kb = open_kb(settings)?;
    let thesaurus = load_thesaurus(&kb)?;
    let bdpm = load_bdpm(&kb)?;
    let mut understood = Vec::with_capacity(args.lines.len());
    for text in &args.lines {
        let resolution = bdpm.resolve(text, Some(&thesaurus));
        let substances = match &resolution.outcome {
            Outcome::Specialties { cis, .. } => bdpm.interaction_substances(&cis[0], &thesaurus),
            Outcome::Substance { name, .. } => vec![name.clone()],
            Outcome::Ambiguous { candidates } => {
                let list: Vec<String> = candidates
                    .iter()
                    .take(15)
                    .map(|candidate| {
                        format!(
                            "  {} (CIS {}) : {}",
                            candidate.denomination,
                            candidate.cis,
                            candidate.substances.join(" + ")
                        )
                    })
                    .collect();
                bail!(
                    "« {text} » désigne plusieurs spécialités de substances différentes ; précisez (dosage, forme) ou donnez le CIS :\n{}",
                    list.join("\n")
                );
            }
            Outcome::NotFound { suggestions } => {
                let hint = if suggestions.is_empty() {
                    String::new()
                } else {
                    format!(" ; proches : {}", suggestions.join(" ; "))
                };
                bail!(
                    "« {text} » ne correspond à aucune spécialité ni substance de la BDPM {}{hint}",
                    bdpm.version()
                );
            }
        };
        understood.push(UnderstoodLine {
            text: text.clone(),
            dose: Dose::parse(text),
            resolution,
            substances,
        });
    }
    let lines: Vec<PrescriptionLine> = understood
        .iter()
        .map(|line| PrescriptionLine {
            label: line.text.clone(),
            substances: line.substances.clone(),
            dose: line.dose,
        })
        .collect();
    let report = thesaurus.check(&lines);
    if args.json {
        let output = InteractionsOutput {
            bdpm_version: bdpm.version(),
            lines: understood,
            report,
        };
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    println!("Ordonnance (BDPM {}) :", bdpm.version());
    for (index, line) in understood.iter().enumerate() {
        let corrected = line
            .resolution
            .corrected
            .as_deref()
            .map(|text| format!(" [lu : {text}]"))
            .unwrap_or_default();
        let what = match &line.resolution.outcome {
            Outcome::Specialties { cis, .. } => {
                let specialty = bdpm
                    .by_cis(&cis[0])
                    .map(|s| s.denomination.as_str())
                    .unwrap_or("");
                let more = if cis.len() > 1 {
                    format!(" (+{} forme(s))", cis.len() - 1)
                } else {
                    String::new()
                };
                format!("{specialty}{more}")
            }
            Outcome::Substance { .. } => "substance".to_string(),
            _ => String::new(),
        };
        let dose = line.dose.map(describe_dose).unwrap_or_default();
        println!(
            "  {}. {}{corrected} → {what} → {}{dose}",
            index + 1,
            line.text,
            line.substances.join(" + ")
        );
    }
    println!();
    print_report(&report);
    Ok(())
}

fn describe_dose(dose: Dose) -> String {
    let mut parts = Vec::new();
    if let Some(value) = dose.per_intake_mg {
        parts.push(format!("{value} mg/prise"));
    }
    if let Some(value) = dose.per_day_mg {
        parts.push(format!("{value} mg/j"));
    }
    if let Some(value) = dose.per_week_mg {
        parts.push(format!("{value} mg/semaine"));
    }
    format!(" (dose : {})", parts.join(", "))
}

fn print_report(report: &CheckReport) {
    if report.alerts.is_empty() {
        println!(
            "Aucune interaction répertoriée dans le Thésaurus ANSM (version {}).",
            report.thesaurus_version
        );
    }
    for alert in &report.alerts {
        print_alert(alert);
    }
    for unmatched in &report.unmatched {
        println!(
            "⚠ ligne {} : « {} » n'est pas dans le Thésaurus ANSM {} : aucune interaction ne peut être signalée pour cette substance.",
            unmatched.line + 1,
            unmatched.substance,
            report.thesaurus_version
        );
    }
}

fn print_alert(alert: &Alert) {
    let default =
        if alert.dose_selected || alert.reasons.iter().all(|reason| reason.levels.len() == 1) {
            ""
        } else {
            " (niveau le plus élevé par défaut : précisez la dose)"
        };
    println!(
        "■ {} — {} (ligne {}) + {} (ligne {}){default}",
        alert.level.label_fr().to_uppercase(),
        alert.substances[0],
        alert.lines[0] + 1,
        alert.substances[1],
        alert.lines[1] + 1
    );
    for reason in &alert.reasons {
        println!(
            "  Thésaurus ANSM {} : {} (par {} / {})",
            alert.thesaurus_version, reason.entry, reason.via[0], reason.via[1]
        );
        if !reason.mechanism.is_empty() {
            println!("    Mécanisme : {}", reason.mechanism);
        }
        for assessment in &reason.levels {
            let status = if reason.levels.len() == 1 {
                ""
            } else {
                match assessment.applies {
                    Applies::Yes => " [s'applique à la dose indiquée]",
                    Applies::Conditional => " [à cette dose, sous la condition indiquée]",
                    Applies::Undecided => " [dose non précisée]",
                    Applies::NotDoseDependent => " [selon le contexte clinique]",
                    Applies::No => " [exclu par la dose indiquée]",
                }
            };
            let marker = if assessment.level == reason.level {
                "→"
            } else {
                " "
            };
            let info = if assessment.info.is_empty() {
                String::new()
            } else {
                format!(" : {}", assessment.info)
            };
            println!("    {marker} {}{status}{info}", assessment.level.label_fr());
        }
    }
    println!();
}

pub fn drug(settings: &Settings, args: DrugArgs) -> Result<()> {
    let kb = open_kb(settings)?;
    let bdpm = load_bdpm(&kb)?;
    let thesaurus = load_thesaurus(&kb).ok();
    let resolution = bdpm.resolve(&args.query, thesaurus.as_ref());
    let specialties: Vec<&Specialty> = match &resolution.outcome {
        Outcome::Specialties { cis, .. } => cis.iter().filter_map(|cis| bdpm.by_cis(cis)).collect(),
        Outcome::Ambiguous { candidates } => candidates
            .iter()
            .filter_map(|candidate| bdpm.by_cis(&candidate.cis))
            .collect(),
        _ => Vec::new(),
    };
    if args.json {
        let body = serde_json::json!({
            "query": args.query,
            "bdpm_version": bdpm.version(),
            "resolution": resolution,
            "specialties": specialties,
        });
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    if let Some(corrected) = &resolution.corrected {
        println!("(lu : {corrected})");
    }
    match &resolution.outcome {
        Outcome::Substance { name, specialties } => {
            println!(
                "{name} : substance active, présente dans {specialties} spécialité(s) de la BDPM {}.",
                bdpm.version()
            );
            return Ok(());
        }
        Outcome::NotFound { suggestions } => {
            println!(
                "Aucune spécialité ni substance ne correspond à « {} » (BDPM {}).",
                args.query,
                bdpm.version()
            );
            for suggestion in suggestions {
                println!("  proche : {suggestion}");
            }
            return Ok(());
        }
        Outcome::Ambiguous { candidates } => {
            println!(
                "« {} » correspond à {} spécialités de substances différentes :",
                args.query,
                candidates.len()
            );
        }
        Outcome::Specialties { cis, .. } if cis.len() > 1 => {
            println!(
                "« {} » correspond à {} spécialités (mêmes substances actives) :",
                args.query,
                cis.len()
            );
        }
        Outcome::Specialties { .. } => {}
    }
    for specialty in specialties {
        print_card(specialty, bdpm.version());
    }
    Ok(())
}

fn print_card(specialty: &Specialty, version: &str) {
    let source = |file: &str| format!("[BDPM {version}, {file}]");
    println!();
    println!(
        "{} — CIS {} {}",
        specialty.denomination,
        specialty.cis,
        source("CIS_bdpm.txt")
    );
    println!(
        "  Forme : {} ; voie(s) : {}",
        specialty.form,
        specialty.routes.join(", ")
    );
    println!(
        "  Statut : {} ; {} ; AMM du {} ; {} ; titulaire : {}{}",
        specialty.authorization_status,
        specialty.marketing_status,
        specialty.authorization_date,
        specialty.procedure,
        specialty.holders,
        if specialty.enhanced_monitoring {
            " ; surveillance renforcée"
        } else {
            ""
        }
    );
    println!("  Substances actives {} :", source("CIS_COMPO_bdpm.txt"));
    for component in &specialty.components {
        let fraction = component
            .therapeutic_fraction
            .as_ref()
            .map(|fraction| {
                format!(
                    " (soit {} {})",
                    fraction,
                    component
                        .therapeutic_fraction_dosage
                        .as_deref()
                        .unwrap_or("")
                )
            })
            .unwrap_or_default();
        println!(
            "    {} {} pour {}{fraction} — {}",
            component.substance, component.dosage, component.dosage_reference, component.element
        );
    }
    for presentation in specialty.presentations.iter().take(6) {
        println!(
            "  Présentation CIP13 {} : {} ; {} ; remboursement {} {}",
            presentation.cip13,
            presentation.label,
            presentation.marketing,
            if presentation.reimbursement_rate.is_empty() {
                "non"
            } else {
                &presentation.reimbursement_rate
            },
            source("CIS_CIP_bdpm.txt")
        );
    }
    for condition in &specialty.prescription_conditions {
        println!(
            "  Condition de prescription : {condition} {}",
            source("CIS_CPD_bdpm.txt")
        );
    }
    for group in &specialty.generic_groups {
        println!(
            "  Groupe générique {} ({}) : {} {}",
            group.group_id,
            group.role,
            group.label,
            source("CIS_GENER_bdpm.txt")
        );
    }
    for (kind, opinions, file) in [
        ("SMR", &specialty.smr, "CIS_HAS_SMR_bdpm.txt"),
        ("ASMR", &specialty.asmr, "CIS_HAS_ASMR_bdpm.txt"),
    ] {
        for opinion in opinions.iter().take(3) {
            let link = opinion
                .link
                .as_deref()
                .map(|link| format!(" {link}"))
                .unwrap_or_default();
            println!(
                "  HAS {kind} {} du {} ({}) : {}{link} {}",
                opinion.value,
                opinion.date,
                opinion.reason,
                opinion.label,
                source(file)
            );
        }
    }
}
