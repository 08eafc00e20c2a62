//! Integration tests of the store: accounts, sessions, the audit chain against each kind
//! of tampering, retention, and a writer killed with SIGKILL. Every test runs on every
//! backend through `store_test!` (SQLite today).

mod durability;

use esculape_store::{NewAuditRecord, NewUser, SessionRecord, SqliteStore, Store, UserUpdate};
use std::path::Path;

/// Declares one test per backend; the body gets `store: &dyn Store` and the folder.
macro_rules! store_test {
    ($name:ident, |$store:ident, $folder:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                let folder = tempfile::tempdir().expect("temporary folder");
                let store = crate::open_sqlite(folder.path());
                let $store: &dyn esculape_store::Store = &store;
                let $folder: &std::path::Path = folder.path();
                $body
            }
        }
    };
}

/// A fixed data key, so a test can reopen its database.
pub fn test_key() -> esculape_store::DataKey {
    esculape_store::DataKey::parse(&"5a".repeat(32)).expect("a valid test key")
}

pub fn open_sqlite(folder: &Path) -> SqliteStore {
    SqliteStore::open(&folder.join("esculape.sqlite3"))
        .expect("open the store")
        .with_data_key(test_key())
}

pub fn audit(action: &str, at_ms: i64) -> NewAuditRecord {
    NewAuditRecord {
        at_ms,
        actor: "admin".into(),
        action: action.into(),
        target: "dr.martin".into(),
        outcome: "success".into(),
        details: serde_json::json!({ "role": "clinician" }),
    }
}

fn user(login: &str) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: format!("Dr {login}"),
        role: "clinician".into(),
        password_hash: "$argon2id$not-a-real-hash".into(),
        created_at_s: 1_000,
    }
}

/// Appends five records, applies `tampering` as raw SQL (as someone with the file would,
/// triggers dropped), and checks what verification says.
fn check_tampering(tampering: &str, expect: &str) {
    let folder = tempfile::tempdir().unwrap();
    let store = open_sqlite(folder.path());
    for index in 0..5 {
        store
            .append_audit(&audit("users.create", 1_000 + index))
            .unwrap();
    }
    assert!(store.verify_audit().unwrap().is_intact());
    drop(store);
    let connection = rusqlite::Connection::open(folder.path().join("esculape.sqlite3")).unwrap();
    connection
        .execute_batch(
            "DROP TRIGGER audit_records_are_never_updated; \
             DROP TRIGGER audit_records_are_deleted_only_behind_the_anchor;",
        )
        .unwrap();
    connection.execute_batch(tampering).unwrap();
    drop(connection);
    let verification = open_sqlite(folder.path()).verify_audit().unwrap();
    let found = verification
        .problem
        .map_or("intact".to_string(), |problem| problem.to_string());
    assert!(found.starts_with(expect), "{tampering}: {found}");
}

#[test]
fn a_modified_record_is_found() {
    check_tampering(
        "UPDATE audit SET details = '{\"role\":\"admin\"}' WHERE id = 3",
        "record 3 was modified",
    );
}

#[test]
fn a_modified_time_is_found() {
    check_tampering(
        "UPDATE audit SET at_ms = at_ms + 1 WHERE id = 2",
        "record 2 was modified",
    );
}

#[test]
fn a_removed_middle_record_is_found() {
    check_tampering("DELETE FROM audit WHERE id = 3", "record 4 does not follow");
}

#[test]
fn a_removed_first_record_is_found() {
    check_tampering("DELETE FROM audit WHERE id = 1", "record 2 does not follow");
}

#[test]
fn removed_newest_records_are_found() {
    check_tampering(
        "DELETE FROM audit WHERE id >= 4",
        "the trail ends before its last record (5)",
    );
}

#[test]
fn reordered_records_are_found() {
    check_tampering(
        "UPDATE audit SET id = 100 WHERE id = 2; UPDATE audit SET id = 2 WHERE id = 3; \
         UPDATE audit SET id = 3 WHERE id = 100;",
        "record 2 does not follow",
    );
}

