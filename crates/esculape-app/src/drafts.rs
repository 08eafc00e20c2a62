//! Rédiger: drafts saved for their author, edited, validated or rejected by them, and
//! exported only once validated; each step audited without the document's text. A
//! clinician sees only their own drafts.

use crate::app::{App, Outcome as AuditOutcome};
use crate::identity::{Identity, Operator, Permission, Role};
use crate::{Error, Result};
use esculape_drafting::{AiUseRecord, Draft, Validation};
use esculape_store::{DraftDecision, DraftRecord, DraftStatus, DraftVersion, NewDraft};
use serde::Serialize;

/// Longest edited text accepted, in characters.
pub const MAX_DRAFT_CHARS: usize = 200_000;

/// The formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Markdown,
    Text,
    Html,
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;
    fn from_str(text: &str) -> Result<ExportFormat> {
        match text {
            "markdown" | "md" => Ok(ExportFormat::Markdown),
            "text" | "txt" => Ok(ExportFormat::Text),
            "html" => Ok(ExportFormat::Html),
            other => Err(Error::Invalid(format!(
                "unknown export format `{other}`: use `markdown`, `text` or `html`"
            ))),
        }
    }
}

/// A draft with all its versions, as its owner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct DraftDetail {
    pub draft: DraftRecord,
    pub versions: Vec<DraftVersion>,
    /// Display name of who validated or rejected it.
    pub decided_by_name: Option<String>,
}

impl App {
    /// The identity of an active account, for commands typed on the server itself (the
    /// terminal acts as that user). Audited.
    pub fn terminal_identity(&self, _operator: Operator, login: &str) -> Result<Identity> {
        let user = self.store.user_by_login(login)?.ok_or_else(|| {
            Error::NotFound(format!(
                "there is no account `{login}`: create it with `esculape users add {login} --role clinician`"
            ))
        })?;
        if user.disabled {
            return Err(Error::Forbidden(format!(
                "the account `{login}` is disabled"
            )));
        }
        let role = Role::parse(&user.role)?;
        self.audit(
            login,
            "auth.terminal",
            login,
            AuditOutcome::Success,
            serde_json::json!({ "role": role.as_str() }),
        )?;
        Ok(Identity::new(user.id, user.login, user.display_name, role))
    }

    /// Checks the caller may create drafts (a refusal is audited as `draft.create`), so
    /// that a transport refuses before running the drafting pipeline.
    pub fn may_draft(&self, identity: &Identity) -> Result<()> {
        self.require(identity, Permission::Draft, "draft.create", "")
    }

    /// Saves a draft the pipeline produced, owned by the caller (status `draft`).
    pub fn save_draft(&self, identity: &Identity, draft: &Draft) -> Result<DraftRecord> {
        self.require(identity, Permission::Draft, "draft.create", "")?;
        let body = esculape_drafting::draft_markdown(draft);
        let trace = serde_json::to_value(draft)
            .map_err(|error| Error::Internal(format!("draft trace: {error}")))?;
        let ai_use = serde_json::to_value(&draft.ai_use)
            .map_err(|error| Error::Internal(format!("AI-use record: {error}")))?;
        let record = self.store.create_draft(&NewDraft {
            owner_id: identity.user_id(),
            document_type: draft.document_type.clone(),
            title: draft.title_fr.clone(),
            ai_use,
            body,
            trace,
            created_at_s: crate::clock::now_s(),
        })?;
        self.audit(
            identity.login(),
            "draft.create",
            &record.id.to_string(),
            AuditOutcome::Success,
            serde_json::json!({
                "document_type": draft.document_type,
                "mode": draft.ai_use.settings.used_mode,
                "model": draft.ai_use.model,
                "sections": draft.sections.len(),
                "missing": draft.sections.iter().filter(|section| section.missing.is_some()).count(),
                "flagged": draft.flagged.len(),
                "identifiers_replaced": draft.identifiers_replaced,
            }),
        )?;
        Ok(record)
    }

    /// The caller's drafts, newest first.
    pub fn my_drafts(&self, identity: &Identity) -> Result<Vec<DraftRecord>> {
        self.require(identity, Permission::Draft, "draft.list", "")?;
        Ok(self.store.drafts_of_owner(identity.user_id())?)
    }

    /// One of the caller's drafts with every version. Another's draft is "not found".
    pub fn draft_detail(&self, identity: &Identity, id: i64) -> Result<DraftDetail> {
        let draft = self.own_draft(identity, id, "draft.show")?;
        let versions = self.store.draft_versions(id)?;
        let decided_by_name = match draft.decided_by {
            Some(user_id) => self.store.user(user_id)?.map(|user| user.display_name),
            None => None,
        };
        self.audit(
            identity.login(),
            "draft.show",
            &id.to_string(),
            AuditOutcome::Success,
            serde_json::json!({ "versions": versions.len() }),
        )?;
        Ok(DraftDetail {
            draft,
            versions,
            decided_by_name,
        })
    }

