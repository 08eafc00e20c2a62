//! The BDPM (Base de données publique des médicaments) tables, as rows of tab-separated
//! fields, joined into one card per specialty (CIS).
//!
//! Column meanings follow the BDPM's published file description ("Contenu et format des
//! fichiers téléchargeables dans la BDM"): `CIS_bdpm` (CIS, dénomination, forme, voies,
//! statut AMM, procédure, état de commercialisation, date AMM, statut BdM, n° européen,
//! titulaires, surveillance renforcée); `CIS_COMPO_bdpm` (CIS, élément pharmaceutique,
//! code substance, dénomination, dosage, référence du dosage, nature SA/FT, n° de liaison);
//! `CIS_CIP_bdpm` (CIS, CIP7, libellé, statut, état de commercialisation, date, CIP13,
//! agrément collectivités, taux de remboursement, prix…); `CIS_HAS_SMR_bdpm` and
//! `CIS_HAS_ASMR_bdpm` (CIS, dossier HAS, motif, date AAAAMMJJ, valeur, libellé);
//! `HAS_LiensPageCT_bdpm` (dossier HAS, lien); `CIS_GENER_bdpm` (groupe, libellé, CIS,
//! type, tri); `CIS_CPD_bdpm` (CIS, condition de prescription ou de délivrance).

use crate::codes::CodeIndex;
use crate::error::{Error, Result};
use crate::resolve::{NameIndex, NameIndexBuilder};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// The eight BDPM tables as rows of fields; only `specialties` and `compositions` are
/// required, the others may be empty.
#[derive(Debug, Clone, Default)]
pub struct BdpmTables {
    pub specialties: Vec<Vec<String>>,
    pub compositions: Vec<Vec<String>>,
    pub presentations: Vec<Vec<String>>,
    pub smr: Vec<Vec<String>>,
    pub asmr: Vec<Vec<String>>,
    pub has_links: Vec<Vec<String>>,
    pub generics: Vec<Vec<String>>,
    pub prescription_conditions: Vec<Vec<String>>,
}

/// One active substance of a specialty (a `SA` row), with its therapeutic fraction (the
/// linked `FT` row) when the BDPM gives one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub element: String,
    pub substance_code: String,
    pub substance: String,
    pub dosage: String,
    pub dosage_reference: String,
    pub therapeutic_fraction: Option<String>,
    pub therapeutic_fraction_dosage: Option<String>,
}

/// A box of a specialty.
#[derive(Debug, Clone, Serialize)]
pub struct Presentation {
    pub cip7: String,
    pub cip13: String,
    pub label: String,
    pub status: String,
    pub marketing: String,
    pub reimbursement_rate: String,
}

/// An opinion of the HAS Transparency Committee (SMR or ASMR).
#[derive(Debug, Clone, Serialize)]
pub struct HasOpinion {
    pub dossier: String,
    pub reason: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub value: String,
    pub label: String,
    pub link: Option<String>,
}

/// Membership of a generic group.
#[derive(Debug, Clone, Serialize)]
pub struct GenericGroup {
    pub group_id: String,
    pub label: String,
    /// "princeps", "générique", "générique par complémentarité posologique", "générique
    /// substituable" (BDPM type codes 0, 1, 2, 4).
    pub role: String,
}

/// One specialty with everything the BDPM says about it.
#[derive(Debug, Clone, Serialize)]
pub struct Specialty {
    pub cis: String,
    pub denomination: String,
    pub form: String,
    pub routes: Vec<String>,
    pub authorization_status: String,
    pub procedure: String,
    pub marketing_status: String,
    pub authorization_date: String,
    pub holders: String,
    pub enhanced_monitoring: bool,
    pub components: Vec<Component>,
    pub presentations: Vec<Presentation>,
    pub smr: Vec<HasOpinion>,
    pub asmr: Vec<HasOpinion>,
    pub generic_groups: Vec<GenericGroup>,
    pub prescription_conditions: Vec<String>,
}

impl Specialty {
    /// Distinct active substance names, in BDPM order.
    pub fn active_substances(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for component in &self.components {
            if !names.contains(&component.substance.as_str()) {
                names.push(&component.substance);
            }
        }
        names
    }
}

/// The BDPM, joined and indexed; immutable after loading.
#[derive(Debug)]
pub struct Bdpm {
    version: String,
    pub(crate) specialties: Vec<Specialty>,
    pub(crate) by_cis: CodeIndex,
    pub(crate) by_cip13: CodeIndex,
    pub(crate) by_cip7: CodeIndex,
    pub(crate) names: NameIndex,
}

/// A field, trimmed, borrowed from its row; empty when the row is shorter.
fn peek(row: &[String], index: usize) -> &str {
    row.get(index).map_or("", |value| trim(value))
}

