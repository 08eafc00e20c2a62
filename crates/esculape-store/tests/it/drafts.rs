//! Drafts: the life of a draft (draft → edited → validated or rejected), every version
//! kept, decided drafts frozen, even against raw SQL.

use super::*;
use esculape_store::{DraftDecision, DraftStatus, NewDraft};

fn new_draft(owner_id: i64) -> NewDraft {
    NewDraft {
        owner_id,
        document_type: "lettre-de-liaison".into(),
        title: "Lettre de liaison de sortie".into(),
        ai_use: serde_json::json!({ "model": null }),
        body: "# Lettre\n\nversion 1\n".into(),
        trace: serde_json::json!({ "sections": [] }),
        created_at_s: 2_000,
    }
}

/// `expect`: "status latest_version decided_by".
fn check(record: &esculape_store::DraftRecord, expect: &str) {
    let found = format!(
        "{} {} {}",
        record.status.as_str(),
        record.latest_version,
        record
            .decided_by
            .map_or("-".to_string(), |id| id.to_string())
    );
    assert_eq!(found, expect);
}

store_test!(
    a_draft_is_edited_then_validated_and_every_version_is_kept,
    |store, _folder| {
        let owner = store.create_user(&user("dr.martin")).unwrap();
        let created = store.create_draft(&new_draft(owner.id)).unwrap();
        check(&created, "draft 1 -");
        let edited = store
            .add_draft_version(created.id, owner.id, "# Lettre\n\nversion 2\n", 2_100)
            .unwrap();
        check(&edited, "edited 2 -");
        let validated = store
            .decide_draft(created.id, owner.id, &DraftDecision::Validate, 2_200)
            .unwrap();
        check(&validated, &format!("validated 2 {}", owner.id));
        assert_eq!(validated.decided_at_s, Some(2_200));
        let bodies: Vec<String> = store
            .draft_versions(created.id)
            .unwrap()
            .into_iter()
            .map(|version| version.body)
            .collect();
        assert_eq!(
            bodies,
            ["# Lettre\n\nversion 1\n", "# Lettre\n\nversion 2\n"]
        );
    }
);

store_test!(
    a_decided_draft_takes_no_new_version_nor_decision,
    |store, _folder| {
        let owner = store.create_user(&user("dr.martin")).unwrap();
        let created = store.create_draft(&new_draft(owner.id)).unwrap();
        let rejected = store
            .decide_draft(
                created.id,
                owner.id,
                &DraftDecision::Reject {
                    reason: "incomplet".into(),
                },
                2_300,
            )
            .unwrap();
        assert_eq!(rejected.status, DraftStatus::Rejected);
        assert_eq!(rejected.rejection_reason.as_deref(), Some("incomplet"));
        let error = store
            .add_draft_version(created.id, owner.id, "changed", 2_400)
            .unwrap_err()
            .to_string();
        assert!(error.contains("already rejected"), "{error}");
        let error = store
            .decide_draft(created.id, owner.id, &DraftDecision::Validate, 2_500)
            .unwrap_err()
            .to_string();
        assert!(error.contains("already rejected"), "{error}");
        let error = store
            .draft_versions(9_999)
            .map(|versions| versions.len())
            .unwrap();
        assert_eq!(error, 0);
        assert!(store.draft(9_999).unwrap().is_none());
    }
);

store_test!(
    drafts_are_listed_per_owner_newest_first,
    |store, _folder| {
        let martin = store.create_user(&user("dr.martin")).unwrap();
        let durand = store.create_user(&user("dr.durand")).unwrap();
        let first = store.create_draft(&new_draft(martin.id)).unwrap();
        store.create_draft(&new_draft(durand.id)).unwrap();
        let second = store.create_draft(&new_draft(martin.id)).unwrap();
        let ids: Vec<i64> = store
            .drafts_of_owner(martin.id)
            .unwrap()
            .into_iter()
            .map(|draft| draft.id)
            .collect();
        assert_eq!(ids, [second.id, first.id]);
    }
);

