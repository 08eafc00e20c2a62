//! Drug resolution over the BDPM 2021-01: brands with strengths, accents and typos, INNs,
//! CIS and CIP13 codes, ambiguous text; and a resolved prescription checked end to end.

use crate::{bdpm, thesaurus};
use esculape_drugs::{Level, Outcome, PrescriptionLine};

/// Resolves `text` and renders the outcome: `specialties CIS,CIS: SUBSTANCE, …`,
/// `substance NAME`, `ambiguous N`, `not found`; a typo correction is appended as
/// ` (read as …)`.
fn check(text: &str, expect: &str) {
    let (Some(bdpm), Some(thesaurus)) = (bdpm(), thesaurus()) else {
        return;
    };
    let resolution = bdpm.resolve(text, Some(thesaurus));
    let mut actual = match &resolution.outcome {
        Outcome::Specialties { cis, substances } => {
            format!("specialties {}: {}", cis.join(","), substances.join(", "))
        }
        Outcome::Substance { name, .. } => format!("substance {name}"),
        Outcome::Ambiguous { candidates } => format!("ambiguous {}", candidates.len()),
        Outcome::NotFound { .. } => "not found".to_string(),
    };
    if let Some(corrected) = &resolution.corrected {
        actual.push_str(&format!(" (read as {corrected})"));
    }
    assert_eq!(actual, expect, "resolve({text:?})");
}

#[test]
fn brand_with_strength_resolves_to_the_specialty_and_its_active_substance() {
    check(
        "kardegic 75",
        "specialties 64755969: DL-LYSINE (ACÉTYLSALICYLATE DE)",
    );
}

#[test]
fn case_accents_and_units_do_not_matter() {
    check(
        "KARDÉGIC 75 mg",
        "specialties 64755969: DL-LYSINE (ACÉTYLSALICYLATE DE)",
    );
}

#[test]
fn an_inn_resolves_to_the_substance_as_the_thesaurus_writes_it() {
    check(
        "acide acétylsalicylique",
        "substance ACIDE ACETYLSALICYLIQUE",
    );
    check("Clarithromycine", "substance CLARITHROMYCINE");
}

#[test]
fn cis_and_cip13_codes_resolve() {
    check("68133651", "specialties 68133651: FLUINDIONE");
    check("3400933484132", "specialties 68133651: FLUINDIONE");
    check("3400933484", "not found");
}

#[test]
fn a_typo_is_corrected_and_said() {
    check(
        "previskan",
        "specialties 68133651: FLUINDIONE (read as previscan)",
    );
    check(
        "kardgeic 75",
        "specialties 64755969: DL-LYSINE (ACÉTYLSALICYLATE DE) (read as kardegic 75)",
    );
}

#[test]
fn a_strength_the_brand_lacks_is_not_found() {
    check("kardegic 80", "not found");
    check("zzqxwv", "not found");
}

#[test]
fn ambiguous_text_returns_the_candidates_not_a_guess() {
    let Some(bdpm) = bdpm() else { return };
    let resolution = bdpm.resolve("aspirine", None);
    let Outcome::Ambiguous { candidates } = &resolution.outcome else {
        panic!("expected candidates, got {:?}", resolution.outcome);
    };
    assert!(candidates.len() > 1);
    let distinct: std::collections::BTreeSet<&Vec<String>> = candidates
        .iter()
        .map(|candidate| &candidate.substances)
        .collect();
    assert!(distinct.len() > 1, "candidates differ by their substances");
}

#[test]
fn the_thesaurus_gets_the_therapeutic_fraction_of_a_salt() {
    let (Some(bdpm), Some(thesaurus)) = (bdpm(), thesaurus()) else {
        return;
    };
    assert_eq!(
        bdpm.interaction_substances("64755969", thesaurus),
        ["ACIDE ACÉTYLSALICYLIQUE"]
    );
}

#[test]
fn a_resolved_prescription_is_checked_end_to_end() {
    let (Some(bdpm), Some(thesaurus)) = (bdpm(), thesaurus()) else {
        return;
    };
    let lines: Vec<PrescriptionLine> = ["kardegic 75 mg", "previscan", "clarithromycine"]
        .iter()
        .map(|text| {
            let substances = match bdpm.resolve(text, Some(thesaurus)).outcome {
                Outcome::Specialties { cis, .. } => bdpm.interaction_substances(&cis[0], thesaurus),
                Outcome::Substance { name, .. } => vec![name],
                other => panic!("{text}: {other:?}"),
            };
            PrescriptionLine {
                label: text.to_string(),
                substances,
                dose: None,
            }
        })
        .collect();
    let report = thesaurus.check(&lines);
    let pairs: Vec<([usize; 2], Level)> = report
        .alerts
        .iter()
        .map(|alert| (alert.lines, alert.level))
        .collect();
    assert_eq!(pairs[0], ([0, 1], Level::ContreIndication), "{pairs:?}");
    assert!(pairs.iter().any(|(lines, _)| *lines == [1, 2]), "{pairs:?}");
    assert!(report.unmatched.is_empty());
}
