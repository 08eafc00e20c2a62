//! Router-level tests, in process: every API endpoint with its 401/403 cases, CSRF,
//! lockout, the OpenAPI document in sync with the routes, security headers, and the pages.

mod api;
mod clinical;
mod drafts;
mod openai;
mod pages;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use esculape_app::{App, AppSettings, Features, NewAccount, Operator, Password, Role};
use esculape_kb::{KbConfig, KnowledgeBase, NoProgress, local_folder_pack};
use esculape_server::ServerConfig;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

/// A running application over a temporary folder: a small synthetic pack, and one user
/// per role (`admin`, `dr.martin` the clinician, `auditrice` the auditor).
#[derive(Debug)]
pub struct TestServer {
    pub router: Router,
    pub app: App,
    _folder: tempfile::TempDir,
}

pub fn server() -> TestServer {
    server_with(Features::default())
}

pub fn server_with(features: Features) -> TestServer {
    server_configured(|app| app.with_features(features))
}

/// A synthetic ANSM-format thesaurus of one entry, through a class (not medical advice:
/// the levels of real pairs come from the installed pack).
pub const THESAURUS_JSON: &str = r#"[{"main_drug": "INHIBITEURS PUISSANTS DU CYP3A4",
  "between_main_and_plus_drug": "", "plus_drug": "SIMVASTATINE",
  "severity_levels": [{"level": "CONTRE-INDICATION", "info": ""}],
  "interaction_mechanism": "Mécanisme de test.", "description": ""}]"#;
pub const THESAURUS_INDEX_JSON: &str = r#"[{"substance": "clarithromycine", "drug_classes": ["inhibiteurs puissants du CYP3A4"]},
  {"substance": "simvastatine", "drug_classes": []}]"#;

/// A server with every clinical engine: extractive answers behind a queue of
/// `workers` + `waiting` places, the synthetic thesaurus (no BDPM), the calculators and
/// pseudonymization.
pub fn server_with_engines(workers: usize, waiting: usize) -> TestServer {
    server_configured(|app| {
        let thesaurus =
            esculape_drugs::Thesaurus::from_json(THESAURUS_JSON, THESAURUS_INDEX_JSON, "test")
                .unwrap();
        app.with_answers(esculape_app::AskEngine {
            config: esculape_answer::AnswerConfig::default(),
            drug_names: esculape_answer::DrugNames::from_names(["clarithromycine", "simvastatine"]),
            generator: None,
            queue: Arc::new(esculape_app::ModelQueue::new(workers, waiting, 7)),
        })
        .with_medication(esculape_app::Medication {
            thesaurus,
            bdpm: None,
        })
        .with_scores()
        .with_pseudonymization(esculape_pseudo::Config::default())
    })
}

pub fn server_configured(configure: impl FnOnce(App) -> App) -> TestServer {
    let folder = tempfile::tempdir().unwrap();
    let documents = folder.path().join("protocoles");
    std::fs::create_dir_all(&documents).unwrap();
    std::fs::write(
        documents.join("glianorex.md"),
        "# Glianorex\n\nLa glianorex est un organe fictif décrit pour les tests.\n\n\
         ## Surveillance\n\nLa surveillance de la glianorex repose sur un dosage fictif.\n",
    )
    .unwrap();
    std::fs::write(
        documents.join("autre.md"),
        "# Autre\n\nUn document sans rapport, pour que la recherche ait le choix.\n",
    )
    .unwrap();
    let kb = KnowledgeBase::open(KbConfig::at(folder.path().join("kb"))).unwrap();
    let pack = local_folder_pack(
        documents.clone(),
        "Protocoles du service",
        esculape_text::Language::French,
    );
    kb.install(&pack, &Default::default(), &NoProgress).unwrap();
    let store = esculape_store::SqliteStore::open(&folder.path().join("esculape.sqlite3"))
        .unwrap()
        .with_data_key(esculape_store::DataKey::random().unwrap());
    let settings = AppSettings {
        lockout_attempts: 3,
        ..AppSettings::default()
    };
    let app = configure(App::new(Arc::new(kb), Arc::new(store), settings));
    for (login, role) in [
        ("admin", Role::Admin),
        ("dr.martin", Role::Clinician),
        ("auditrice", Role::Auditor),
    ] {
        let account = NewAccount {
            login: login.into(),
            display_name: format!("Compte {login}"),
            role,
            password: Password::new(PASSWORD),
        };
        app.operator_create_user(Operator::terminal(), &account)
            .unwrap();
    }
    let router = esculape_server::router(app.clone(), ServerConfig::default());
    TestServer {
        router,
        app,
        _folder: folder,
    }
}

/// A response, its body read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    /// The `error.code` of a JSON error.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The value a `Set-Cookie` header gives `name`, if any.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find_map(|line| {
            line.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or_default().to_string())
        })
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_string())
            .collect()
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).to_string(),
    }
}

/// A signed-in API client: bearer token, and cookie plus CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf: String,
}

pub async fn login(router: &Router, login: &str) -> Session {
    let reply = post_json(
        router,
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "login": login, "password": PASSWORD }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    Session {
        token: body["token"].as_str().unwrap().to_string(),
        csrf: body["csrf_token"].as_str().unwrap().to_string(),
    }
}

/// How a request proves its identity.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    Bearer(&'a Session),
    /// The session cookie, and the CSRF header when `Some`.
    Cookie(&'a Session, Option<&'a str>),
}

pub fn request(
    method: Method,
    uri: &str,
    credential: Option<Credential<'_>>,
    body: Option<serde_json::Value>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    match credential {
        Some(Credential::Bearer(session)) => {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {}", session.token));
        }
        Some(Credential::Cookie(session, csrf)) => {
            builder = builder.header(
                header::COOKIE,
                format!("esculape_session={}", session.token),
            );
            if let Some(csrf) = csrf {
                builder = builder.header("x-csrf-token", csrf);
            }
        }
        None => {}
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

pub async fn get(router: &Router, uri: &str, session: Option<&Session>) -> Reply {
    send(
        router,
        request(Method::GET, uri, session.map(Credential::Bearer), None),
    )
    .await
}

pub async fn post_json(
    router: &Router,
    uri: &str,
    session: Option<&Session>,
    body: serde_json::Value,
) -> Reply {
    send(
        router,
        request(
            Method::POST,
            uri,
            session.map(Credential::Bearer),
            Some(body),
        ),
    )
    .await
}