#[test]
fn raw_sql_cannot_rewrite_a_version_or_reopen_a_decided_draft() {
    let folder = tempfile::tempdir().unwrap();
    let store = open_sqlite(folder.path());
    let owner = store.create_user(&user("dr.martin")).unwrap();
    let created = store.create_draft(&new_draft(owner.id)).unwrap();
    store
        .decide_draft(created.id, owner.id, &DraftDecision::Validate, 2_200)
        .unwrap();
    drop(store);
    let connection = rusqlite::Connection::open(folder.path().join("esculape.sqlite3")).unwrap();
    for (sql, expect) in [
        (
            "UPDATE draft_versions SET body = 'forged'",
            "kept as written",
        ),
        ("DELETE FROM draft_versions", "versions are kept"),
        ("UPDATE drafts SET status = 'draft'", "stays as decided"),
        (
            "INSERT INTO draft_versions VALUES (1, 2, 1, 3000, 'late', 'null')",
            "takes no new version",
        ),
    ] {
        let error = connection.execute_batch(sql).unwrap_err().to_string();
        assert!(error.contains(expect), "{sql}: {error}");
    }
}

#[test]
fn a_drafts_patient_text_is_sealed_in_the_database_file() {
    let folder = tempfile::tempdir().unwrap();
    let store = open_sqlite(folder.path());
    let owner = store.create_user(&user("dr.martin")).unwrap();
    let mut draft = new_draft(owner.id);
    draft.title = "Lettre pour Mme Zoélie QUARTZMANN".into();
    draft.body = "Mme Zoélie QUARTZMANN, vue le 03/04/2026.".into();
    let created = store.create_draft(&draft).unwrap();
    store
        .add_draft_version(created.id, owner.id, "Version 2 : QUARTZMANN", 2_100)
        .unwrap();
    store
        .decide_draft(
            created.id,
            owner.id,
            &DraftDecision::Reject {
                reason: "QUARTZMANN : mauvais patient".into(),
            },
            2_200,
        )
        .unwrap();
    // Read back in clear through the store…
    let record = store.draft(created.id).unwrap().unwrap();
    assert_eq!(record.title, "Lettre pour Mme Zoélie QUARTZMANN");
    assert_eq!(
        record.rejection_reason.as_deref(),
        Some("QUARTZMANN : mauvais patient")
    );
    let versions = store.draft_versions(created.id).unwrap();
    assert_eq!(
        versions[0].body,
        "Mme Zoélie QUARTZMANN, vue le 03/04/2026."
    );
    assert_eq!(versions[1].body, "Version 2 : QUARTZMANN");
    assert_eq!(versions[1].trace, "null");
    drop(store);
    // …but the files on disk (database and write-ahead log) never hold the name.
    for entry in std::fs::read_dir(folder.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(10).any(|window| window == b"QUARTZMANN"),
            "a file of the database holds the patient's name in clear"
        );
    }
}

#[test]
fn another_key_cannot_read_the_drafts_and_says_what_to_do() {
    let folder = tempfile::tempdir().unwrap();
    let store = open_sqlite(folder.path());
    let owner = store.create_user(&user("dr.martin")).unwrap();
    let created = store.create_draft(&new_draft(owner.id)).unwrap();
    drop(store);
    let other = SqliteStore::open(&folder.path().join("esculape.sqlite3"))
        .unwrap()
        .with_data_key(esculape_store::DataKey::random().unwrap());
    let error = other.draft_versions(created.id).unwrap_err().to_string();
    assert!(error.contains("restore the key file"), "{error}");
    let keyless = SqliteStore::open(&folder.path().join("esculape.sqlite3")).unwrap();
    let error = keyless.draft(created.id).unwrap_err().to_string();
    assert!(error.contains("store.key_file"), "{error}");
}

#[test]
fn a_sealed_version_moved_to_another_draft_does_not_open() {
    let folder = tempfile::tempdir().unwrap();
    let store = open_sqlite(folder.path());
    let owner = store.create_user(&user("dr.martin")).unwrap();
    let first = store.create_draft(&new_draft(owner.id)).unwrap();
    let second = store.create_draft(&new_draft(owner.id)).unwrap();
    drop(store);
    let connection = rusqlite::Connection::open(folder.path().join("esculape.sqlite3")).unwrap();
    // The triggers forbid updates; a forged copy of the first body into a new row of the
    // second draft still carries the first row's associated data.
    connection
        .execute(
            "INSERT INTO draft_versions (draft_id, version, author_id, created_at_s, body, trace) \
             SELECT ?2, 2, author_id, created_at_s, body, trace FROM draft_versions WHERE draft_id = ?1",
            [first.id, second.id],
        )
        .unwrap();
    drop(connection);
    let store = open_sqlite(folder.path());
    assert!(store.draft_versions(second.id).is_err());
}
