//! The SQLite backend: one file in WAL mode with `synchronous=FULL`, so a record is on
//! disk when `append_audit` returns, and a process killed at any point loses nothing that
//! was acknowledged.

use crate::chain::{self, AuditVerification, StoredLink};
use crate::drafts::{self, DraftDecision, DraftRecord, DraftVersion, NewDraft};
use crate::store::{
    AuditRecord, NewAuditRecord, NewUser, RetentionOutcome, SessionRecord, Store, UserRecord,
    UserUpdate,
};
use crate::{DataKey, Error, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Numbered migrations, embedded in the binary and applied in order at open; the
/// database's `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_accounts_sessions_audit.sql"),
    include_str!("../migrations/0002_drafts.sql"),
];

/// How long a writer waits for another process's write (the CLI while the server runs).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite store. One connection behind a mutex: writes are serialized anyway, and
/// every method is short.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    connection: Mutex<Connection>,
    data_key: Option<DataKey>,
}

impl SqliteStore {
    /// Opens (creating it if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let connection = Connection::open(path).map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let store = SqliteStore {
            path: path.to_path_buf(),
            connection: Mutex::new(connection),
            data_key: None,
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Seals the columns that hold patient text (drafts) with `key`. Without a key the
    /// store refuses drafts.
    pub fn with_data_key(mut self, key: DataKey) -> SqliteStore {
        self.data_key = Some(key);
        self
    }

    fn data_key(&self) -> Result<&DataKey> {
        self.data_key.as_ref().ok_or_else(|| {
            Error::Sealing(
                "drafts hold patient text and are stored sealed, but this store was opened without a data key: configure one (`store.key_file` in the settings)".into(),
            )
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this build applies.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction half-applied (SQLite
        // rolls it back), so the connection is still good.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn configure(&self) -> Result<()> {
        let connection = self.lock();
        connection.busy_timeout(BUSY_TIMEOUT)?;
        let journal_mode: String =
            connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(journal_mode, "sqlite refused WAL mode");
        }
        connection.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        Ok(())
    }

    fn migrate(&self) -> Result<()> {
        let mut connection = self.lock();
        let applied: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if applied > known {
            return Err(Error::NewerSchema {
                found: applied,
                known,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            let version = index + 1;
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|source| Error::Migration { version, source })?;
            // Another process may have migrated while this one waited for the lock.
            let now_applied: i64 = transaction
                .query_row("PRAGMA user_version", [], |row| row.get(0))
                .map_err(|source| Error::Migration { version, source })?;
            if now_applied >= version as i64 {
                continue;
            }
            transaction
                .execute_batch(sql)
                .and_then(|()| {
                    transaction.execute_batch(&format!("PRAGMA user_version = {version}"))
                })
                .and_then(|()| transaction.commit())
                .map_err(|source| Error::Migration { version, source })?;
            tracing::info!(version, "database migration applied");
        }
        Ok(())
    }
}

const USER_COLUMNS: &str = "id, login, display_name, role, password_hash, failed_attempts, \
     locked_until_s, disabled, created_at_s";

fn user_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get(0)?,
        login: row.get(1)?,
        display_name: row.get(2)?,
        role: row.get(3)?,
        password_hash: row.get(4)?,
        failed_attempts: row.get(5)?,
        locked_until_s: row.get(6)?,
        disabled: row.get(7)?,
        created_at_s: row.get(8)?,
    })
}

fn select_user(connection: &Connection, id: i64) -> Result<Option<UserRecord>> {
    Ok(connection
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
            [id],
            user_from_row,
        )
        .optional()?)
}

fn no_such_user(id: i64) -> Error {
    Error::NotFound(format!("there is no user with id {id}"))
}

const AUDIT_COLUMNS: &str =
    "id, at_ms, actor, action, target, outcome, details, previous_sha256, sha256";

