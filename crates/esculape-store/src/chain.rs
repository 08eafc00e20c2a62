//! The audit hash chain: canonical content, record hashes and verification, the same for
//! every backend.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first record ever written.
pub const GENESIS_SHA256: [u8; 32] = [0; 32];

/// The bytes a record's hash covers: its id, time, actor, action, target, outcome and
/// details text, as a JSON array (strings escaped, so no field can run into another).
pub fn canonical_content(
    id: i64,
    at_ms: i64,
    actor: &str,
    action: &str,
    target: &str,
    outcome: &str,
    details: &str,
) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([
        id, at_ms, actor, action, target, outcome, details
    ]))
    .expect("a JSON array of numbers and strings always serializes")
}

/// SHA-256 of the previous record's hash followed by this record's canonical content.
pub fn record_sha256(previous_sha256: &[u8; 32], canonical_content: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous_sha256);
    hasher.update(canonical_content);
    hasher.finalize().into()
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Records whose hash was recomputed.
    pub records_checked: usize,
    /// Records before this id were removed by retention (0: none ever removed).
    pub anchor_id: i64,
    /// The last record the chain's head names.
    pub head_id: i64,
    /// The first break found, if any.
    pub problem: Option<ChainBreak>,
}

impl AuditVerification {
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The record at which the break is seen.
    pub id: i64,
    pub kind: ChainBreakKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainBreakKind {
    /// The record's content no longer gives its stored hash: it was changed or moved.
    Modified,
    /// The record does not follow the one before it: records were removed or reordered
    /// in between.
    Missing,
    /// Records after this one were removed: the chain ends before its recorded head.
    Truncated,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            ChainBreakKind::Modified => write!(
                formatter,
                "record {} was modified or moved: its content does not give its hash",
                self.id
            ),
            ChainBreakKind::Missing => write!(
                formatter,
                "record {} does not follow the record before it: records were removed or reordered",
                self.id
            ),
            ChainBreakKind::Truncated => write!(
                formatter,
                "the trail ends before its last record ({}): newest records were removed",
                self.id
            ),
        }
    }
}

/// A stored record as verification reads it.
#[derive(Debug)]
pub(crate) struct StoredLink {
    pub id: i64,
    pub canonical_content: Vec<u8>,
    pub previous_sha256: Vec<u8>,
    pub sha256: Vec<u8>,
}

/// Walks the records in id order from the anchor and checks each link, then the head.
pub(crate) fn verify_links(
    anchor_id: i64,
    anchor_sha256: [u8; 32],
    head_id: i64,
    head_sha256: [u8; 32],
    links: impl Iterator<Item = crate::Result<StoredLink>>,
) -> crate::Result<AuditVerification> {
    let mut verification = AuditVerification {
        records_checked: 0,
        anchor_id,
        head_id,
        problem: None,
    };
    let mut expected_id = anchor_id + 1;
    let mut expected_previous = anchor_sha256;
    for link in links {
        let link = link?;
        if link.id != expected_id || link.previous_sha256 != expected_previous {
            verification.problem = Some(ChainBreak {
                id: link.id,
                kind: ChainBreakKind::Missing,
            });
            return Ok(verification);
        }
        let recomputed = record_sha256(&expected_previous, &link.canonical_content);
        verification.records_checked += 1;
        if link.sha256 != recomputed {
            verification.problem = Some(ChainBreak {
                id: link.id,
                kind: ChainBreakKind::Modified,
            });
            return Ok(verification);
        }
        expected_previous = recomputed;
        expected_id += 1;
    }
    if expected_id - 1 != head_id || expected_previous != head_sha256 {
        verification.problem = Some(ChainBreak {
            id: head_id,
            kind: ChainBreakKind::Truncated,
        });
    }
    Ok(verification)
}
