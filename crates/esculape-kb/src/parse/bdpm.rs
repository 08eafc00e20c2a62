//! BDPM (Base de données publique des médicaments): tab-separated files without header,
//! officially in Windows-1252. Column meanings follow the official BDPM documentation
//! ("Contenu et format des fichiers téléchargeables dans la BDM", ANSM).
//!
//! Each specialty (CIS) becomes one readable document: name, form, routes, composition,
//! holder, status, prescription conditions, presentations, generic group, HAS opinions.
//! The raw tables stay in the pack's storage folder for the medication engine, which
//! reads them with [`read_table`].

use crate::decode::{Encoding, decode_text};
use crate::document::{Document, Finding, Heading};
use crate::error::{Result, io_error};
use crate::parse::{PackFacts, Sink, iso_date};
use esculape_text::Language;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// Reads one BDPM table: rows of tab-separated fields, decoded from UTF-8 or Windows-1252,
/// trailing empty field and blank lines dropped. Also returns the encoding found.
pub fn read_table(path: &Path) -> Result<(Vec<Vec<String>>, Encoding)> {
    let bytes = std::fs::read(path).map_err(io_error("read", path))?;
    let (text, encoding) = decode_text(&bytes);
    let rows = text
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            line.split('\t')
                .map(|field| field.trim().to_string())
                .collect()
        })
        .collect();
    Ok((rows, encoding))
}

pub(crate) fn parse(
    folder: &Path,
    sink: &mut Sink<'_>,
    findings: &mut Vec<Finding>,
) -> Result<PackFacts> {
    let mut load = |name: &str| -> Result<Vec<Vec<String>>> {
        let path = folder.join(name);
        if !path.exists() {
            findings.push(Finding::note(
                name,
                "file absent from this copy of the BDPM; its facts are left out",
            ));
            return Ok(Vec::new());
        }
        let (rows, encoding) = read_table(&path)?;
        if encoding == Encoding::Windows1252 {
            findings.push(Finding::note(
                name,
                "decoded as Windows-1252 (the official BDPM encoding)",
            ));
        }
        Ok(rows)
    };
    let specialties = load("CIS_bdpm.txt")?;
    let compositions = group_by_cis(load("CIS_COMPO_bdpm.txt")?);
    let presentations = group_by_cis(load("CIS_CIP_bdpm.txt")?);
    let smr = group_by_cis(load("CIS_HAS_SMR_bdpm.txt")?);
    let asmr = group_by_cis(load("CIS_HAS_ASMR_bdpm.txt")?);
    let conditions = group_by_cis(load("CIS_CPD_bdpm.txt")?);
    let generics = group_by_column(load("CIS_GENER_bdpm.txt")?, 2);
    let has_links: HashMap<String, String> = load("HAS_LiensPageCT_bdpm.txt")?
        .into_iter()
        .filter(|row| row.len() >= 2)
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect();

    let mut latest_authorization: Option<String> = None;
    for (line_index, row) in specialties.iter().enumerate() {
        if row.len() < 11 || row[0].is_empty() || !row[0].bytes().all(|byte| byte.is_ascii_digit())
        {
            findings.push(Finding::skipped(
                format!("CIS_bdpm.txt line {}", line_index + 1),
                "not a specialty row (expected 12 tab-separated fields starting with a CIS code)",
            ));
            continue;
        }
        let cis = &row[0];
        let authorization_date = iso_date(&row[7]);
        if let Some(date) = &authorization_date
            && latest_authorization
                .as_ref()
                .is_none_or(|latest| date > latest)
        {
            latest_authorization = Some(date.clone());
        }
        let empty = Vec::new();
        let document = specialty_document(
            row,
            authorization_date,
            compositions.get(cis).unwrap_or(&empty),
            presentations.get(cis).unwrap_or(&empty),
            conditions.get(cis).unwrap_or(&empty),
            generics.get(cis).unwrap_or(&empty),
            smr.get(cis).unwrap_or(&empty),
            asmr.get(cis).unwrap_or(&empty),
            &has_links,
        );
        sink(document)?;
    }
    Ok(PackFacts {
        version: latest_authorization.clone(),
        published: latest_authorization,
    })
}

