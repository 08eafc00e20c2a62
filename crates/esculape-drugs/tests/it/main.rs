//! Integration tests of the medication engine over the reference data of
//! `../shared/data` (ANSM thesaurus 2020_01, BDPM 2021-01, CIM-10), skipped with a message
//! when that folder is absent.

mod recall;
mod resolution;

use esculape_drugs::{Applies, Bdpm, BdpmTables, Cim10, Dose, Level, PrescriptionLine, Thesaurus};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The shared reference data, or `None` (with a message) when this checkout has none.
pub fn shared_data() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if path.join("README.md").exists() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared/data is absent (the reference data sets live there)");
        None
    }
}

pub fn thesaurus() -> Option<&'static Thesaurus> {
    static THESAURUS: OnceLock<Option<Thesaurus>> = OnceLock::new();
    THESAURUS
        .get_or_init(|| {
            let folder = shared_data()?.join("drugs/ansm-thesaurus/2020_01");
            let read = |name: &str| std::fs::read_to_string(folder.join(name)).expect("read");
            let thesaurus = read(
                "thesaurus-referentiel-national-des-interactions-medicamenteuses-20102020.json",
            );
            let index = read("index-des-substances-20102020.json");
            Some(Thesaurus::from_json(&thesaurus, &index, "2020_01").expect("load the thesaurus"))
        })
        .as_ref()
}

/// Rows of a BDPM table (the 2021-01 extract is UTF-8).
fn rows(folder: &Path, name: &str) -> Vec<Vec<String>> {
    let bytes = std::fs::read(folder.join(name)).expect("read a BDPM table");
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            line.split('\t')
                .map(|field| field.trim().to_string())
                .collect()
        })
        .collect()
}

pub fn bdpm() -> Option<&'static Bdpm> {
    static BDPM: OnceLock<Option<Bdpm>> = OnceLock::new();
    BDPM.get_or_init(|| {
        let folder = shared_data()?.join("drugs/bdpm-2021-01");
        let tables = BdpmTables {
            specialties: rows(&folder, "CIS_bdpm.txt"),
            compositions: rows(&folder, "CIS_COMPO_bdpm.txt"),
            presentations: rows(&folder, "CIS_CIP_bdpm.txt"),
            smr: rows(&folder, "CIS_HAS_SMR_bdpm.txt"),
            asmr: rows(&folder, "CIS_HAS_ASMR_bdpm.txt"),
            has_links: rows(&folder, "HAS_LiensPageCT_bdpm.txt"),
            generics: rows(&folder, "CIS_GENER_bdpm.txt"),
            prescription_conditions: rows(&folder, "CIS_CPD_bdpm.txt"),
        };
        Some(Bdpm::from_tables(tables, "2021-01").expect("load the BDPM"))
    })
    .as_ref()
}

/// A prescription line from "SUBSTANCE[+SUBSTANCE…][@DOSE]" ("ACIDE ACETYLSALICYLIQUE@75 mg/j").
fn line(text: &str) -> PrescriptionLine {
    let (names, dose) = match text.split_once('@') {
        Some((names, dose)) => (names, Dose::parse(dose)),
        None => (text, None),
    };
    PrescriptionLine {
        label: text.to_string(),
        substances: names.split('+').map(String::from).collect(),
        dose,
    }
}

/// Checks a prescription and compares its alerts, one per line:
/// `LEVEL SUBSTANCE ~ SUBSTANCE [dose] via TERM ~ TERM; …` (levels abbreviated CI, ASDEC,
/// PE, APEC; `dose` when a dose selected the level).
fn check(prescription: &[&str], expect: &str) {
    let Some(thesaurus) = thesaurus() else { return };
    let lines: Vec<PrescriptionLine> = prescription.iter().map(|text| line(text)).collect();
    let report = thesaurus.check(&lines);
    let actual: Vec<String> = report
        .alerts
        .iter()
        .map(|alert| {
            let via: Vec<String> = alert
                .reasons
                .iter()
                .map(|reason| format!("{} ~ {}", reason.via[0], reason.via[1]))
                .collect();
            format!(
                "{} {} ~ {}{} via {}",
                short(alert.level),
                alert.substances[0],
                alert.substances[1],
                if alert.dose_selected { " [dose]" } else { "" },
                via.join("; ")
            )
        })
        .collect();
    assert_eq!(
        actual.join("\n"),
        expect.trim(),
        "prescription {prescription:?}"
    );
}

