//! Drafted documents: records, their life (draft → edited → validated or rejected), every
//! version kept, and the SQLite statements behind the [`crate::Store`] methods.

use crate::{DataKey, Error, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    Draft,
    Edited,
    Validated,
    Rejected,
}

impl DraftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Draft => "draft",
            DraftStatus::Edited => "edited",
            DraftStatus::Validated => "validated",
            DraftStatus::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> DraftStatus {
        match text {
            "edited" => DraftStatus::Edited,
            "validated" => DraftStatus::Validated,
            "rejected" => DraftStatus::Rejected,
            _ => DraftStatus::Draft,
        }
    }

    /// Validated or rejected: no new version, no other decision.
    pub fn is_decided(self) -> bool {
        matches!(self, DraftStatus::Validated | DraftStatus::Rejected)
    }
}

/// A draft as stored (without its versions' text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftRecord {
    pub id: i64,
    pub owner_id: i64,
    pub document_type: String,
    pub title: String,
    pub status: DraftStatus,
    /// JSON text of the AI-use record.
    pub ai_use: String,
    pub created_at_s: i64,
    pub updated_at_s: i64,
    /// Who validated or rejected it, and when.
    pub decided_by: Option<i64>,
    pub decided_at_s: Option<i64>,
    pub rejection_reason: Option<String>,
    /// The number of its latest version.
    pub latest_version: i64,
}

/// One version of a draft's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftVersion {
    pub draft_id: i64,
    pub version: i64,
    pub author_id: i64,
    pub created_at_s: i64,
    /// The document as Markdown.
    pub body: String,
    /// JSON text: the pipeline's sentence-to-span links (`null` for an edit).
    pub trace: String,
}

/// A draft to create, with its first version.
#[derive(Debug, Clone)]
pub struct NewDraft {
    pub owner_id: i64,
    pub document_type: String,
    pub title: String,
    pub ai_use: serde_json::Value,
    pub body: String,
    pub trace: serde_json::Value,
    pub created_at_s: i64,
}

/// The clinician's decision on a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftDecision {
    Validate,
    Reject { reason: String },
}

const DRAFT_COLUMNS: &str = "d.id, d.owner_id, d.document_type, d.title, d.status, d.ai_use, \
     d.created_at_s, d.updated_at_s, d.decided_by, d.decided_at_s, d.rejection_reason, \
     (SELECT MAX(version) FROM draft_versions v WHERE v.draft_id = d.id)";

fn draft_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DraftRecord> {
    let status: String = row.get(4)?;
    Ok(DraftRecord {
        id: row.get(0)?,
        owner_id: row.get(1)?,
        document_type: row.get(2)?,
        title: row.get(3)?,
        status: DraftStatus::parse(&status),
        ai_use: row.get(5)?,
        created_at_s: row.get(6)?,
        updated_at_s: row.get(7)?,
        decided_by: row.get(8)?,
        decided_at_s: row.get(9)?,
        rejection_reason: row.get(10)?,
        latest_version: row.get::<_, Option<i64>>(11)?.unwrap_or(0),
    })
}

/// The associated data of each sealed column: the table, column and row it belongs to.
fn title_row(owner_id: i64) -> String {
    format!("drafts.title owner={owner_id}")
}

fn reason_row(id: i64) -> String {
    format!("drafts.rejection_reason id={id}")
}

fn version_row(column: &str, id: i64, version: i64) -> String {
    format!("draft_versions.{column} draft={id} version={version}")
}

/// Opens the sealed columns of a draft as read.
fn opened(key: &DataKey, mut record: DraftRecord) -> Result<DraftRecord> {
    record.title = key.open(&title_row(record.owner_id), record.title)?;
    record.rejection_reason = record
        .rejection_reason
        .map(|reason| key.open(&reason_row(record.id), reason))
        .transpose()?;
    Ok(record)
}

fn no_such_draft(id: i64) -> Error {
    Error::NotFound(format!(
        "there is no draft {id}: `esculape draft list` shows yours"
    ))
}

pub(crate) fn select_draft(
    connection: &Connection,
    key: &DataKey,
    id: i64,
) -> Result<Option<DraftRecord>> {
    connection
        .query_row(
            &format!("SELECT {DRAFT_COLUMNS} FROM drafts d WHERE d.id = ?1"),
            [id],
            draft_from_row,
        )
        .optional()?
        .map(|record| opened(key, record))
        .transpose()
}

