//! The application: the knowledge base, the store and the settings, with the permission
//! check and audit emission every use case goes through.

use crate::clock;
use crate::identity::{Identity, Permission};
use crate::{Error, Result};
use esculape_kb::{FetchOptions, KnowledgeBase};
use esculape_store::{NewAuditRecord, Store};
use std::sync::Arc;

/// Settings of the use cases (the binary fills them from `[server]` and `[audit]`).
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// How long a session lasts after login, in hours.
    pub session_hours: u64,
    /// Failed logins in a row that lock an account, and for how long, in minutes.
    pub lockout_attempts: u32,
    pub lockout_minutes: u64,
    /// Audit records older than this are removed (oldest first), in days.
    pub audit_retention_days: u64,
    /// How source updates fetch packs (mirror folder, Python, timeouts).
    pub fetch: FetchOptions,
}

impl Default for AppSettings {
    fn default() -> AppSettings {
        AppSettings {
            session_hours: 12,
            lockout_attempts: 5,
            lockout_minutes: 15,
            audit_retention_days: 183,
            fetch: FetchOptions::default(),
        }
    }
}

/// Which optional engines are plugged in. Each page of the interface appears when its
/// engine is present; none is yet (they land with their crates).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Features {
    /// Grounded answers ("Demander").
    pub ask: bool,
    /// Prescription check ("Ordonnance").
    pub prescription: bool,
    /// Clinical calculators ("Scores").
    pub scores: bool,
    /// Drafting ("Rédiger").
    pub drafting: bool,
    /// Pseudonymization ("Pseudonymiser").
    pub pseudonymize: bool,
}

/// The use cases, over shared engines. Cheap to clone; every method is blocking (it may
/// hash a password or read the index), so async callers run it on a blocking thread.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) kb: Arc<KnowledgeBase>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) settings: Arc<AppSettings>,
    pub(crate) features: Features,
    pub(crate) engines: Engines,
}

/// The engines behind the clinical pages, each optional.
#[derive(Debug, Clone, Default)]
pub(crate) struct Engines {
    pub(crate) ask: Option<Arc<crate::ask::AskEngine>>,
    pub(crate) medication: Option<Arc<crate::medication::Medication>>,
    pub(crate) models: Option<Arc<crate::models::ModelEngine>>,
    pub(crate) pseudonymization: esculape_pseudo::Config,
}

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    Denied,
    Failure,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }
}

impl App {
    pub fn new(kb: Arc<KnowledgeBase>, store: Arc<dyn Store>, settings: AppSettings) -> App {
        App {
            kb,
            store,
            settings: Arc::new(settings),
            features: Features::default(),
            engines: Engines::default(),
        }
    }

    /// Turns on grounded answers ("Demander") with this engine.
    pub fn with_answers(mut self, engine: crate::ask::AskEngine) -> App {
        self.engines.ask = Some(Arc::new(engine));
        self.features.ask = true;
        self
    }

    /// Turns on prescription checks ("Ordonnance") over this thesaurus (and BDPM).
    pub fn with_medication(mut self, medication: crate::medication::Medication) -> App {
        self.engines.medication = Some(Arc::new(medication));
        self.features.prescription = true;
        self
    }

    /// Offers the local models to site tools (the OpenAI-compatible endpoints).
    pub fn with_models(mut self, engine: crate::models::ModelEngine) -> App {
        self.engines.models = Some(Arc::new(engine));
        self
    }

    /// Turns on the clinical calculators ("Scores"); they need no data.
    pub fn with_scores(mut self) -> App {
        self.features.scores = true;
        self
    }

    /// Turns on pseudonymization of texts ("Pseudonymiser") with these settings (also
    /// used for questions).
    pub fn with_pseudonymization(mut self, config: esculape_pseudo::Config) -> App {
        self.engines.pseudonymization = config;
        self.features.pseudonymize = true;
        self
    }

    /// Declares the optional engines present (each later engine adds its handle here).
    pub fn with_features(mut self, features: Features) -> App {
        self.features = features;
        self
    }

    /// The knowledge base the use cases read.
    pub fn knowledge_base(&self) -> &Arc<KnowledgeBase> {
        &self.kb
    }

    pub fn features(&self) -> Features {
        self.features
    }

    pub fn settings(&self) -> &AppSettings {
        &self.settings
    }

    /// The interaction thesaurus (and BDPM) when loaded: drafts check the discharge
    /// treatment with it.
    pub fn medication_engine(&self) -> Option<&crate::medication::Medication> {
        self.engines.medication.as_deref()
    }

    /// The pseudonymization settings of this site (drafts pseudonymize with them too).
    pub fn pseudonymization_config(&self) -> &esculape_pseudo::Config {
        &self.engines.pseudonymization
    }

    /// Appends an audit record; `details` must never hold patient text.
    pub(crate) fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        outcome: Outcome,
        details: serde_json::Value,
    ) -> Result<()> {
        self.store.append_audit(&NewAuditRecord {
            at_ms: clock::now_ms(),
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            outcome: outcome.as_str().to_string(),
            details,
        })?;
        Ok(())
    }

    /// Fails with [`Error::Forbidden`] (and an audit record of the refusal) unless the
    /// caller's role allows `permission`.
    pub(crate) fn require(
        &self,
        identity: &Identity,
        permission: Permission,
        action: &str,
        target: &str,
    ) -> Result<()> {
        if identity.can(permission) {
            return Ok(());
        }
        self.audit(
            identity.login(),
            action,
            target,
            Outcome::Denied,
            serde_json::json!({ "role": identity.role().as_str() }),
        )?;
        Err(Error::Forbidden(format!(
            "the {} role may not do this; ask an administrator",
            identity.role().as_str()
        )))
    }
}
