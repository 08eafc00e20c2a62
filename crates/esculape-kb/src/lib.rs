//! The knowledge base: vetted sources with their provenance, cut into citable passages,
//! indexed for French- and English-aware search.
//!
//! Core concepts:
//! - a **pack** ([`PackSpec`]) is a source with provenance: publisher, title, licence,
//!   where it comes from and how to parse it. Built-in packs: `bdpm`, `ansm-interactions`,
//!   `cim10`, `medquad`, `pamj-cases`; any folder of documents is a local pack;
//! - installing a pack fetches its files ([`FetchOptions`], with a mirror option), parses
//!   them into documents, cuts those into chunks that keep exact character offsets and
//!   section paths, and indexes them in one atomic commit along with the [`Catalog`];
//! - [`KnowledgeBase::search`] ranks passages with BM25 over analyzers that fold case and
//!   accents, drop elisions and stop words, stem, and expand medical abbreviations;
//! - [`KnowledgeBase::term_statistics`] gives a term's passage count over the whole index
//!   ([`TermStatistics`]), for weighing words by their corpus-wide rarity.
//!
//! ```no_run
//! use esculape_kb::{FetchOptions, KbConfig, KnowledgeBase, NoProgress, SearchRequest, builtin_pack};
//! # fn main() -> esculape_kb::Result<()> {
//! let kb = KnowledgeBase::open(KbConfig::at("var/kb"))?;
//! let options = FetchOptions { mirror: Some("../shared/data".into()), ..FetchOptions::default() };
//! kb.install(&builtin_pack("ansm-interactions").unwrap(), &options, &NoProgress)?;
//! for hit in kb.search(&SearchRequest::new("aspirine et anticoagulants", 5))? {
//!     println!("[{}] {} — {}", hit.rank, hit.source.title, hit.document_title);
//! }
//! # Ok(())
//! # }
//! ```

mod analyzer;
mod catalog;
mod chunk;
mod decode;
mod dense;
mod document;
mod error;
mod fetch;
mod ivf;
mod kb;
mod pack;
mod parse;
mod schema;
mod search;
mod statistics;
mod time;
mod vectors;

pub use analyzer::{analyze, analyzer};
pub use catalog::{Catalog, ChangeRecord, InstalledPack};
pub use chunk::{Chunk, chunk_document};
pub use decode::{Encoding, decode_text};
pub use dense::{AnnFigures, SearchMode};
pub use document::{Document, Finding, Heading, Severity};
pub use error::{Error, Result};
pub use fetch::{FetchOptions, FileProvenance};
pub use ivf::AnnSettings;
pub use kb::{BUILD, InstallOutcome, InstallReport, KbConfig, KnowledgeBase, NoProgress, Progress};
pub use pack::{
    Origin, PackFile, PackSpec, ParserKind, builtin_pack, builtin_packs, local_folder_pack, slug,
};
pub use parse::ParseLimits;
pub use parse::bdpm::read_table as read_bdpm_table;
pub use search::{PassageInContext, SearchHit, SearchRequest, SourceRef};
pub use statistics::TermStatistics;
pub use vectors::VectorInfo;