/// `str::trim`, without decoding characters when both ends are plain ASCII (the fields
/// of the BDPM files are already trimmed).
fn trim(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(&first), Some(&last)) if is_ascii_not_space(first) && is_ascii_not_space(last) => {
            value
        }
        _ => value.trim(),
    }
}

/// An ASCII byte that is not white space for `char::is_whitespace` (tab to carriage
/// return, space).
fn is_ascii_not_space(byte: u8) -> bool {
    byte.is_ascii() && !matches!(byte, b'\t'..=b'\r' | b' ')
}

/// A field, trimmed, moved out of its row (the rows are consumed by the join, so the
/// strings read from the files become the cards' strings without a copy).
fn take(row: &mut [String], index: usize) -> String {
    let Some(value) = row.get_mut(index) else {
        return String::new();
    };
    let mut value = std::mem::take(value);
    let trimmed = trim(&value);
    if trimmed.len() != value.len() {
        let start = trimmed.as_ptr() as usize - value.as_ptr() as usize;
        let end = start + trimmed.len();
        value.truncate(end);
        value.drain(..start);
    }
    value
}

fn require(row: &[String], fields: usize, table: &'static str, line: usize) -> Result<()> {
    if row.len() < fields {
        return Err(Error::Bdpm {
            table,
            line,
            reason: format!(
                "expected at least {fields} tab-separated fields, found {}",
                row.len()
            ),
        });
    }
    let cis = row[0].trim();
    if cis.is_empty() || !cis.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(Error::Bdpm {
            table,
            line,
            reason: "the first field is not a numeric code".into(),
        });
    }
    Ok(())
}

/// An `FT` row of `CIS_COMPO_bdpm.txt`, waiting for the `SA` row it belongs to.
struct Fraction {
    element: String,
    link: String,
    substance: String,
    dosage: String,
}

