//! Integration tests of the use cases: login and lockout, the permission table, audit
//! records of each use case, the first administrator, and the terminal operator.

use esculape_app::{
    AccountChange, App, AppSettings, Error, NewAccount, Operator, Password, Permission, Role,
};
use esculape_kb::{KbConfig, KnowledgeBase};
use esculape_store::{SqliteStore, Store};
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery staple";

struct Fixture {
    app: App,
    store: Arc<SqliteStore>,
    _folder: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let folder = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(KbConfig::at(folder.path().join("kb"))).unwrap();
    let store = Arc::new(
        SqliteStore::open(&folder.path().join("esculape.sqlite3"))
            .unwrap()
            .with_data_key(esculape_store::DataKey::random().unwrap()),
    );
    let settings = AppSettings {
        lockout_attempts: 2,
        ..AppSettings::default()
    };
    let app = App::new(Arc::new(kb), store.clone(), settings);
    for (login, role) in [
        ("admin", Role::Admin),
        ("dr.martin", Role::Clinician),
        ("auditrice", Role::Auditor),
    ] {
        let account = NewAccount {
            login: login.into(),
            display_name: login.into(),
            role,
            password: Password::new(PASSWORD),
        };
        app.operator_create_user(Operator::terminal(), &account)
            .unwrap();
    }
    Fixture {
        app,
        store,
        _folder: folder,
    }
}

/// The last audit record as `actor action target outcome`.
fn last_audit(store: &SqliteStore) -> String {
    let record = store.audit_records(None, 1).unwrap().remove(0);
    format!(
        "{} {} {} {}",
        record.actor, record.action, record.target, record.outcome
    )
}

/// Runs `use_case` as `login` and checks the error kind (or "ok") and the audit record it left.
fn check(
    login: &str,
    use_case: impl FnOnce(&App, &esculape_app::Identity) -> Result<(), Error>,
    expect: (&str, &str),
) {
    let fixture = fixture();
    let session = fixture.app.login(login, &Password::new(PASSWORD)).unwrap();
    let outcome = match use_case(&fixture.app, session.auth.identity()) {
        Ok(()) => "ok".to_string(),
        Err(error) => format!("{error:?}")
            .split('(')
            .next()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string(),
    };
    assert_eq!(
        (outcome.as_str(), last_audit(&fixture.store).as_str()),
        expect
    );
}

#[test]
fn permissions_follow_one_table() {
    let table: Vec<(Role, Vec<Permission>)> = Role::ALL
        .into_iter()
        .map(|role| {
            let allowed = [
                Permission::Search,
                Permission::ReadSources,
                Permission::UpdateSources,
                Permission::ManageUsers,
                Permission::ReadAudit,
            ]
            .into_iter()
            .filter(|permission| role.allows(*permission))
            .collect();
            (role, allowed)
        })
        .collect();
    assert_eq!(
        table,
        [
            (
                Role::Clinician,
                vec![Permission::Search, Permission::ReadSources]
            ),
            (
                Role::Admin,
                vec![
                    Permission::Search,
                    Permission::ReadSources,
                    Permission::UpdateSources,
                    Permission::ManageUsers
                ]
            ),
            (
                Role::Auditor,
                vec![
                    Permission::Search,
                    Permission::ReadSources,
                    Permission::ReadAudit
                ]
            ),
        ]
    );
}

#[test]
fn use_cases_check_the_role_and_leave_an_audit_record() {
    check(
        "dr.martin",
        |app, me| app.users(me).map(drop),
        ("Forbidden", "dr.martin users.list  denied"),
    );
    check(
        "admin",
        |app, me| app.users(me).map(drop),
        ("ok", "admin users.list  success"),
    );
    check(
        "admin",
        |app, me| app.audit_records(me, None, 10).map(drop),
        ("Forbidden", "admin audit.list  denied"),
    );
    check(
        "auditrice",
        |app, me| app.verify_audit(me).map(drop),
        ("ok", "auditrice audit.verify  success"),
    );
    check(
        "dr.martin",
        |app, me| app.update_source(me, "bdpm").map(drop),
        ("Forbidden", "dr.martin sources.update bdpm denied"),
    );
    check(
        "admin",
        |app, me| {
            app.change_user(me, 2, &AccountChange::Role(Role::Auditor))
                .map(drop)
        },
        ("ok", "admin users.role dr.martin success"),
    );
    check(
        "admin",
        |app, me| {
            app.change_user(me, 1, &AccountChange::Disabled(true))
                .map(drop)
        },
        ("Conflict", "admin auth.login admin success"),
    );
}

