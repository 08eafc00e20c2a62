//! The sources: search, a passage in its context, the installed packs and their updates.

use crate::app::{App, Outcome};
use crate::identity::{Identity, Permission};
use crate::{Error, Result};
use esculape_kb::{
    InstallOutcome, InstalledPack, NoProgress, ParserKind, PassageInContext, SearchHit,
    SearchRequest, builtin_pack, local_folder_pack,
};
use esculape_text::Language;
use serde::Serialize;
use std::path::PathBuf;

/// Most passages one search returns.
pub const MAX_PASSAGES: usize = 50;
/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most context around a passage, in characters per side.
pub const MAX_CONTEXT_CHARS: usize = 5000;

/// A search in the installed sources.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub query: String,
    pub k: usize,
    /// Only these packs (empty: all).
    pub sources: Vec<String>,
}

/// What a source update did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceUpdate {
    pub pack: String,
    pub version: String,
    pub changed: bool,
}

impl App {
    /// Passages of the installed sources ranked by BM25, with provenance and highlights.
    /// Searches are not audited: they read public sources, and the query text (which may
    /// hold patient details) is never recorded.
    pub fn search(&self, identity: &Identity, query: &SearchQuery) -> Result<Vec<SearchHit>> {
        self.require(identity, Permission::Search, "search", "")?;
        let text = query.query.trim();
        if text.is_empty() {
            return Err(Error::Invalid(
                "the search is empty: type a few words".into(),
            ));
        }
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::Invalid(format!(
                "the search is longer than {MAX_QUERY_CHARS} characters: shorten it"
            )));
        }
        if query.k == 0 || query.k > MAX_PASSAGES {
            return Err(Error::Invalid(format!(
                "ask for 1 to {MAX_PASSAGES} passages"
            )));
        }
        let catalog = self.kb.catalog();
        if let Some(unknown) = query
            .sources
            .iter()
            .find(|pack| !catalog.packs.contains_key(*pack))
        {
            return Err(Error::NotFound(format!(
                "source `{unknown}` is not installed"
            )));
        }
        let request = SearchRequest {
            query: text.to_string(),
            k: query.k,
            sources: query.sources.clone(),
            language: None,
            since: None,
            until: None,
        };
        Ok(self.kb.search(&request)?)
    }

    /// One passage with up to `context_chars` characters of its document on each side.
    pub fn passage(
        &self,
        identity: &Identity,
        chunk_id: &str,
        context_chars: usize,
    ) -> Result<PassageInContext> {
        self.require(identity, Permission::Search, "passage", "")?;
        if chunk_id.is_empty() || chunk_id.len() > 1000 {
            return Err(Error::Invalid(
                "a passage id looks like pack:document#n".into(),
            ));
        }
        match self
            .kb
            .passage(chunk_id, context_chars.min(MAX_CONTEXT_CHARS))
        {
            Ok(passage) => Ok(passage),
            Err(esculape_kb::Error::InvalidQuery(message)) => Err(Error::NotFound(message)),
            Err(other) => Err(other.into()),
        }
    }

    /// The installed packs with their versions and provenance.
    pub fn sources(&self, identity: &Identity) -> Result<Vec<InstalledPack>> {
        self.require(identity, Permission::ReadSources, "sources.list", "")?;
        Ok(self.kb.catalog().packs.values().cloned().collect())
    }

    /// Fetches an installed pack again and reindexes it if its files changed (minutes for
    /// a large pack). Administrators only.
    pub fn update_source(&self, identity: &Identity, pack: &str) -> Result<SourceUpdate> {
        self.require(identity, Permission::UpdateSources, "sources.update", pack)?;
        let catalog = self.kb.catalog();
        let installed = catalog
            .packs
            .get(pack)
            .ok_or_else(|| Error::NotFound(format!("source `{pack}` is not installed")))?;
        let spec = if installed.parser == ParserKind::LocalFolder {
            let language = Language::from_code(&installed.language).unwrap_or(Language::French);
            local_folder_pack(PathBuf::from(&installed.origin), &installed.title, language)
        } else {
            builtin_pack(pack)
                .ok_or_else(|| Error::NotFound(format!("source `{pack}` is not a built-in pack")))?
        };
        let result = self.kb.install(&spec, &self.settings.fetch, &NoProgress);
        let report = match result {
            Ok(report) => report,
            Err(error) => {
                self.audit(
                    identity.login(),
                    "sources.update",
                    pack,
                    Outcome::Failure,
                    serde_json::json!({}),
                )?;
                return Err(match error {
                    esculape_kb::Error::Fetch { .. } | esculape_kb::Error::Empty { .. } => {
                        Error::Unavailable {
                            retry_after_s: 300,
                            reason: error.to_string(),
                        }
                    }
                    other => other.into(),
                });
            }
        };
        let (version, changed) = match report.outcome {
            InstallOutcome::Installed { version, .. } => (version, true),
            InstallOutcome::UpToDate { version } => (version, false),
        };
        self.audit(
            identity.login(),
            "sources.update",
            pack,
            Outcome::Success,
            serde_json::json!({ "version": version, "changed": changed }),
        )?;
        Ok(SourceUpdate {
            pack: pack.to_string(),
            version,
            changed,
        })
    }
}
