//! The storage trait: what the application needs to keep, whatever the database.

use crate::Result;
use crate::chain::AuditVerification;
use crate::drafts::{DraftDecision, DraftRecord, DraftVersion, NewDraft};
use serde::Serialize;

/// A user account as stored. The role is kept as text (`clinician`, `admin`, `auditor`);
/// the application gives it meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    /// The argon2id hash in PHC form; never shown.
    #[serde(skip)]
    pub password_hash: String,
    pub failed_attempts: u32,
    pub locked_until_s: Option<i64>,
    pub disabled: bool,
    pub created_at_s: i64,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub created_at_s: i64,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
}

/// A login session. Only the SHA-256 of the bearer token is stored, so a copy of the
/// database does not hand out live sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_sha256: [u8; 32],
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at_s: i64,
    pub expires_at_s: i64,
}

/// An audit record to append. `details` is JSON that must never hold patient text.
#[derive(Debug, Clone)]
pub struct NewAuditRecord {
    pub at_ms: i64,
    /// Who acted: a login, or `system`, or `anonymous`.
    pub actor: String,
    /// What was done, dotted: `auth.login`, `users.create`, `audit.verify`.
    pub action: String,
    /// What it was done to: a login, a pack id, a passage id; empty when none.
    pub target: String,
    /// `success`, `denied`, `failure`.
    pub outcome: String,
    pub details: serde_json::Value,
}

/// An audit record as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    /// The details exactly as stored (and hashed): JSON text.
    pub details: String,
    /// Hex SHA-256 of the previous record (zeros for the first record ever).
    pub previous_sha256: String,
    /// Hex SHA-256 of the previous hash followed by this record's canonical content.
    pub sha256: String,
}

/// What retention removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetentionOutcome {
    pub removed: usize,
    /// The last removed record, now the chain's anchor (0 when nothing was ever removed).
    pub anchor_id: i64,
}

/// Persistence of accounts, sessions and the audit trail. SQLite implements it
/// ([`crate::SqliteStore`]); a PostgreSQL backend implements the same methods. Every
/// method is one transaction; callers on an async runtime call it from a blocking task.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Creates a user; [`crate::Error::Conflict`] when the login is taken.
    fn create_user(&self, new_user: &NewUser) -> Result<UserRecord>;
    fn user(&self, id: i64) -> Result<Option<UserRecord>>;
    fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>>;
    /// Every user, by login.
    fn users(&self) -> Result<Vec<UserRecord>>;
    /// Applies `update`; [`crate::Error::NotFound`] when there is no such user.
    fn update_user(&self, id: i64, update: &UserUpdate) -> Result<UserRecord>;
    /// Counts one failed login; at `max_attempts` the account is locked until
    /// `now_s + lockout_s` and the count starts again.
    fn record_failed_login(
        &self,
        id: i64,
        now_s: i64,
        max_attempts: u32,
        lockout_s: i64,
    ) -> Result<UserRecord>;
    /// Forgets failed attempts and any lock (after a successful login or a reset).
    fn clear_failed_logins(&self, id: i64) -> Result<()>;
    /// Accounts with this role that are not disabled.
    fn count_active_users_with_role(&self, role: &str) -> Result<usize>;

    fn create_session(&self, session: &SessionRecord) -> Result<()>;
    /// The session with this token hash, if it has not expired at `now_s`.
    fn session(&self, token_sha256: &[u8; 32], now_s: i64) -> Result<Option<SessionRecord>>;
    fn delete_session(&self, token_sha256: &[u8; 32]) -> Result<()>;
    fn delete_sessions_of_user(&self, user_id: i64) -> Result<usize>;
    fn delete_expired_sessions(&self, now_s: i64) -> Result<usize>;

    /// Appends a record at the end of the chain; returns once it is durable.
    fn append_audit(&self, record: &NewAuditRecord) -> Result<AuditRecord>;
    /// Records newest first, those with an id below `before_id` when given.
    fn audit_records(&self, before_id: Option<i64>, limit: usize) -> Result<Vec<AuditRecord>>;
    /// Recomputes the whole chain from its anchor to its head.
    fn verify_audit(&self) -> Result<AuditVerification>;
    /// Removes the longest prefix of records older than `cutoff_ms`; the last one removed
    /// becomes the anchor, so the rest still verifies.
    fn remove_audit_before(&self, cutoff_ms: i64) -> Result<RetentionOutcome>;

    /// Creates a draft with its first version (status `draft`).
    fn create_draft(&self, new_draft: &NewDraft) -> Result<DraftRecord>;
    fn draft(&self, id: i64) -> Result<Option<DraftRecord>>;
    /// The drafts of one owner, newest first.
    fn drafts_of_owner(&self, owner_id: i64) -> Result<Vec<DraftRecord>>;
    /// Every version of a draft, oldest first.
    fn draft_versions(&self, id: i64) -> Result<Vec<DraftVersion>>;
    /// Adds a version (status becomes `edited`); a decided draft refuses it (`Conflict`).
    fn add_draft_version(
        &self,
        id: i64,
        author_id: i64,
        body: &str,
        now_s: i64,
    ) -> Result<DraftRecord>;
    /// Validates or rejects a draft, once (`Conflict` when already decided).
    fn decide_draft(
        &self,
        id: i64,
        decided_by: i64,
        decision: &DraftDecision,
        now_s: i64,
    ) -> Result<DraftRecord>;
}
