//! The use cases of Esculape, whatever the transport: identity, permissions and audit.
//! Knows no HTTP and no SQL.
//!
//! Core concepts:
//! - [`App`] holds the engines (the knowledge base today; answers, drugs, scores,
//!   pseudonymization and drafting as they land, announced by [`Features`]), the
//!   [`esculape_store::Store`] and the [`AppSettings`];
//! - an [`Identity`] exists only after a successful [`App::login`] or
//!   [`App::authenticate`]; every use case takes one, checks the role's [`Permission`]
//!   and, when it touches user data, appends an audit record (who, what, target, outcome,
//!   details without patient text);
//! - every failure is one of a few semantic [`Error`]s (not found, forbidden,
//!   unauthenticated, invalid, conflict, unavailable, internal) that a transport maps in
//!   one place.
//!
//! ```no_run
//! use esculape_app::{App, AppSettings, Password, SearchQuery};
//! use esculape_kb::{KbConfig, KnowledgeBase};
//! use esculape_store::SqliteStore;
//! use std::sync::Arc;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kb = Arc::new(KnowledgeBase::open(KbConfig::at("var/kb"))?);
//! let store = Arc::new(SqliteStore::open("var/esculape.sqlite3".as_ref())?);
//! let app = App::new(kb, store, AppSettings::default());
//! let session = app.login("dr.martin", &Password::new("correct horse battery"))?;
//! let query = SearchQuery { query: "aspirine et AVK".into(), k: 5, sources: vec![] };
//! for hit in app.search(session.auth.identity(), &query)? {
//!     println!("{} — {}", hit.source.title, hit.document_title);
//! }
//! # Ok(())
//! # }
//! ```

mod app;
mod ask;
mod audit_trail;
mod auth;
mod clinical;
mod clock;
mod drafts;
mod error;
mod identity;
mod library;
mod medication;
mod models;
mod secret;
mod users;

pub use app::{App, AppSettings, Features};
pub use ask::{AskEngine, AskTicket, MAX_QUESTION_CHARS, ModelQueue};
pub use audit_trail::MAX_AUDIT_PAGE;
pub use auth::LoginOutcome;
pub use clinical::{MAX_PSEUDONYMIZE_CHARS, MaskedIdentifier, PseudonymizedText};
pub use clock::{now_ms, now_s, rfc3339_utc};
pub use drafts::{DraftDetail, ExportFormat, MAX_DRAFT_CHARS};
pub use error::{Error, Result};
pub use identity::{Auth, Identity, Operator, Password, Permission, Role, SessionToken};
pub use library::{MAX_CONTEXT_CHARS, MAX_PASSAGES, MAX_QUERY_CHARS, SearchQuery, SourceUpdate};
pub use medication::{
    CheckedLine, DrugLookup, MAX_LINE_CHARS, MAX_PRESCRIPTION_LINES, Medication, PrescriptionCheck,
    drug_names, load_bdpm, load_thesaurus, read_bdpm_tables,
};
pub use models::{
    ChatInput, ChatReply, EmbeddingsReply, MAX_CHAT_MESSAGES, MAX_COMPLETION_TOKENS,
    MAX_EMBEDDING_INPUTS, MAX_MODEL_INPUT_CHARS, ModelEngine,
};
pub use secret::{MIN_PASSWORD_CHARS, random_password, random_token};
pub use users::{AccountChange, NewAccount, UserView};

/// The audit trail's records and verification, as the use cases hand them out.
pub use esculape_store::{AuditRecord, AuditVerification, ChainBreak, ChainBreakKind};
