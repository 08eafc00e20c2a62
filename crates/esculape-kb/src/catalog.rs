//! The catalog of installed packs and the record of what changed.
//!
//! The catalog is stored inside the search index's own commit (tantivy's commit payload),
//! so the list of packs and the indexed passages can never disagree: both change in the
//! same atomic rename of the index's `meta.json`.

use crate::fetch::FileProvenance;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the catalog format stored in the index.
pub const CATALOG_FORMAT: u32 = 1;

/// Installed packs, by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub format: u32,
    pub packs: BTreeMap<String, InstalledPack>,
    /// The change made by the commit that wrote this catalog.
    #[serde(default)]
    pub last_change: Option<ChangeRecord>,
}

/// A pack as installed: its provenance and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstalledPack {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub licence: String,
    pub homepage: String,
    /// ISO 639-1 code of the pack's main language.
    pub language: String,
    pub parser: crate::pack::ParserKind,
    /// The publisher's version, or the first 12 hex digits of the checksum.
    pub version: String,
    /// Publication date of this version, when known (`YYYY-MM-DD`).
    pub published: Option<String>,
    /// When Esculape fetched it (RFC 3339, UTC).
    pub retrieved_at: String,
    /// An address, `pip:package==version`, `mirror:folder` or a local folder.
    pub origin: String,
    /// SHA-256 over the pack's files: equal means unchanged.
    pub checksum: String,
    pub files: Vec<FileProvenance>,
    pub documents: usize,
    pub chunks: usize,
    /// Files or records skipped while parsing.
    pub skipped: usize,
    /// Folder (relative to the knowledge base root) holding the files and document list.
    pub storage: String,
    /// Version of the parser and chunker that built it; a new one reindexes.
    pub build: u32,
    /// Dense vectors of its passages, when they were computed (`esculape sources embed`).
    #[serde(default)]
    pub vectors: Option<crate::vectors::VectorInfo>,
}

/// What an update changed in one pack, for the "what changed" feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub id: String,
    pub at: String,
    pub pack: String,
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// Up to [`CHANGE_SAMPLE`] document keys of each kind.
    pub added_keys: Vec<String>,
    pub changed_keys: Vec<String>,
    pub removed_keys: Vec<String>,
}

/// How many document keys of each kind a change record lists.
pub const CHANGE_SAMPLE: usize = 200;

/// Compares two document lists (key -> content hash).
pub(crate) fn compare_documents(
    previous: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let added = current
        .keys()
        .filter(|key| !previous.contains_key(*key))
        .cloned()
        .collect();
    let changed = current
        .iter()
        .filter(|(key, hash)| previous.get(*key).is_some_and(|old| old != *hash))
        .map(|(key, _)| key.clone())
        .collect();
    let removed = previous
        .keys()
        .filter(|key| !current.contains_key(*key))
        .cloned()
        .collect();
    (added, changed, removed)
}

/// Reads a document list written by [`write_document_list`].
pub(crate) fn parse_document_list(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.rsplit_once('\t'))
        .map(|(key, hash)| (key.to_string(), hash.to_string()))
        .collect()
}

/// One `key<TAB>hash` line per document; keys never hold tabs or newlines.
pub(crate) fn write_document_list(documents: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (key, hash) in documents {
        text.push_str(key);
        text.push('\t');
        text.push_str(hash);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_added_changed_removed() {
        let previous = parse_document_list("a\t1\nb\t2\nc\t3\n");
        let current = parse_document_list("a\t1\nb\t9\nd\t4\n");
        let (added, changed, removed) = compare_documents(&previous, &current);
        assert_eq!(
            (added, changed, removed),
            (
                vec!["d".to_string()],
                vec!["b".to_string()],
                vec!["c".to_string()]
            )
        );
        assert_eq!(parse_document_list(&write_document_list(&current)), current);
    }
}
