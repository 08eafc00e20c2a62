//! `esculape draft`: a lettre de liaison from synthetic notes, saved for its author,
//! exported only once validated, with the patient notice.

use super::*;

const NOTES: &str = "Motif : décompensation cardiaque globale.\nAntécédents : hypertension artérielle.\nBiologie : créatinine à 110 µmol/l.\nConsultation de cardiologie à prévoir dans 1 mois.\n";

#[test]
fn a_lettre_de_liaison_is_drafted_validated_exported_and_its_notice_printed() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("var");
    let added = run(esculape(&data)
        .args([
            "users",
            "add",
            "dr.martin",
            "--name",
            "Dr Martin",
            "--role",
            "clinician",
        ])
        .env("ESCULAPE_USER_PASSWORD", "correct horse battery staple"));
    assert!(added.status.success(), "{}", text(&added));
    let notes = folder.path().join("notes.txt");
    std::fs::write(&notes, NOTES).unwrap();

    let drafted = run(esculape(&data)
        .args([
            "draft",
            "--type",
            "lettre-de-liaison",
            "--user",
            "dr.martin",
            "--json",
        ])
        .arg(&notes));
    assert!(drafted.status.success(), "{}", text(&drafted));
    let value: serde_json::Value = serde_json::from_slice(&drafted.stdout).unwrap();
    let id = value["id"].as_i64().unwrap().to_string();
    let sections = value["draft"]["sections"].as_array().unwrap();
    assert_eq!(
        sections[0]["sentences"][0]["text"],
        "décompensation cardiaque globale."
    );
    assert_eq!(sections[0]["sentences"][0]["spans"][0]["start_char"], 8);
    assert_eq!(sections[4]["missing"], "non renseigné dans les notes");

    let refused = run(esculape(&data).args(["draft", "export", &id, "--user", "dr.martin"]));
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("only a validated document is exported"),
        "{}",
        text(&refused)
    );

    let validated = run(esculape(&data).args(["draft", "validate", &id, "--user", "dr.martin"]));
    assert!(validated.status.success(), "{}", text(&validated));
    let exported = run(esculape(&data).args([
        "draft",
        "export",
        &id,
        "--format",
        "html",
        "--user",
        "dr.martin",
    ]));
    assert!(exported.status.success(), "{}", text(&exported));
    let html = String::from_utf8_lossy(&exported.stdout);
    assert!(html.contains("<h2>Résultats en attente</h2>"), "{html}");
    assert!(html.contains("validé par Dr Martin"), "{html}");

    let notice = run(esculape(&data)
        .args(["draft", "notice", &id])
        .env("ESCULAPE_USER", "dr.martin"));
    let notice = text(&notice);
    assert!(
        notice.contains("Information du patient") && notice.contains("Patient information"),
        "{notice}"
    );

    let listed = run(esculape(&data).args(["draft", "list", "--user", "dr.martin"]));
    assert!(text(&listed).contains("validated"), "{}", text(&listed));

    // The first draft created the data key, readable by its owner only; the database
    // holds the draft sealed, and another key cannot read it.
    let key_file = data.join("keys").join("store.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let needle = b"cardiaque globale";
    for file in ["esculape.sqlite3", "esculape.sqlite3-wal"] {
        if let Ok(bytes) = std::fs::read(data.join(file)) {
            assert!(
                !bytes.windows(needle.len()).any(|window| window == needle),
                "{file} holds the draft in clear"
            );
        }
    }
    let wrong_key = run(esculape(&data)
        .args(["draft", "show", &id, "--user", "dr.martin"])
        .env("ESCULAPE_STORE_KEY", "11".repeat(32)));
    assert!(!wrong_key.status.success());
    assert!(
        text(&wrong_key).contains("restore the key file"),
        "{}",
        text(&wrong_key)
    );
}
