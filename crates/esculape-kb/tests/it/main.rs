//! Integration tests of the knowledge base: real folders, a real tantivy index, and the
//! reference data of `../shared/data` when it is present.

mod builtin;
mod dense;
mod local;

use esculape_kb::{
    FetchOptions, KbConfig, KnowledgeBase, NoProgress, PackSpec, SearchHit, SearchRequest,
};
use std::path::{Path, PathBuf};

/// The shared reference data, or `None` (with a message) when this checkout has none.
pub fn shared_data() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if path.join("README.md").exists() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared/data is absent (the reference data sets live there)");
        None
    }
}

pub fn open(root: &Path) -> KnowledgeBase {
    KnowledgeBase::open(KbConfig::at(root)).expect("open the knowledge base")
}

pub fn install(
    kb: &KnowledgeBase,
    spec: &PackSpec,
    mirror: Option<&Path>,
) -> esculape_kb::InstallReport {
    let options = FetchOptions {
        mirror: mirror.map(Path::to_path_buf),
        ..FetchOptions::default()
    };
    kb.install(spec, &options, &NoProgress)
        .expect("install the pack")
}

pub fn search(kb: &KnowledgeBase, query: &str, k: usize) -> Vec<SearchHit> {
    kb.search(&SearchRequest::new(query, k)).expect("search")
}

pub fn titles(hits: &[SearchHit]) -> Vec<String> {
    hits.iter().map(|hit| hit.document_title.clone()).collect()
}