fn short(level: Level) -> &'static str {
    match level {
        Level::ContreIndication => "CI",
        Level::AssociationDeconseillee => "ASDEC",
        Level::PrecautionEmploi => "PE",
        Level::APrendreEnCompte => "APEC",
    }
}

/// The levels of the first alert with whether each applies.
fn levels(prescription: &[&str]) -> Vec<(&'static str, Applies)> {
    let Some(thesaurus) = thesaurus() else {
        return Vec::new();
    };
    let lines: Vec<PrescriptionLine> = prescription.iter().map(|text| line(text)).collect();
    let report = thesaurus.check(&lines);
    report.alerts[0].reasons[0]
        .levels
        .iter()
        .map(|assessment| (short(assessment.level), assessment.applies))
        .collect()
}

#[test]
fn clarithromycin_with_simvastatin_is_contraindicated_through_the_cyp3a4_class() {
    check(
        &["clarithromycine", "simvastatine"],
        "CI clarithromycine ~ simvastatine via INHIBITEURS PUISSANTS DU CYP3A4 ~ SIMVASTATINE; \
         INHIBITEURS PUISSANTS DU CYP3A4 ~ SUBSTRATS À RISQUE DU CYP3A4",
    );
}

#[test]
fn both_directions_and_accents_give_one_alert() {
    check(
        &["SIMVASTATINE", "CLARITHROMYCINE"],
        "CI SIMVASTATINE ~ CLARITHROMYCINE via SIMVASTATINE ~ INHIBITEURS PUISSANTS DU CYP3A4; \
         SUBSTRATS À RISQUE DU CYP3A4 ~ INHIBITEURS PUISSANTS DU CYP3A4",
    );
}

#[test]
fn a_three_drug_prescription_sorts_alerts_by_severity() {
    let Some(thesaurus) = thesaurus() else { return };
    let report = thesaurus.check(&[
        line("ACIDE ACÉTYLSALICYLIQUE"),
        line("FLUINDIONE"),
        line("CLARITHROMYCINE"),
    ]);
    let levels: Vec<Level> = report.alerts.iter().map(|alert| alert.level).collect();
    let mut sorted = levels.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(levels, sorted);
    assert!(report.alerts.len() >= 2, "{:?}", report.alerts);
    assert!(
        report
            .alerts
            .iter()
            .all(|alert| alert.thesaurus_version == "2020_01")
    );
}

#[test]
fn aspirin_and_oral_anticoagulant_without_dose_shows_every_level_and_defaults_to_the_highest() {
    check(
        &["ACIDE ACETYLSALICYLIQUE", "FLUINDIONE"],
        "CI ACIDE ACETYLSALICYLIQUE ~ FLUINDIONE via ACIDE ACETYLSALICYLIQUE ~ ANTICOAGULANTS ORAUX; \
         ANTIAGRÉGANTS PLAQUETTAIRES ~ ANTICOAGULANTS ORAUX",
    );
    assert_eq!(
        levels(&["ACIDE ACETYLSALICYLIQUE", "FLUINDIONE"]),
        [
            ("CI", Applies::Undecided),
            ("ASDEC", Applies::Undecided),
            ("APEC", Applies::Undecided)
        ]
    );
}

#[test]
fn aspirin_at_antiplatelet_dose_with_oral_anticoagulant_is_to_be_taken_into_account() {
    check(
        &["ACIDE ACETYLSALICYLIQUE@75 mg/j", "FLUINDIONE"],
        "APEC ACIDE ACETYLSALICYLIQUE ~ FLUINDIONE [dose] via ACIDE ACETYLSALICYLIQUE ~ ANTICOAGULANTS ORAUX; \
         ANTIAGRÉGANTS PLAQUETTAIRES ~ ANTICOAGULANTS ORAUX",
    );
    // Déconseillée stays visible: it applies at that dose with a history of ulcer.
    assert_eq!(
        levels(&["ACIDE ACETYLSALICYLIQUE@75 mg/j", "FLUINDIONE"]),
        [
            ("CI", Applies::No),
            ("ASDEC", Applies::Conditional),
            ("APEC", Applies::Yes)
        ]
    );
}