#[allow(clippy::too_many_arguments)]
fn specialty_document(
    row: &[String],
    authorization_date: Option<String>,
    compositions: &[Vec<String>],
    presentations: &[Vec<String>],
    conditions: &[Vec<String>],
    generics: &[Vec<String>],
    smr: &[Vec<String>],
    asmr: &[Vec<String>],
    has_links: &HashMap<String, String>,
) -> Document {
    let field = |index: usize| row.get(index).map(String::as_str).unwrap_or("");
    let cis = field(0);
    let name = field(1);
    let mut text = String::new();
    let mut headings = vec![Heading {
        offset: 0,
        level: 1,
        title: name.to_string(),
    }];
    let _ = writeln!(text, "{name}");
    let _ = writeln!(text, "Code CIS : {cis}");
    line(&mut text, "Forme pharmaceutique", field(2));
    line(
        &mut text,
        "Voie(s) d'administration",
        &field(3).replace(';', ", "),
    );
    line(&mut text, "Titulaire(s)", &field(10).replace(';', ", "));
    let mut status = vec![
        field(4).to_string(),
        field(5).to_string(),
        field(6).to_string(),
    ];
    if authorization_date.is_some() {
        status.push(format!("AMM du {}", field(7)));
    }
    status.retain(|part| !part.is_empty());
    line(&mut text, "Statut", &status.join(" ; "));
    line(&mut text, "Statut BDM", field(8));
    line(&mut text, "Autorisation européenne", field(9));
    line(&mut text, "Surveillance renforcée", field(11));

    section(&mut text, &mut headings, "Composition");
    for composition in compositions {
        let part = |index: usize| composition.get(index).map(String::as_str).unwrap_or("");
        let nature = if part(6) == "FT" {
            " (fraction thérapeutique)"
        } else {
            ""
        };
        let _ = writeln!(
            text,
            "- {} {} pour {} ({}){nature}",
            part(3),
            part(4),
            part(5),
            part(1)
        );
    }

    if !conditions.is_empty() {
        section(
            &mut text,
            &mut headings,
            "Conditions de prescription et de délivrance",
        );
        for condition in conditions {
            let _ = writeln!(
                text,
                "- {}",
                condition.get(1).map(String::as_str).unwrap_or("")
            );
        }
    }
    if !presentations.is_empty() {
        section(&mut text, &mut headings, "Présentations");
        for presentation in presentations {
            let part = |index: usize| presentation.get(index).map(String::as_str).unwrap_or("");
            let mut details = vec![
                format!("CIP13 {}", part(6)),
                part(3).to_string(),
                part(4).to_string(),
            ];
            if !part(8).is_empty() {
                details.push(format!("remboursement {}", part(8)));
            }
            if !part(10).is_empty() {
                details.push(format!("prix {} €", part(10)));
            }
            details.retain(|detail| !detail.trim().is_empty());
            let _ = writeln!(text, "- {} ({})", part(2), details.join(" ; "));
        }
    }
    if !generics.is_empty() {
        section(&mut text, &mut headings, "Groupe générique");
        for generic in generics {
            let kind = match generic.get(3).map(String::as_str) {
                Some("0") => "princeps",
                Some("1") => "générique",
                Some("2") => "générique par complémentarité posologique",
                Some("4") => "générique substituable",
                _ => "membre",
            };
            let _ = writeln!(
                text,
                "- {} ({kind})",
                generic.get(1).map(String::as_str).unwrap_or("")
            );
        }
    }
    if !smr.is_empty() || !asmr.is_empty() {
        section(
            &mut text,
            &mut headings,
            "Avis de la HAS (Commission de la transparence)",
        );
        for (label, opinions) in [("SMR", smr), ("ASMR", asmr)] {
            for opinion in opinions {
                let part = |index: usize| opinion.get(index).map(String::as_str).unwrap_or("");
                let date = iso_date(part(3)).unwrap_or_else(|| part(3).to_string());
                let wording = part(5).replace("<br>", "\n").replace("<br/>", "\n");
                let _ = writeln!(
                    text,
                    "{label} {} — avis du {date} ({}, dossier {}) : {}",
                    part(4),
                    part(2),
                    part(1),
                    wording.trim()
                );
                if let Some(link) = has_links.get(part(1)) {
                    let _ = writeln!(text, "Avis complet : {link}");
                }
            }
        }
    }
    Document {
        key: cis.to_string(),
        title: name.to_string(),
        text,
        headings,
        url: Some(format!(
            "https://base-donnees-publique.medicaments.gouv.fr/extrait.php?specid={cis}"
        )),
        language: Language::French,
        date: authorization_date,
        licence: None,
    }
}

fn line(text: &mut String, label: &str, value: &str) {
    if !value.trim().is_empty() {
        let _ = writeln!(text, "{label} : {}", value.trim());
    }
}

fn section(text: &mut String, headings: &mut Vec<Heading>, title: &str) {
    text.push('\n');
    headings.push(Heading {
        offset: text.len(),
        level: 2,
        title: title.to_string(),
    });
    let _ = writeln!(text, "{title}");
}

fn group_by_cis(rows: Vec<Vec<String>>) -> HashMap<String, Vec<Vec<String>>> {
    group_by_column(rows, 0)
}

fn group_by_column(rows: Vec<Vec<String>>, column: usize) -> HashMap<String, Vec<Vec<String>>> {
    let mut groups: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    for row in rows {
        if let Some(key) = row.get(column) {
            groups.entry(key.clone()).or_default().push(row);
        }
    }
    groups
}