    /// Replaces the text with a new version (the old ones are kept).
    pub fn edit_draft(&self, identity: &Identity, id: i64, body: &str) -> Result<DraftRecord> {
        self.own_draft(identity, id, "draft.edit")?;
        if body.trim().is_empty() {
            return Err(Error::Invalid(
                "the edited text is empty: reject the draft instead".into(),
            ));
        }
        if body.chars().count() > MAX_DRAFT_CHARS {
            return Err(Error::Invalid(format!(
                "the edited text is longer than {MAX_DRAFT_CHARS} characters"
            )));
        }
        let record =
            self.store
                .add_draft_version(id, identity.user_id(), body, crate::clock::now_s())?;
        self.audit(
            identity.login(),
            "draft.edit",
            &id.to_string(),
            AuditOutcome::Success,
            serde_json::json!({ "version": record.latest_version }),
        )?;
        Ok(record)
    }

    /// Validates the latest version: the caller signs it.
    pub fn validate_draft(&self, identity: &Identity, id: i64) -> Result<DraftRecord> {
        self.decide(identity, id, DraftDecision::Validate, "draft.validate")
    }

    /// Rejects the draft, with a reason kept in the store (not in the audit).
    pub fn reject_draft(&self, identity: &Identity, id: i64, reason: &str) -> Result<DraftRecord> {
        self.decide(
            identity,
            id,
            DraftDecision::Reject {
                reason: reason.trim().to_string(),
            },
            "draft.reject",
        )
    }

    /// The latest version in `format`, with the patient information notice; only a
    /// validated draft is exported.
    pub fn export_draft(
        &self,
        identity: &Identity,
        id: i64,
        format: ExportFormat,
    ) -> Result<String> {
        let detail = self.draft_detail(identity, id)?;
        if detail.draft.status != DraftStatus::Validated {
            self.audit(
                identity.login(),
                "draft.export",
                &id.to_string(),
                AuditOutcome::Denied,
                serde_json::json!({ "status": detail.draft.status.as_str() }),
            )?;
            return Err(Error::Conflict(format!(
                "draft {id} is {}: only a validated document is exported (`esculape draft validate {id}`)",
                detail.draft.status.as_str()
            )));
        }
        let (french, english) = notice_of(&detail)?;
        let body = detail
            .versions
            .last()
            .map(|version| version.body.clone())
            .unwrap_or_default();
        let exported = match format {
            ExportFormat::Markdown => format!("{body}\n---\n\n{french}\n\n{english}\n"),
            ExportFormat::Text => format!(
                "{}\n{french}\n\n{english}\n",
                esculape_drafting::markdown_to_text(&body)
            ),
            ExportFormat::Html => esculape_drafting::markdown_to_html(&body, &french, &english),
        };
        self.audit(
            identity.login(),
            "draft.export",
            &id.to_string(),
            AuditOutcome::Success,
            serde_json::json!({ "format": format, "version": detail.draft.latest_version }),
        )?;
        Ok(exported)
    }

    /// The patient information notice of a draft (French, English).
    pub fn draft_notice(&self, identity: &Identity, id: i64) -> Result<(String, String)> {
        notice_of(&self.draft_detail(identity, id)?)
    }

    fn decide(
        &self,
        identity: &Identity,
        id: i64,
        decision: DraftDecision,
        action: &str,
    ) -> Result<DraftRecord> {
        self.own_draft(identity, id, action)?;
        let record =
            self.store
                .decide_draft(id, identity.user_id(), &decision, crate::clock::now_s())?;
        self.audit(
            identity.login(),
            action,
            &id.to_string(),
            AuditOutcome::Success,
            serde_json::json!({ "version": record.latest_version }),
        )?;
        Ok(record)
    }

    /// The draft when the caller owns it; otherwise "not found" (and a denied record),
    /// so that another's draft is not even shown to exist.
    fn own_draft(&self, identity: &Identity, id: i64, action: &str) -> Result<DraftRecord> {
        self.require(identity, Permission::Draft, action, &id.to_string())?;
        match self.store.draft(id)? {
            Some(draft) if draft.owner_id == identity.user_id() => Ok(draft),
            found => {
                if found.is_some() {
                    self.audit(
                        identity.login(),
                        action,
                        &id.to_string(),
                        AuditOutcome::Denied,
                        serde_json::json!({ "reason": "not the owner" }),
                    )?;
                }
                Err(Error::NotFound(format!(
                    "there is no draft {id} of yours: `esculape draft list` shows them"
                )))
            }
        }
    }
}

fn notice_of(detail: &DraftDetail) -> Result<(String, String)> {
    let record: AiUseRecord = serde_json::from_str(&detail.draft.ai_use)
        .map_err(|error| Error::Internal(format!("stored AI-use record: {error}")))?;
    let at = detail
        .draft
        .decided_at_s
        .map(|seconds| crate::clock::rfc3339_utc(seconds * 1000));
    let validation = match (&detail.draft.status, &detail.decided_by_name, &at) {
        (DraftStatus::Validated, Some(by), Some(at)) => Some(Validation { by, at }),
        _ => None,
    };
    Ok(esculape_drafting::patient_notice(&record, validation))
}
