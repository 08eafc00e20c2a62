//! The verifier's drug names from the installed thesaurus and BDPM (reference data of
//! `../shared/data`, skipped with a message when that folder is absent).

use esculape_answer::DrugNames;
use std::path::Path;

#[test]
fn drug_names_come_from_the_thesaurus_and_the_bdpm() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/drugs");
    if !data.exists() {
        eprintln!("skipped: ../shared/data is absent (the reference data sets live there)");
        return;
    }
    let folder = data.join("ansm-thesaurus/2020_01");
    let read = |name: &str| std::fs::read_to_string(folder.join(name)).expect("read");
    let thesaurus = esculape_drugs::Thesaurus::from_json(
        &read("thesaurus-referentiel-national-des-interactions-medicamenteuses-20102020.json"),
        &read("index-des-substances-20102020.json"),
        "2020_01",
    )
    .expect("thesaurus");
    let tables = esculape_app::read_bdpm_tables(&data.join("bdpm-2021-01")).expect("tables");
    let bdpm = esculape_drugs::Bdpm::from_tables(tables, "2021-01").expect("bdpm");

    let thesaurus_only = esculape_app::drug_names(&thesaurus, None);
    let names = esculape_app::drug_names(&thesaurus, Some(&bdpm));
    let verifier = DrugNames::from_names(names.iter().map(String::as_str));
    // A substance of the thesaurus, a BDPM substance, and a brand word.
    assert_eq!(
        verifier
            .mentions("La clarithromycine avec la simvastatine, le Doliprane ou le paracétamol."),
        [
            "clarithromycine",
            "simvastatine",
            "doliprane",
            "paracetamol"
        ]
    );
    // Brand words come from the BDPM only, and words of substance names are no brands.
    let thesaurus_verifier = DrugNames::from_names(thesaurus_only.iter().map(String::as_str));
    assert!(thesaurus_verifier.mentions("Doliprane").is_empty());
    assert!(verifier.mentions("acide urique").is_empty());
    // Classes of the thesaurus are no drug names.
    assert!(
        !names
            .iter()
            .any(|name| name.starts_with("INHIBITEURS PUISSANTS"))
    );
}
