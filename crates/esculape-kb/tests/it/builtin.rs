//! Built-in packs read from the reference mirror `../shared/data`.

use crate::{install, open, search, shared_data, titles};
use esculape_kb::{InstallOutcome, Severity, builtin_pack, read_bdpm_table};
use esculape_text::{Abbreviations, Language, fold};

#[test]
fn bdpm_in_its_official_windows_1252_encoding_is_decoded() {
    let Some(data) = shared_data() else { return };
    let kb_folder = tempfile::tempdir().unwrap();
    let kb = open(kb_folder.path());
    // The 2026 extract holds only specialties and compositions, as the publisher encodes them.
    let report = install(
        &kb,
        &builtin_pack("bdpm").unwrap(),
        Some(&data.join("drugs/bdpm-2026")),
    );
    let InstallOutcome::Installed {
        version, documents, ..
    } = &report.outcome
    else {
        panic!("{report:?}")
    };
    assert!(*documents > 15_000, "{documents}");
    assert_eq!(
        version, "2025-11-13",
        "the latest marketing authorization of the extract"
    );
    let notes: Vec<&str> = report
        .findings
        .iter()
        .filter(|finding| finding.message.contains("Windows-1252"))
        .map(|finding| finding.subject.as_str())
        .collect();
    assert_eq!(notes, ["CIS_bdpm.txt", "CIS_COMPO_bdpm.txt"]);
    let missing = report
        .findings
        .iter()
        .filter(|finding| finding.message.contains("absent"))
        .count();
    assert_eq!(missing, 6, "the six optional files are reported missing");
    let hits = search(&kb, "doliprane 1000 mg comprimé", 5);
    assert!(
        hits.iter()
            .any(|hit| hit.document_title.starts_with("DOLIPRANE 1000 mg")),
        "{:?}",
        titles(&hits)
    );
    assert!(
        hits.iter()
            .all(|hit| !hit.text.contains('\u{FFFD}') && !hit.text.contains("Ã")),
        "mis-decoded text"
    );
    assert!(hits[0].text.contains("comprimé") || hits[0].document_title.contains("comprimé"));
    // The structured tables stay available for the medication engine.
    let folder = kb.pack_folder("bdpm").unwrap();
    let (rows, encoding) = read_bdpm_table(&folder.join("CIS_COMPO_bdpm.txt")).unwrap();
    assert_eq!(encoding, esculape_kb::Encoding::Windows1252);
    assert!(
        rows.iter()
            .any(|row| row.get(3).is_some_and(|name| name.contains("PARACÉTAMOL")))
    );
}

#[test]
fn default_packs_give_cited_passages_for_a_french_and_an_english_question() {
    let Some(data) = shared_data() else { return };
    let kb_folder = tempfile::tempdir().unwrap();
    let kb = open(kb_folder.path());
    for id in [
        "ansm-interactions",
        "bdpm",
        "cim10",
        "medquad",
        "pamj-cases",
    ] {
        let report = install(&kb, &builtin_pack(id).unwrap(), Some(&data));
        assert!(
            report
                .findings
                .iter()
                .all(|finding| finding.severity != Severity::Skipped || id == "medquad"),
            "{id}: {:?}",
            report.findings
        );
    }
    let catalog = kb.catalog();
    assert_eq!(catalog.packs.len(), 5);
    assert_eq!(
        catalog.packs["ansm-interactions"].documents, 1585,
        "one document per pair of the 2020 thesaurus"
    );

    let hits = search(&kb, "anticoagulant et aspirine", 5);
    let best = &hits[0];
    assert_eq!(best.source.pack, "ansm-interactions", "{:?}", titles(&hits));
    assert_eq!(
        best.document_title,
        "ACIDE ACETYLSALICYLIQUE + ANTICOAGULANTS ORAUX"
    );
    assert_eq!(best.source.publisher, "ANSM");
    assert_eq!(best.source.version, "2020_01");

    let hits = search(&kb, "What are the treatments for high blood pressure?", 5);
    assert!(
        hits.iter()
            .take(3)
            .all(|hit| hit.source.pack == "medquad" && hit.language == "en"),
        "{:?}",
        titles(&hits)
    );
    assert!(
        hits[0]
            .document_title
            .to_lowercase()
            .contains("high blood pressure"),
        "{:?}",
        titles(&hits)
    );
    assert!(
        hits[0]
            .url
            .as_deref()
            .is_some_and(|url| url.starts_with("http"))
    );

    let hits = search(&kb, "clarithromycine simvastatine", 5);
    assert!(
        hits.iter().any(|hit| hit
            .document_title
            .contains("INHIBITEURS PUISSANTS DU CYP3A4")
            && hit.document_title.contains("SIMVASTATINE")),
        "class members make the class entry findable: {:?}",
        titles(&hits)
    );
    let hits = search(&kb, "Hypertension essentielle", 3);
    assert!(
        hits.iter()
            .any(|hit| hit.source.pack == "cim10" && hit.document_key == "I10"),
        "{:?}",
        titles(&hits)
    );
}

#[test]
fn every_expansion_is_attested_in_the_reference_corpus() {
    let Some(data) = shared_data() else { return };
    let mut french = String::new();
    let mut gz = Vec::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(
        std::fs::File::open(data.join("terminology/cim10_fr.csv.gz")).unwrap(),
    )
    .read_to_end(&mut gz)
    .unwrap();
    french.push_str(&String::from_utf8_lossy(&gz));
    french.push_str(
        &std::fs::read_to_string(data.join("corpus/pamj_clinical_cases_fr.jsonl")).unwrap(),
    );
    french.push_str(
        &std::fs::read_to_string(data.join("drugs/bdpm-2021-01/CIS_COMPO_bdpm.txt")).unwrap(),
    );
    let english = std::fs::read_to_string(data.join("corpus/medquad.jsonl")).unwrap();
    let french = normalize(&french);
    let english = normalize(&english);
    let mut unattested = Vec::new();
    for row in Abbreviations::builtin().rows() {
        let haystack = if row.language == Language::French {
            &french
        } else {
            &english
        };
        let needle = format!(" {} ", row.expansion_words.join(" "));
        if !haystack.contains(&needle) {
            unattested.push(format!("{} = {}", row.abbreviation, row.expansion));
        }
    }
    assert!(
        unattested.is_empty(),
        "expansions not found in the reference texts: {unattested:?}"
    );
}

// Folded words separated by single spaces, so phrases compare whatever the punctuation.
fn normalize(text: &str) -> String {
    let words: Vec<String> = esculape_text::words(&fold(text))
        .map(|word| word.folded)
        .collect();
    format!(" {} ", words.join(" "))
}