pub(crate) fn create_draft(
    connection: &mut Connection,
    key: &DataKey,
    new_draft: &NewDraft,
) -> Result<DraftRecord> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    transaction.execute(
        "INSERT INTO drafts (owner_id, document_type, title, status, ai_use, created_at_s, updated_at_s) \
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?5)",
        params![
            new_draft.owner_id,
            new_draft.document_type,
            key.seal(&title_row(new_draft.owner_id), &new_draft.title)?,
            new_draft.ai_use.to_string(),
            new_draft.created_at_s
        ],
    )?;
    let id = transaction.last_insert_rowid();
    transaction.execute(
        "INSERT INTO draft_versions (draft_id, version, author_id, created_at_s, body, trace) \
         VALUES (?1, 1, ?2, ?3, ?4, ?5)",
        params![
            id,
            new_draft.owner_id,
            new_draft.created_at_s,
            key.seal(&version_row("body", id, 1), &new_draft.body)?,
            key.seal(&version_row("trace", id, 1), &new_draft.trace.to_string())?
        ],
    )?;
    let record = select_draft(&transaction, key, id)?.ok_or_else(|| no_such_draft(id))?;
    transaction.commit()?;
    Ok(record)
}

pub(crate) fn drafts_of_owner(
    connection: &Connection,
    key: &DataKey,
    owner_id: i64,
) -> Result<Vec<DraftRecord>> {
    let mut statement = connection.prepare(&format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts d WHERE d.owner_id = ?1 ORDER BY d.id DESC"
    ))?;
    let drafts = statement
        .query_map([owner_id], draft_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drafts
        .into_iter()
        .map(|record| opened(key, record))
        .collect()
}

pub(crate) fn draft_versions(
    connection: &Connection,
    key: &DataKey,
    id: i64,
) -> Result<Vec<DraftVersion>> {
    let mut statement = connection.prepare(
        "SELECT draft_id, version, author_id, created_at_s, body, trace FROM draft_versions \
         WHERE draft_id = ?1 ORDER BY version",
    )?;
    let versions = statement
        .query_map([id], |row| {
            Ok(DraftVersion {
                draft_id: row.get(0)?,
                version: row.get(1)?,
                author_id: row.get(2)?,
                created_at_s: row.get(3)?,
                body: row.get(4)?,
                trace: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    versions
        .into_iter()
        .map(|mut version| {
            version.body = key.open(
                &version_row("body", version.draft_id, version.version),
                version.body,
            )?;
            version.trace = key.open(
                &version_row("trace", version.draft_id, version.version),
                version.trace,
            )?;
            Ok(version)
        })
        .collect()
}

fn decided_conflict(record: &DraftRecord) -> Error {
    Error::Conflict(format!(
        "draft {} is already {}: it can no longer change; draft a new document instead",
        record.id,
        record.status.as_str()
    ))
}

pub(crate) fn add_draft_version(
    connection: &mut Connection,
    key: &DataKey,
    id: i64,
    author_id: i64,
    body: &str,
    now_s: i64,
) -> Result<DraftRecord> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let record = select_draft(&transaction, key, id)?.ok_or_else(|| no_such_draft(id))?;
    if record.status.is_decided() {
        return Err(decided_conflict(&record));
    }
    let version = record.latest_version + 1;
    transaction.execute(
        "INSERT INTO draft_versions (draft_id, version, author_id, created_at_s, body, trace) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            version,
            author_id,
            now_s,
            key.seal(&version_row("body", id, version), body)?,
            key.seal(&version_row("trace", id, version), "null")?
        ],
    )?;
    transaction.execute(
        "UPDATE drafts SET status = 'edited', updated_at_s = ?2 WHERE id = ?1",
        params![id, now_s],
    )?;
    let record = select_draft(&transaction, key, id)?.ok_or_else(|| no_such_draft(id))?;
    transaction.commit()?;
    Ok(record)
}

pub(crate) fn decide_draft(
    connection: &mut Connection,
    key: &DataKey,
    id: i64,
    decided_by: i64,
    decision: &DraftDecision,
    now_s: i64,
) -> Result<DraftRecord> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let record = select_draft(&transaction, key, id)?.ok_or_else(|| no_such_draft(id))?;
    if record.status.is_decided() {
        return Err(decided_conflict(&record));
    }
    let (status, reason) = match decision {
        DraftDecision::Validate => ("validated", None),
        DraftDecision::Reject { reason } => ("rejected", Some(key.seal(&reason_row(id), reason)?)),
    };
    transaction.execute(
        "UPDATE drafts SET status = ?2, decided_by = ?3, decided_at_s = ?4, rejection_reason = ?5, \
         updated_at_s = ?4 WHERE id = ?1",
        params![id, status, decided_by, now_s, reason],
    )?;
    let record = select_draft(&transaction, key, id)?.ok_or_else(|| no_such_draft(id))?;
    transaction.commit()?;
    Ok(record)
}