#[test]
fn login_refuses_alike_and_locks_after_repeated_failures() {
    let fixture = fixture();
    let wrong = fixture
        .app
        .login("dr.martin", &Password::new("not the password"))
        .unwrap_err();
    let unknown = fixture
        .app
        .login("nobody", &Password::new("not the password"))
        .unwrap_err();
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(last_audit(&fixture.store), "anonymous auth.login  failure");
    fixture
        .app
        .login("dr.martin", &Password::new("not the password"))
        .unwrap_err();
    let locked = fixture
        .app
        .login("dr.martin", &Password::new(PASSWORD))
        .unwrap_err();
    assert!(matches!(locked, Error::Unauthenticated(_)));
    assert_eq!(
        last_audit(&fixture.store),
        "dr.martin auth.login dr.martin denied"
    );
}

#[test]
fn sessions_end_at_logout_and_when_the_account_changes() {
    let fixture = fixture();
    let session = fixture
        .app
        .login("DR.Martin", &Password::new(PASSWORD))
        .unwrap();
    let auth = fixture.app.authenticate(&session.token).unwrap();
    assert_eq!(
        (auth.identity().login(), auth.identity().role()),
        ("dr.martin", Role::Clinician)
    );
    assert!(
        auth.csrf_matches(session.auth.csrf_token())
            && !auth.csrf_matches("")
            && !auth.csrf_matches("x")
    );
    let admin = fixture
        .app
        .login("admin", &Password::new(PASSWORD))
        .unwrap();
    fixture
        .app
        .change_user(
            admin.auth.identity(),
            auth.identity().user_id(),
            &AccountChange::Disabled(true),
        )
        .unwrap();
    assert!(matches!(
        fixture.app.authenticate(&session.token),
        Err(Error::Unauthenticated(_))
    ));
    fixture.app.logout(&admin.auth).unwrap();
    assert!(fixture.app.authenticate(&admin.token).is_err());
    assert_eq!(
        last_audit(&fixture.store),
        "admin auth.logout admin success"
    );
}

#[test]
fn the_first_administrator_is_created_once() {
    let folder = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(KbConfig::at(folder.path().join("kb"))).unwrap();
    let store = Arc::new(
        SqliteStore::open(&folder.path().join("esculape.sqlite3"))
            .unwrap()
            .with_data_key(esculape_store::DataKey::random().unwrap()),
    );
    let app = App::new(Arc::new(kb), store, AppSettings::default());
    let password = Password::new(esculape_app::random_password().unwrap());
    assert_eq!(
        app.ensure_admin(Operator::terminal(), &password)
            .unwrap()
            .as_deref(),
        Some("admin")
    );
    assert_eq!(
        app.ensure_admin(Operator::terminal(), &password).unwrap(),
        None
    );
    assert_eq!(
        app.login("admin", &password)
            .unwrap()
            .auth
            .identity()
            .role(),
        Role::Admin
    );
}

#[test]
fn search_validates_its_query() {
    let fixture = fixture();
    let session = fixture
        .app
        .login("dr.martin", &Password::new(PASSWORD))
        .unwrap();
    let query = |text: &str, k| esculape_app::SearchQuery {
        query: text.into(),
        k,
        sources: vec![],
    };
    let me = session.auth.identity();
    assert!(matches!(
        fixture.app.search(me, &query("  ", 5)),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        fixture.app.search(me, &query("aspirine", 0)),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        fixture.app.search(me, &query(&"a".repeat(1001), 5)),
        Err(Error::Invalid(_))
    ));
    assert!(
        fixture
            .app
            .search(me, &query("aspirine", 5))
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        fixture.app.passage(me, "nope#1", 100),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn passwords_are_argon2id_and_never_in_debug_output() {
    let fixture = fixture();
    let user = fixture.store.user_by_login("dr.martin").unwrap().unwrap();
    assert!(
        user.password_hash.starts_with("$argon2id$v=19$"),
        "{}",
        user.password_hash
    );
    assert_eq!(
        format!("{:?}", Password::new(PASSWORD)),
        "Password([redacted])"
    );
    let session = fixture
        .app
        .login("dr.martin", &Password::new(PASSWORD))
        .unwrap();
    assert!(!format!("{session:?}").contains(session.token.expose()));
}

#[test]
fn rfc3339_dates_are_right_around_leap_days() {
    for (unix_ms, expect) in [
        (0, "1970-01-01T00:00:00Z"),
        (951_782_400_000, "2000-02-29T00:00:00Z"),
        (1_764_067_485_000, "2025-11-25T10:44:45Z"),
    ] {
        assert_eq!(esculape_app::rfc3339_utc(unix_ms), expect);
    }
}

mod drafts;
mod medication;