impl Bdpm {
    /// Joins the tables; `version` names the BDPM extract ("2021-01") cited by every card.
    pub fn from_tables(tables: BdpmTables, version: &str) -> Result<Bdpm> {
        let BdpmTables {
            specialties: specialty_rows,
            mut compositions,
            presentations,
            smr,
            asmr,
            has_links,
            generics,
            prescription_conditions,
        } = tables;
        if specialty_rows.is_empty() {
            return Err(Error::Bdpm {
                table: "CIS_bdpm.txt",
                line: 0,
                reason: "the table is empty".into(),
            });
        }
        let mut specialties = Vec::with_capacity(specialty_rows.len());
        let mut by_cis = CodeIndex::with_capacity(specialty_rows.len());
        let mut names = NameIndexBuilder::with_capacity(specialty_rows.len());
        for (index, mut row) in specialty_rows.into_iter().enumerate() {
            require(&row, 2, "CIS_bdpm.txt", index + 1)?;
            if by_cis.contains(peek(&row, 0)) {
                continue;
            }
            let cis = take(&mut row, 0);
            by_cis.insert(&cis, specialties.len() as u32);
            let denomination = take(&mut row, 1);
            names.denomination(&denomination);
            specialties.push(Specialty {
                cis,
                denomination,
                form: take(&mut row, 2),
                routes: routes(take(&mut row, 3)),
                authorization_status: take(&mut row, 4),
                procedure: take(&mut row, 5),
                marketing_status: take(&mut row, 6),
                authorization_date: take(&mut row, 7),
                holders: take(&mut row, 10),
                enhanced_monitoring: peek(&row, 11).eq_ignore_ascii_case("oui"),
                components: Vec::new(),
                presentations: Vec::new(),
                smr: Vec::new(),
                asmr: Vec::new(),
                generic_groups: Vec::new(),
                prescription_conditions: Vec::new(),
            });
        }
        // Compositions: SA rows are the active substances; an FT row with the same link
        // number is the therapeutic fraction of that substance, not another substance.
        // The FT rows of each specialty, in file order: the last one of an element and a
        // link number wins.
        let mut fractions: Vec<Vec<Fraction>> = Vec::new();
        fractions.resize_with(specialties.len(), Vec::new);
        for (index, row) in compositions.iter_mut().enumerate() {
            require(row, 7, "CIS_COMPO_bdpm.txt", index + 1)?;
            if peek(row, 6) != "FT" {
                continue;
            }
            let Some(position) = by_cis.get(peek(row, 0)) else {
                continue;
            };
            fractions[position as usize].push(Fraction {
                element: take(row, 1),
                link: take(row, 7),
                substance: take(row, 3),
                dosage: take(row, 4),
            });
        }
        for mut row in compositions {
            if peek(&row, 6) != "SA" {
                continue;
            }
            let Some(position) = by_cis.get(peek(&row, 0)) else {
                continue;
            };
            let fraction = fractions[position as usize].iter().rev().find(|fraction| {
                fraction.element == peek(&row, 1) && fraction.link == peek(&row, 7)
            });
            let therapeutic_fraction = fraction.map(|fraction| fraction.substance.clone());
            let therapeutic_fraction_dosage = fraction.map(|fraction| fraction.dosage.clone());
            let substance = take(&mut row, 3);
            names.component(position, &substance, therapeutic_fraction.as_deref());
            specialties[position as usize].components.push(Component {
                element: take(&mut row, 1),
                substance_code: take(&mut row, 2),
                substance,
                dosage: take(&mut row, 4),
                dosage_reference: take(&mut row, 5),
                therapeutic_fraction,
                therapeutic_fraction_dosage,
            });
        }
        drop(fractions);
        let mut by_cip13 = CodeIndex::with_capacity(presentations.len());
        let mut by_cip7 = CodeIndex::with_capacity(presentations.len());
        for (index, mut row) in presentations.into_iter().enumerate() {
            require(&row, 7, "CIS_CIP_bdpm.txt", index + 1)?;
            let Some(position) = by_cis.get(peek(&row, 0)) else {
                continue;
            };
            let presentation = Presentation {
                cip7: take(&mut row, 1),
                label: take(&mut row, 2),
                status: take(&mut row, 3),
                marketing: take(&mut row, 4),
                cip13: take(&mut row, 6),
                reimbursement_rate: take(&mut row, 8),
            };
            by_cip13.insert(&presentation.cip13, position);
            by_cip7.insert(&presentation.cip7, position);
            specialties[position as usize]
                .presentations
                .push(presentation);
        }
        let mut links: FxHashMap<String, String> =
            FxHashMap::with_capacity_and_hasher(has_links.len(), Default::default());
        for mut row in has_links {
            if row.len() >= 2 {
                links.insert(take(&mut row, 0), take(&mut row, 1));
            }
        }
        for (table, rows, is_smr) in [
            ("CIS_HAS_SMR_bdpm.txt", smr, true),
            ("CIS_HAS_ASMR_bdpm.txt", asmr, false),
        ] {
            for (index, mut row) in rows.into_iter().enumerate() {
                require(&row, 5, table, index + 1)?;
                let Some(position) = by_cis.get(peek(&row, 0)) else {
                    continue;
                };
                let dossier = take(&mut row, 1);
                let opinion = HasOpinion {
                    link: links.get(&dossier).cloned(),
                    dossier,
                    reason: take(&mut row, 2),
                    date: iso_date(take(&mut row, 3)),
                    value: take(&mut row, 4),
                    label: clean_html(take(&mut row, 5)),
                };
                let specialty = &mut specialties[position as usize];
                if is_smr {
                    specialty.smr.push(opinion);
                } else {
                    specialty.asmr.push(opinion);
                }
            }
        }
        for (index, mut row) in generics.into_iter().enumerate() {
            require(&row, 4, "CIS_GENER_bdpm.txt", index + 1)?;
            let Some(position) = by_cis.get(peek(&row, 2)) else {
                continue;
            };
            let role = match peek(&row, 3) {
                "0" => "princeps",
                "1" => "générique",
                "2" => "générique par complémentarité posologique",
                "4" => "générique substituable",
                _ => "autre",
            };
            specialties[position as usize]
                .generic_groups
                .push(GenericGroup {
                    group_id: take(&mut row, 0),
                    label: take(&mut row, 1),
                    role: role.into(),
                });
        }
        for mut row in prescription_conditions {
            if let Some(position) = by_cis.get(peek(&row, 0)) {
                specialties[position as usize]
                    .prescription_conditions
                    .push(take(&mut row, 1));
            }
        }
        for specialty in &mut specialties {
            specialty.smr.sort_by(|a, b| b.date.cmp(&a.date));
            specialty.asmr.sort_by(|a, b| b.date.cmp(&a.date));
        }
        tracing::debug!(specialties = specialties.len(), version, "BDPM loaded");
        let names = names.finish();
        Ok(Bdpm {
            version: version.to_string(),
            names,
            specialties,
            by_cis,
            by_cip13,
            by_cip7,
        })
    }

    /// The BDPM extract, as given at loading.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn specialties(&self) -> &[Specialty] {
        &self.specialties
    }

    pub fn by_cis(&self, cis: &str) -> Option<&Specialty> {
        self.by_cis
            .get(cis)
            .map(|position| &self.specialties[position as usize])
    }

    pub fn by_cip13(&self, cip13: &str) -> Option<&Specialty> {
        self.by_cip13
            .get(cip13)
            .map(|position| &self.specialties[position as usize])
    }
}

/// The routes of administration, separated by `;` ("orale;sublinguale"); most
/// specialties have one, kept as read.
fn routes(field: String) -> Vec<String> {
    if !field.contains(';') {
        return if field.is_empty() {
            Vec::new()
        } else {
            vec![field]
        };
    }
    field
        .split(';')
        .map(str::trim)
        .filter(|route| !route.is_empty())
        .map(String::from)
        .collect()
}

