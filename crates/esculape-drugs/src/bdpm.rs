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

use crate::error::{Error, Result};
use crate::resolve::NameIndex;
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
    pub(crate) by_cis: FxHashMap<String, u32>,
    pub(crate) by_cip13: FxHashMap<String, u32>,
    pub(crate) by_cip7: FxHashMap<String, u32>,
    pub(crate) names: NameIndex,
}

fn field(row: &[String], index: usize) -> String {
    row.get(index)
        .map(|value| value.trim().to_string())
        .unwrap_or_default()
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

impl Bdpm {
    /// Joins the tables; `version` names the BDPM extract ("2021-01") cited by every card.
    pub fn from_tables(tables: BdpmTables, version: &str) -> Result<Bdpm> {
        if tables.specialties.is_empty() {
            return Err(Error::Bdpm {
                table: "CIS_bdpm.txt",
                line: 0,
                reason: "the table is empty".into(),
            });
        }
        let mut specialties = Vec::with_capacity(tables.specialties.len());
        let mut by_cis: FxHashMap<String, u32> = FxHashMap::default();
        for (index, row) in tables.specialties.iter().enumerate() {
            require(row, 2, "CIS_bdpm.txt", index + 1)?;
            let cis = field(row, 0);
            if by_cis.contains_key(&cis) {
                continue;
            }
            by_cis.insert(cis.clone(), specialties.len() as u32);
            specialties.push(Specialty {
                cis,
                denomination: field(row, 1),
                form: field(row, 2),
                routes: field(row, 3)
                    .split(';')
                    .map(str::trim)
                    .filter(|route| !route.is_empty())
                    .map(String::from)
                    .collect(),
                authorization_status: field(row, 4),
                procedure: field(row, 5),
                marketing_status: field(row, 6),
                authorization_date: field(row, 7),
                holders: field(row, 10),
                enhanced_monitoring: field(row, 11).eq_ignore_ascii_case("oui"),
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
        let mut fractions: FxHashMap<(String, String, String), (String, String)> =
            FxHashMap::default();
        for (index, row) in tables.compositions.iter().enumerate() {
            require(row, 7, "CIS_COMPO_bdpm.txt", index + 1)?;
            if field(row, 6) == "FT" {
                fractions.insert(
                    (field(row, 0), field(row, 1), field(row, 7)),
                    (field(row, 3), field(row, 4)),
                );
            }
        }
        for row in &tables.compositions {
            if field(row, 6) != "SA" {
                continue;
            }
            let Some(&position) = by_cis.get(&field(row, 0)) else {
                continue;
            };
            let fraction = fractions.get(&(field(row, 0), field(row, 1), field(row, 7)));
            specialties[position as usize].components.push(Component {
                element: field(row, 1),
                substance_code: field(row, 2),
                substance: field(row, 3),
                dosage: field(row, 4),
                dosage_reference: field(row, 5),
                therapeutic_fraction: fraction.map(|(name, _)| name.clone()),
                therapeutic_fraction_dosage: fraction.map(|(_, dosage)| dosage.clone()),
            });
        }
        let mut by_cip13 = FxHashMap::default();
        let mut by_cip7 = FxHashMap::default();
        for (index, row) in tables.presentations.iter().enumerate() {
            require(row, 7, "CIS_CIP_bdpm.txt", index + 1)?;
            let Some(&position) = by_cis.get(&field(row, 0)) else {
                continue;
            };
            let presentation = Presentation {
                cip7: field(row, 1),
                label: field(row, 2),
                status: field(row, 3),
                marketing: field(row, 4),
                cip13: field(row, 6),
                reimbursement_rate: field(row, 8),
            };
            by_cip13.insert(presentation.cip13.clone(), position);
            by_cip7.insert(presentation.cip7.clone(), position);
            specialties[position as usize]
                .presentations
                .push(presentation);
        }
        let links: FxHashMap<String, String> = tables
            .has_links
            .iter()
            .filter(|row| row.len() >= 2)
            .map(|row| (field(row, 0), field(row, 1)))
            .collect();
        for (table, rows, is_smr) in [
            ("CIS_HAS_SMR_bdpm.txt", &tables.smr, true),
            ("CIS_HAS_ASMR_bdpm.txt", &tables.asmr, false),
        ] {
            for (index, row) in rows.iter().enumerate() {
                require(row, 5, table, index + 1)?;
                let Some(&position) = by_cis.get(&field(row, 0)) else {
                    continue;
                };
                let date = field(row, 3);
                let opinion = HasOpinion {
                    link: links.get(&field(row, 1)).cloned(),
                    dossier: field(row, 1),
                    reason: field(row, 2),
                    date: iso_date(&date),
                    value: field(row, 4),
                    label: clean_html(&field(row, 5)),
                };
                let specialty = &mut specialties[position as usize];
                if is_smr {
                    specialty.smr.push(opinion);
                } else {
                    specialty.asmr.push(opinion);
                }
            }
        }
        for (index, row) in tables.generics.iter().enumerate() {
            require(row, 4, "CIS_GENER_bdpm.txt", index + 1)?;
            let Some(&position) = by_cis.get(&field(row, 2)) else {
                continue;
            };
            let role = match field(row, 3).as_str() {
                "0" => "princeps",
                "1" => "générique",
                "2" => "générique par complémentarité posologique",
                "4" => "générique substituable",
                _ => "autre",
            };
            specialties[position as usize]
                .generic_groups
                .push(GenericGroup {
                    group_id: field(row, 0),
                    label: field(row, 1),
                    role: role.into(),
                });
        }
        for row in &tables.prescription_conditions {
            if let Some(&position) = by_cis.get(&field(row, 0)) {
                specialties[position as usize]
                    .prescription_conditions
                    .push(field(row, 1));
            }
        }
        for specialty in &mut specialties {
            specialty.smr.sort_by(|a, b| b.date.cmp(&a.date));
            specialty.asmr.sort_by(|a, b| b.date.cmp(&a.date));
        }
        tracing::debug!(specialties = specialties.len(), version, "BDPM loaded");
        let names = NameIndex::build(&specialties);
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
            .map(|&position| &self.specialties[position as usize])
    }

    pub fn by_cip13(&self, cip13: &str) -> Option<&Specialty> {
        self.by_cip13
            .get(cip13)
            .map(|&position| &self.specialties[position as usize])
    }
}

fn iso_date(yyyymmdd: &str) -> String {
    if yyyymmdd.len() == 8 && yyyymmdd.bytes().all(|byte| byte.is_ascii_digit()) {
        format!("{}-{}-{}", &yyyymmdd[..4], &yyyymmdd[4..6], &yyyymmdd[6..])
    } else {
        yyyymmdd.to_string()
    }
}

/// HAS labels carry `<br>` tags and stray quotes.
fn clean_html(label: &str) -> String {
    label
        .replace("<br>", " ")
        .replace("<br/>", " ")
        .replace("<br />", " ")
        .trim_matches(|c: char| c == '"' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
