//! The audit trail, for auditors: reading, verifying, and retention.

use crate::Result;
use crate::app::{App, Outcome};
use crate::clock;
use crate::identity::{Identity, Operator, Permission};
use esculape_store::{AuditRecord, AuditVerification, RetentionOutcome};

/// Most records one page of the trail shows.
pub const MAX_AUDIT_PAGE: usize = 500;

impl App {
    /// Records newest first (below `before_id` when given). Auditors only.
    pub fn audit_records(
        &self,
        identity: &Identity,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRecord>> {
        self.require(identity, Permission::ReadAudit, "audit.list", "")?;
        let records = self
            .store
            .audit_records(before_id, limit.clamp(1, MAX_AUDIT_PAGE))?;
        self.audit(
            identity.login(),
            "audit.list",
            "",
            Outcome::Success,
            serde_json::json!({ "count": records.len() }),
        )?;
        Ok(records)
    }

    /// Recomputes the chain. Auditors only; the verification is itself recorded.
    pub fn verify_audit(&self, identity: &Identity) -> Result<AuditVerification> {
        self.require(identity, Permission::ReadAudit, "audit.verify", "")?;
        self.verify_audit_as(identity.login())
    }

    /// `esculape audit verify`.
    pub fn operator_verify_audit(&self, _operator: Operator) -> Result<AuditVerification> {
        self.verify_audit_as("terminal")
    }

    /// Removes records older than the retention period, oldest first, keeping the chain
    /// verifiable; recorded when something was removed.
    pub fn apply_audit_retention(&self, _operator: Operator) -> Result<RetentionOutcome> {
        let retention_ms = self.settings.audit_retention_days as i64 * 86_400_000;
        let outcome = self
            .store
            .remove_audit_before(clock::now_ms() - retention_ms)?;
        if outcome.removed > 0 {
            self.audit(
                "system",
                "audit.retention",
                "",
                Outcome::Success,
                serde_json::json!({
                    "removed": outcome.removed,
                    "anchor_id": outcome.anchor_id,
                    "retention_days": self.settings.audit_retention_days,
                }),
            )?;
        }
        Ok(outcome)
    }

    fn verify_audit_as(&self, actor: &str) -> Result<AuditVerification> {
        let verification = self.store.verify_audit()?;
        let outcome = if verification.is_intact() {
            Outcome::Success
        } else {
            Outcome::Failure
        };
        self.audit(
            actor,
            "audit.verify",
            "",
            outcome,
            serde_json::json!({
                "records_checked": verification.records_checked,
                "problem": verification.problem.as_ref().map(ToString::to_string),
            }),
        )?;
        Ok(verification)
    }
}