#[test]
fn a_rehashed_record_is_still_found_by_the_next_link() {
    // Changing a record and recomputing its own hash breaks the link of the next record.
    let folder = tempfile::tempdir().unwrap();
    let store = open_sqlite(folder.path());
    for index in 0..3 {
        store
            .append_audit(&audit("auth.login", 1_000 + index))
            .unwrap();
    }
    let first = store.audit_records(None, 10).unwrap().pop().unwrap();
    let previous: [u8; 32] = [0; 32];
    let content = esculape_store::canonical_content(
        first.id,
        first.at_ms,
        "mallory",
        &first.action,
        &first.target,
        &first.outcome,
        &first.details,
    );
    let forged = esculape_store::record_sha256(&previous, &content);
    drop(store);
    let connection = rusqlite::Connection::open(folder.path().join("esculape.sqlite3")).unwrap();
    connection
        .execute_batch("DROP TRIGGER audit_records_are_never_updated")
        .unwrap();
    connection
        .execute(
            "UPDATE audit SET actor = 'mallory', sha256 = ?1 WHERE id = 1",
            [&forged[..]],
        )
        .unwrap();
    drop(connection);
    let problem = open_sqlite(folder.path())
        .verify_audit()
        .unwrap()
        .problem
        .unwrap();
    assert_eq!(
        problem.to_string(),
        "record 2 does not follow the record before it: records were removed or reordered"
    );
}

store_test!(
    audit_chain_verifies_and_lists_newest_first,
    |store, _folder| {
        for index in 0..4 {
            store
                .append_audit(&audit("auth.login", 1_000 + index))
                .unwrap();
        }
        let verification = store.verify_audit().unwrap();
        assert_eq!((verification.records_checked, verification.head_id), (4, 4));
        assert!(verification.is_intact());
        let ids: Vec<i64> = store
            .audit_records(None, 10)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, [4, 3, 2, 1]);
        let ids: Vec<i64> = store
            .audit_records(Some(3), 1)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, [2]);
    }
);

store_test!(audit_records_link_to_their_predecessor, |store, _folder| {
    let first = store.append_audit(&audit("auth.login", 1)).unwrap();
    let second = store.append_audit(&audit("auth.logout", 2)).unwrap();
    assert_eq!(first.previous_sha256, "0".repeat(64));
    assert_eq!(second.previous_sha256, first.sha256);
});

store_test!(
    audit_records_cannot_be_changed_through_sql,
    |_store, folder| {
        let store = open_sqlite(folder);
        store.append_audit(&audit("auth.login", 1)).unwrap();
        drop(store);
        let connection = rusqlite::Connection::open(folder.join("esculape.sqlite3")).unwrap();
        let update = connection
            .execute("UPDATE audit SET actor = 'x'", [])
            .unwrap_err();
        assert!(update.to_string().contains("append-only"), "{update}");
        let delete = connection.execute("DELETE FROM audit", []).unwrap_err();
        assert!(delete.to_string().contains("retention"), "{delete}");
    }
);

store_test!(
    retention_removes_an_old_prefix_and_keeps_the_chain,
    |store, _folder| {
        for at_ms in [100, 200, 300, 400, 500] {
            store.append_audit(&audit("auth.login", at_ms)).unwrap();
        }
        let outcome = store.remove_audit_before(350).unwrap();
        assert_eq!((outcome.removed, outcome.anchor_id), (3, 3));
        let verification = store.verify_audit().unwrap();
        assert!(verification.is_intact(), "{verification:?}");
        assert_eq!(
            (verification.records_checked, verification.anchor_id),
            (2, 3)
        );
        // Nothing older remains: a second pass removes nothing.
        assert_eq!(store.remove_audit_before(350).unwrap().removed, 0);
        store.append_audit(&audit("auth.logout", 600)).unwrap();
        assert!(store.verify_audit().unwrap().is_intact());
    }
);

store_test!(
    retention_stops_at_the_first_record_to_keep,
    |store, _folder| {
        // A record with a later clock in the middle keeps everything after it.
        for at_ms in [100, 900, 200, 300] {
            store.append_audit(&audit("auth.login", at_ms)).unwrap();
        }
        assert_eq!(store.remove_audit_before(500).unwrap().removed, 1);
        assert!(store.verify_audit().unwrap().is_intact());
    }
);

store_test!(retention_of_everything_still_verifies, |store, _folder| {
    for at_ms in [100, 200] {
        store.append_audit(&audit("auth.login", at_ms)).unwrap();
    }
    assert_eq!(store.remove_audit_before(1_000).unwrap().removed, 2);
    let verification = store.verify_audit().unwrap();
    assert!(verification.is_intact());
    assert_eq!(verification.records_checked, 0);
    store.append_audit(&audit("auth.login", 1_100)).unwrap();
    assert_eq!(store.audit_records(None, 5).unwrap()[0].id, 3);
    assert!(store.verify_audit().unwrap().is_intact());
});

