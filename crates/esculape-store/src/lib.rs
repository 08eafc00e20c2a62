//! Persistence for Esculape: user accounts, login sessions and the audit trail. The only
//! crate that knows SQL.
//!
//! Core concepts:
//! - [`Store`] is the storage trait the application uses; [`SqliteStore`] implements it
//!   on one SQLite file (WAL, `synchronous=FULL`, foreign keys, busy timeout), with
//!   numbered migrations embedded in the binary and applied at open. A PostgreSQL backend
//!   implements the same trait;
//! - the audit trail is append-only and hash-chained: each record stores the SHA-256 of
//!   the previous record's hash followed by its own canonical content
//!   ([`canonical_content`]); the chain's two ends (anchor and head) are stored too, so
//!   [`Store::verify_audit`] finds a record modified, removed (first, middle or last) or
//!   reordered;
//! - retention ([`Store::remove_audit_before`]) removes only a whole prefix of old records
//!   and keeps the hash of the last one removed as the new anchor.
//!
//! ```no_run
//! use esculape_store::{NewAuditRecord, SqliteStore, Store};
//! # fn main() -> esculape_store::Result<()> {
//! let store = SqliteStore::open("var/esculape.sqlite3".as_ref())?;
//! store.append_audit(&NewAuditRecord {
//!     at_ms: 1_764_000_000_000,
//!     actor: "admin".into(),
//!     action: "users.create".into(),
//!     target: "dr.martin".into(),
//!     outcome: "success".into(),
//!     details: serde_json::json!({ "role": "clinician" }),
//! })?;
//! assert!(store.verify_audit()?.is_intact());
//! # Ok(())
//! # }
//! ```

mod chain;
mod drafts;
mod error;
mod sealed;
mod sqlite;
mod store;

pub use chain::{
    AuditVerification, ChainBreak, ChainBreakKind, GENESIS_SHA256, canonical_content, hex,
    record_sha256,
};
pub use drafts::{DraftDecision, DraftRecord, DraftStatus, DraftVersion, NewDraft};
pub use error::{Error, Result};
pub use sealed::DataKey;
pub use sqlite::SqliteStore;
pub use store::{
    AuditRecord, NewAuditRecord, NewUser, RetentionOutcome, SessionRecord, Store, UserRecord,
    UserUpdate,
};