#[test]
fn aspirin_at_anti_inflammatory_dose_with_oral_anticoagulant_is_contraindicated() {
    check(
        &["ACIDE ACETYLSALICYLIQUE@3 g/j", "FLUINDIONE"],
        "CI ACIDE ACETYLSALICYLIQUE ~ FLUINDIONE [dose] via ACIDE ACETYLSALICYLIQUE ~ ANTICOAGULANTS ORAUX; \
         ANTIAGRÉGANTS PLAQUETTAIRES ~ ANTICOAGULANTS ORAUX",
    );
    check(
        &["FLUINDIONE", "ACIDE ACETYLSALICYLIQUE@1 g par prise"],
        "CI FLUINDIONE ~ ACIDE ACETYLSALICYLIQUE [dose] via ANTICOAGULANTS ORAUX ~ ACIDE ACETYLSALICYLIQUE; \
         ANTICOAGULANTS ORAUX ~ ANTIAGRÉGANTS PLAQUETTAIRES",
    );
}

#[test]
fn methotrexate_dose_selects_the_aspirin_level() {
    assert_eq!(
        levels(&["METHOTREXATE@15 mg/semaine", "ACIDE ACETYLSALICYLIQUE"]),
        [("CI", Applies::No), ("PE", Applies::Yes)]
    );
    assert_eq!(
        levels(&["METHOTREXATE@25 mg/semaine", "ACIDE ACETYLSALICYLIQUE"])[0],
        ("CI", Applies::Yes)
    );
}

#[test]
fn doses_parse_from_prescription_wording() {
    let dose = |text: &str| Dose::parse(text);
    assert_eq!(dose("kardegic 75 mg"), None);
    assert_eq!(dose("75 mg/j").and_then(|d| d.per_day_mg), Some(75.0));
    assert_eq!(
        dose("3 g par jour").and_then(|d| d.per_day_mg),
        Some(3000.0)
    );
    assert_eq!(
        dose("1 g par prise").and_then(|d| d.per_intake_mg),
        Some(1000.0)
    );
    assert_eq!(
        dose("12,5 mg / semaine").and_then(|d| d.per_week_mg),
        Some(12.5)
    );
}

#[test]
fn substances_unknown_to_the_thesaurus_are_reported_not_dropped() {
    let Some(thesaurus) = thesaurus() else { return };
    let report = thesaurus.check(&[line("LEVETIRACETAM"), line("SIMVASTATINE")]);
    assert!(report.alerts.is_empty());
    assert_eq!(report.unmatched.len(), 1);
    assert_eq!(report.unmatched[0].substance, "LEVETIRACETAM");
}

#[test]
fn corrupt_thesaurus_json_is_a_clear_error() {
    let error = Thesaurus::from_json("[{\"main_drug\": ", "[]", "x").unwrap_err();
    let message = error.to_string();
    assert!(message.contains("thesaurus.json"), "{message}");
    assert!(
        message.contains("esculape sources update ansm-interactions"),
        "{message}"
    );
    let error = Thesaurus::from_json(
        r#"[{"main_drug":"A","plus_drug":"B","severity_levels":[{"level":"PEUT-ÊTRE","info":""}]}]"#,
        "[]",
        "x",
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("unknown interaction level `PEUT-ÊTRE`"),
        "{error}"
    );
    let error = Thesaurus::from_json("[]", "{}", "x").unwrap_err();
    assert!(
        error.to_string().contains("index-des-substances.json"),
        "{error}"
    );
}

#[test]
fn corrupt_bdpm_table_is_a_clear_error() {
    let tables = BdpmTables {
        specialties: vec![vec!["not-a-cis".into(), "X".into()]],
        ..BdpmTables::default()
    };
    let error = Bdpm::from_tables(tables, "x").unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot read the BDPM table CIS_bdpm.txt, line 1: the first field is not a numeric code; reinstall the pack with `esculape sources update bdpm`"
    );
}

#[test]
fn cim10_code_gives_its_label_and_words_find_codes() {
    let Some(data) = shared_data() else { return };
    let compressed = std::fs::read(data.join("terminology/cim10_fr.csv.gz")).expect("read");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut text,
    )
    .expect("gunzip");
    let cim10 = Cim10::from_csv(&text).expect("load CIM-10");
    assert!(cim10.len() > 40_000);
    let label = |code: &str| cim10.lookup(code).map(|code| code.label.clone());
    assert_eq!(label("I50"), label("i50"));
    assert!(
        label("I50").is_some_and(|label| label.to_lowercase().contains("insuffisance cardiaque"))
    );
    assert_eq!(
        cim10.lookup("I50.0").map(|c| c.code.as_str()),
        Some("I50.0")
    );
    let hits = cim10.search("insuffisance cardiaque", 10);
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|hit| esculape_text::fold(&hit.label).contains("insuffisance cardiaque"))
    );
    assert!(hits.iter().any(|hit| hit.code.starts_with("I50")));
    assert!(Cim10::from_csv("code,type\n").is_err());
}
