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