store_test!(users_are_unique_by_login, |store, _folder| {
    let created = store.create_user(&user("dr.martin")).unwrap();
    assert_eq!(
        store.user_by_login("dr.martin").unwrap(),
        Some(created.clone())
    );
    assert_eq!(store.user(created.id).unwrap(), Some(created));
    let error = store.create_user(&user("dr.martin")).unwrap_err();
    assert!(
        matches!(error, esculape_store::Error::Conflict(_)),
        "{error}"
    );
    store.create_user(&user("dr.bernard")).unwrap();
    let logins: Vec<String> = store
        .users()
        .unwrap()
        .into_iter()
        .map(|u| u.login)
        .collect();
    assert_eq!(logins, ["dr.bernard", "dr.martin"]);
});

store_test!(
    user_updates_apply_and_a_new_password_unlocks,
    |store, _folder| {
        let id = store.create_user(&user("dr.martin")).unwrap().id;
        let updated = store
            .update_user(
                id,
                &UserUpdate {
                    role: Some("admin".into()),
                    disabled: Some(true),
                    ..UserUpdate::default()
                },
            )
            .unwrap();
        assert_eq!((updated.role.as_str(), updated.disabled), ("admin", true));
        assert_eq!(store.count_active_users_with_role("admin").unwrap(), 0);
        store.record_failed_login(id, 10, 1, 60).unwrap();
        let reset = store
            .update_user(
                id,
                &UserUpdate {
                    password_hash: Some("$argon2id$new".into()),
                    ..UserUpdate::default()
                },
            )
            .unwrap();
        assert_eq!((reset.failed_attempts, reset.locked_until_s), (0, None));
        let missing = store.update_user(999, &UserUpdate::default()).unwrap_err();
        assert!(
            matches!(missing, esculape_store::Error::NotFound(_)),
            "{missing}"
        );
    }
);

store_test!(failed_logins_lock_at_the_limit, |store, _folder| {
    let id = store.create_user(&user("dr.martin")).unwrap().id;
    let after_two = store.record_failed_login(id, 1_000, 3, 900).unwrap();
    let after_two = store
        .record_failed_login(id, 1_000, 3, 900)
        .map(|_| after_two)
        .unwrap();
    assert_eq!(after_two.locked_until_s, None);
    let third = store.record_failed_login(id, 1_000, 3, 900).unwrap();
    assert_eq!(
        (third.failed_attempts, third.locked_until_s),
        (0, Some(1_900))
    );
    store.clear_failed_logins(id).unwrap();
    assert_eq!(store.user(id).unwrap().unwrap().locked_until_s, None);
});

store_test!(sessions_expire_and_go_with_their_user, |store, _folder| {
    let id = store.create_user(&user("dr.martin")).unwrap().id;
    let session = SessionRecord {
        token_sha256: [7; 32],
        user_id: id,
        csrf_token: "csrf".into(),
        created_at_s: 100,
        expires_at_s: 200,
    };
    store.create_session(&session).unwrap();
    assert_eq!(store.session(&[7; 32], 199).unwrap(), Some(session.clone()));
    assert_eq!(store.session(&[7; 32], 200).unwrap(), None);
    assert_eq!(store.session(&[8; 32], 100).unwrap(), None);
    assert_eq!(store.delete_expired_sessions(150).unwrap(), 0);
    assert_eq!(store.delete_sessions_of_user(id).unwrap(), 1);
    store.create_session(&session).unwrap();
    store.delete_session(&[7; 32]).unwrap();
    assert_eq!(store.session(&[7; 32], 100).unwrap(), None);
});

#[test]
fn reopening_keeps_data_and_schema() {
    let folder = tempfile::tempdir().unwrap();
    let store = open_sqlite(folder.path());
    store.create_user(&user("dr.martin")).unwrap();
    store.append_audit(&audit("users.create", 1)).unwrap();
    drop(store);
    let store = open_sqlite(folder.path());
    assert_eq!(store.users().unwrap().len(), 1);
    assert!(store.verify_audit().unwrap().is_intact());
    drop(store);
    let connection = rusqlite::Connection::open(folder.path().join("esculape.sqlite3")).unwrap();
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, SqliteStore::schema_version());
    let mode: String = connection
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("esculape.sqlite3");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let error = SqliteStore::open(&path).unwrap_err();
    assert!(error.to_string().contains("newer Esculape"), "{error}");
}

mod drafts;