fn iso_date(yyyymmdd: String) -> String {
    if yyyymmdd.len() == 8 && yyyymmdd.bytes().all(|byte| byte.is_ascii_digit()) {
        let mut date = String::with_capacity(10);
        date.push_str(&yyyymmdd[..4]);
        date.push('-');
        date.push_str(&yyyymmdd[4..6]);
        date.push('-');
        date.push_str(&yyyymmdd[6..]);
        date
    } else {
        yyyymmdd
    }
}

/// HAS labels carry `<br>` tags, stray quotes and runs of white space: tags become
/// spaces, quotes and white space are trimmed, runs become one space. Most labels have
/// none of these and are kept as they are.
fn clean_html(label: String) -> String {
    if !label.contains("<br") && is_clean(&label) {
        return label;
    }
    let mut label = label;
    for tag in ["<br>", "<br/>", "<br />"] {
        if label.contains(tag) {
            label = label.replace(tag, " ");
        }
    }
    let trimmed = label.trim_matches(|c: char| c == '"' || c.is_whitespace());
    let mut cleaned = String::with_capacity(trimmed.len());
    for word in trimmed.split_whitespace() {
        if !cleaned.is_empty() {
            cleaned.push(' ');
        }
        cleaned.push_str(word);
    }
    cleaned
}

/// Whether trimming quotes and white space and collapsing white space would leave the
/// label unchanged: no quote or white space at either end, no white space but single
/// plain spaces. Written as whole-label passes the compiler turns into vector code.
fn is_clean(label: &str) -> bool {
    let at_end = |c: char| c == '"' || c.is_whitespace();
    if label.starts_with(at_end) || label.ends_with(at_end) || label.contains("  ") {
        return false;
    }
    let bytes = label.as_bytes();
    // Tab, line feed, vertical tab, form feed, carriage return.
    if bytes
        .iter()
        .fold(false, |found, &byte| found | (byte.wrapping_sub(b'\t') < 5))
    {
        return false;
    }
    // White space beyond ASCII (U+0085, U+00A0, U+1680, U+2000 to U+205F, U+3000) starts
    // with one of these bytes; the characters there are decoded and checked.
    let wide_start = |byte: u8| matches!(byte, 0xC2 | 0xE1..=0xE3);
    if !bytes
        .iter()
        .fold(false, |found, &byte| found | wide_start(byte))
    {
        return true;
    }
    !bytes.iter().enumerate().any(|(index, &byte)| {
        wide_start(byte)
            && label[index..]
                .chars()
                .next()
                .is_some_and(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::{clean_html, is_clean, take, trim};

    fn clean(label: &str) -> String {
        clean_html(label.to_string())
    }

    #[test]
    fn labels_lose_tags_quotes_and_runs_of_white_space() {
        assert_eq!(clean("Important"), "Important");
        assert_eq!(clean("\"Important<br>dans l’AMM\""), "Important dans l’AMM");
        assert_eq!(clean("a<br/>b<br />c"), "a b c");
        assert_eq!(clean("a  b\tc\u{a0}d"), "a b c d");
        assert_eq!(clean(" \"a\" "), "a");
        assert_eq!(clean("<br<br>/>"), "");
        assert_eq!(clean(""), "");
    }

    #[test]
    fn clean_labels_are_those_cleaning_leaves_unchanged() {
        for label in [
            "a b",
            "a  b",
            "a\u{2009}b",
            "a\u{3000}b",
            "a\u{85}b",
            "l’AMM",
            "é è",
            "\"a",
            "a ",
            "a\u{b}b",
        ] {
            let cleaned = label
                .trim_matches(|c: char| c == '"' || c.is_whitespace())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(is_clean(label), cleaned == label, "{label:?}");
        }
        // `is_clean` decodes only the characters starting with these bytes.
        for character in (0..=0x10FFFF).filter_map(char::from_u32) {
            if character.is_whitespace() && !character.is_ascii() {
                let mut buffer = [0; 4];
                let first = character.encode_utf8(&mut buffer).as_bytes()[0];
                assert!(matches!(first, 0xC2 | 0xE1..=0xE3), "{character:?}");
            }
        }
    }

    #[test]
    fn fields_are_trimmed_as_str_trim_does() {
        for field in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a\u{2003}",
            "\ta b\r",
            "é",
            "x\u{b}",
        ] {
            assert_eq!(trim(field), field.trim(), "{field:?}");
            let mut row = vec![field.to_string()];
            assert_eq!(take(&mut row, 0), field.trim(), "{field:?}");
            assert_eq!(take(&mut row, 1), "");
        }
    }
}