fn audit_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    let previous: Vec<u8> = row.get(7)?;
    let sha256: Vec<u8> = row.get(8)?;
    Ok(AuditRecord {
        id: row.get(0)?,
        at_ms: row.get(1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        target: row.get(4)?,
        outcome: row.get(5)?,
        details: row.get(6)?,
        previous_sha256: chain::hex(&previous),
        sha256: chain::hex(&sha256),
    })
}

fn sha256_column(bytes: Vec<u8>) -> [u8; 32] {
    // A column of another length cannot match any real hash: all ones makes sure of it.
    bytes.try_into().unwrap_or([0xff; 32])
}

struct ChainEnds {
    anchor_id: i64,
    anchor_sha256: [u8; 32],
    head_id: i64,
    head_sha256: [u8; 32],
}

fn chain_ends(connection: &Connection) -> Result<ChainEnds> {
    Ok(connection.query_row(
        "SELECT anchor_id, anchor_sha256, head_id, head_sha256 FROM audit_chain WHERE singleton = 1",
        [],
        |row| {
            Ok(ChainEnds {
                anchor_id: row.get(0)?,
                anchor_sha256: sha256_column(row.get(1)?),
                head_id: row.get(2)?,
                head_sha256: sha256_column(row.get(3)?),
            })
        },
    )?)
}

impl Store for SqliteStore {
    fn create_draft(&self, new_draft: &NewDraft) -> Result<DraftRecord> {
        drafts::create_draft(&mut self.lock(), self.data_key()?, new_draft)
    }

    fn draft(&self, id: i64) -> Result<Option<DraftRecord>> {
        drafts::select_draft(&self.lock(), self.data_key()?, id)
    }

    fn drafts_of_owner(&self, owner_id: i64) -> Result<Vec<DraftRecord>> {
        drafts::drafts_of_owner(&self.lock(), self.data_key()?, owner_id)
    }

    fn draft_versions(&self, id: i64) -> Result<Vec<DraftVersion>> {
        drafts::draft_versions(&self.lock(), self.data_key()?, id)
    }

    fn add_draft_version(
        &self,
        id: i64,
        author_id: i64,
        body: &str,
        now_s: i64,
    ) -> Result<DraftRecord> {
        drafts::add_draft_version(
            &mut self.lock(),
            self.data_key()?,
            id,
            author_id,
            body,
            now_s,
        )
    }

    fn decide_draft(
        &self,
        id: i64,
        decided_by: i64,
        decision: &DraftDecision,
        now_s: i64,
    ) -> Result<DraftRecord> {
        drafts::decide_draft(
            &mut self.lock(),
            self.data_key()?,
            id,
            decided_by,
            decision,
            now_s,
        )
    }

    fn create_user(&self, new_user: &NewUser) -> Result<UserRecord> {
        let connection = self.lock();
        let inserted = connection.execute(
            "INSERT INTO users (login, display_name, role, password_hash, created_at_s) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                new_user.login,
                new_user.display_name,
                new_user.role,
                new_user.password_hash,
                new_user.created_at_s
            ],
        );
        match inserted {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(Error::Conflict(format!(
                    "a user with login `{}` already exists: choose another login",
                    new_user.login
                )));
            }
            Err(error) => return Err(error.into()),
        }
        let id = connection.last_insert_rowid();
        select_user(&connection, id)?.ok_or_else(|| no_such_user(id))
    }

    fn user(&self, id: i64) -> Result<Option<UserRecord>> {
        select_user(&self.lock(), id)
    }

    fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>> {
        Ok(self
            .lock()
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE login = ?1"),
                [login],
                user_from_row,
            )
            .optional()?)
    }

    fn users(&self) -> Result<Vec<UserRecord>> {
        let connection = self.lock();
        let mut statement =
            connection.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY login"))?;
        let users = statement
            .query_map([], user_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(users)
    }

    fn update_user(&self, id: i64, update: &UserUpdate) -> Result<UserRecord> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if select_user(&transaction, id)?.is_none() {
            return Err(no_such_user(id));
        }
        if let Some(role) = &update.role {
            transaction.execute(
                "UPDATE users SET role = ?1 WHERE id = ?2",
                params![role, id],
            )?;
        }
        if let Some(disabled) = update.disabled {
            transaction.execute(
                "UPDATE users SET disabled = ?1 WHERE id = ?2",
                params![disabled, id],
            )?;
        }
        if let Some(password_hash) = &update.password_hash {
            transaction.execute(
                "UPDATE users SET password_hash = ?1, failed_attempts = 0, locked_until_s = NULL \
                 WHERE id = ?2",
                params![password_hash, id],
            )?;
        }
        let user = select_user(&transaction, id)?.ok_or_else(|| no_such_user(id))?;
        transaction.commit()?;
        Ok(user)
    }

    fn record_failed_login(
        &self,
        id: i64,
        now_s: i64,
        max_attempts: u32,
        lockout_s: i64,
    ) -> Result<UserRecord> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = transaction.execute(
            "UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = ?1",
            [id],
        )?;
        if changed == 0 {
            return Err(no_such_user(id));
        }
        transaction.execute(
            "UPDATE users SET failed_attempts = 0, locked_until_s = ?2 \
             WHERE id = ?1 AND failed_attempts >= ?3",
            params![id, now_s + lockout_s, max_attempts],
        )?;
        let user = select_user(&transaction, id)?.ok_or_else(|| no_such_user(id))?;
        transaction.commit()?;
        Ok(user)
    }

    fn clear_failed_logins(&self, id: i64) -> Result<()> {
        self.lock().execute(
            "UPDATE users SET failed_attempts = 0, locked_until_s = NULL WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    fn count_active_users_with_role(&self, role: &str) -> Result<usize> {
        let count: i64 = self.lock().query_row(
            "SELECT COUNT(*) FROM users WHERE role = ?1 AND disabled = 0",
            [role],
            |row| row.get(0),
        )?;
        Ok(count as usize)
    }

    fn create_session(&self, session: &SessionRecord) -> Result<()> {
        self.lock().execute(
            "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at_s, expires_at_s) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                &session.token_sha256[..],
                session.user_id,
                session.csrf_token,
                session.created_at_s,
                session.expires_at_s
            ],
        )?;
        Ok(())
    }

    fn session(&self, token_sha256: &[u8; 32], now_s: i64) -> Result<Option<SessionRecord>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT user_id, csrf_token, created_at_s, expires_at_s FROM sessions \
                 WHERE token_sha256 = ?1 AND expires_at_s > ?2",
                params![&token_sha256[..], now_s],
                |row| {
                    Ok(SessionRecord {
                        token_sha256: *token_sha256,
                        user_id: row.get(0)?,
                        csrf_token: row.get(1)?,
                        created_at_s: row.get(2)?,
                        expires_at_s: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    fn delete_session(&self, token_sha256: &[u8; 32]) -> Result<()> {
        self.lock().execute(
            "DELETE FROM sessions WHERE token_sha256 = ?1",
            [&token_sha256[..]],
        )?;
        Ok(())
    }

    fn delete_sessions_of_user(&self, user_id: i64) -> Result<usize> {
        Ok(self
            .lock()
            .execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?)
    }

    fn delete_expired_sessions(&self, now_s: i64) -> Result<usize> {
        Ok(self
            .lock()
            .execute("DELETE FROM sessions WHERE expires_at_s <= ?1", [now_s])?)
    }

    fn append_audit(&self, record: &NewAuditRecord) -> Result<AuditRecord> {
        let details =
            serde_json::to_string(&record.details).expect("a serde_json::Value always serializes");
        let mut connection = self.lock();
        // IMMEDIATE: the head is read and advanced under the write lock, so two processes
        // appending at once (server and CLI) still form one chain.
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ends = chain_ends(&transaction)?;
        let id = ends.head_id + 1;
        let content = chain::canonical_content(
            id,
            record.at_ms,
            &record.actor,
            &record.action,
            &record.target,
            &record.outcome,
            &details,
        );
        let sha256 = chain::record_sha256(&ends.head_sha256, &content);
        transaction.execute(
            "INSERT INTO audit (id, at_ms, actor, action, target, outcome, details, previous_sha256, sha256) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                record.at_ms,
                record.actor,
                record.action,
                record.target,
                record.outcome,
                details,
                &ends.head_sha256[..],
                &sha256[..]
            ],
        )?;
        transaction.execute(
            "UPDATE audit_chain SET head_id = ?1, head_sha256 = ?2 WHERE singleton = 1",
            params![id, &sha256[..]],
        )?;
        transaction.commit()?;
        Ok(AuditRecord {
            id,
            at_ms: record.at_ms,
            actor: record.actor.clone(),
            action: record.action.clone(),
            target: record.target.clone(),
            outcome: record.outcome.clone(),
            details,
            previous_sha256: chain::hex(&ends.head_sha256),
            sha256: chain::hex(&sha256),
        })
    }

    fn audit_records(&self, before_id: Option<i64>, limit: usize) -> Result<Vec<AuditRecord>> {
        let connection = self.lock();
        let mut statement = connection.prepare(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit WHERE id < ?1 ORDER BY id DESC LIMIT ?2"
        ))?;
        let records = statement
            .query_map(
                params![before_id.unwrap_or(i64::MAX), limit as i64],
                audit_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(records)
    }

    fn verify_audit(&self) -> Result<AuditVerification> {
        let mut connection = self.lock();
        // One read transaction: a consistent snapshot even while others append.
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let ends = chain_ends(&transaction)?;
        let mut statement = transaction.prepare(
            "SELECT id, at_ms, actor, action, target, outcome, details, previous_sha256, sha256 \
             FROM audit ORDER BY id",
        )?;
        let rows = statement.query_map([], |row| {
            let id: i64 = row.get(0)?;
            let actor: String = row.get(2)?;
            let action: String = row.get(3)?;
            let target: String = row.get(4)?;
            let outcome: String = row.get(5)?;
            let details: String = row.get(6)?;
            Ok(StoredLink {
                id,
                canonical_content: chain::canonical_content(
                    id,
                    row.get(1)?,
                    &actor,
                    &action,
                    &target,
                    &outcome,
                    &details,
                ),
                previous_sha256: row.get(7)?,
                sha256: row.get(8)?,
            })
        })?;
        chain::verify_links(
            ends.anchor_id,
            ends.anchor_sha256,
            ends.head_id,
            ends.head_sha256,
            rows.map(|row| row.map_err(Error::from)),
        )
    }

    fn remove_audit_before(&self, cutoff_ms: i64) -> Result<RetentionOutcome> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ends = chain_ends(&transaction)?;
        // The prefix ends just before the first record to keep, so a record with an odd
        // clock never opens a hole in the chain.
        let first_kept: Option<i64> = transaction.query_row(
            "SELECT MIN(id) FROM audit WHERE at_ms >= ?1",
            [cutoff_ms],
            |row| row.get(0),
        )?;
        let last_removed = first_kept.map_or(ends.head_id, |id| id - 1);
        if last_removed <= ends.anchor_id {
            return Ok(RetentionOutcome {
                removed: 0,
                anchor_id: ends.anchor_id,
            });
        }
        let anchor_sha256: Vec<u8> = transaction
            .query_row(
                "SELECT sha256 FROM audit WHERE id = ?1",
                [last_removed],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                Error::AppendOnly(format!(
                    "record {last_removed} is missing: run `esculape audit verify` before retention"
                ))
            })?;
        transaction.execute(
            "UPDATE audit_chain SET anchor_id = ?1, anchor_sha256 = ?2 WHERE singleton = 1",
            params![last_removed, anchor_sha256],
        )?;
        let removed = transaction.execute("DELETE FROM audit WHERE id <= ?1", [last_removed])?;
        transaction.commit()?;
        tracing::info!(removed, anchor_id = last_removed, "audit retention applied");
        Ok(RetentionOutcome {
            removed,
            anchor_id: last_removed,
        })
    }
}
