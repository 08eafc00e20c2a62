//! Corpus-wide term statistics: how many passages of one language the index holds, and
//! how many of them hold a term, so that callers can weigh a word by its rarity in the
//! whole knowledge base rather than in the few passages a search returned.

use crate::error::Result;
use crate::kb::KnowledgeBase;
use esculape_text::Language;
use tantivy::Term;

/// Passage counts over the whole index for one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermStatistics {
    /// Passages indexed in the language.
    pub passages: u64,
    /// For each term asked, in order: the passages of the language that hold it.
    pub document_frequencies: Vec<u64>,
}

impl TermStatistics {
    /// The BM25 inverse document frequency of the `index`-th term asked,
    /// `ln(1 + (N − df + 0.5) / (df + 0.5))`: highest for a term no passage holds, near 0
    /// for a term most passages hold, never negative.
    pub fn idf(&self, index: usize) -> f32 {
        let passages = self.passages as f64;
        let holding = self.document_frequencies[index].min(self.passages) as f64;
        (1.0 + (passages - holding + 0.5) / (holding + 0.5)).ln() as f32
    }
}

impl KnowledgeBase {
    /// Statistics of analyzed `terms` (as [`crate::analyze`] writes them for `language`)
    /// over every installed pack, as of the last reload. Passages of a pack update not
    /// yet merged away may be counted twice: the counts are for weighting, not display.
    pub fn term_statistics(&self, language: Language, terms: &[&str]) -> Result<TermStatistics> {
        let searcher = self.searcher();
        let fields = self.fields();
        let passages = searcher.doc_freq(&Term::from_field_text(fields.lang, language.code()))?;
        let field = fields.text_field(language);
        let document_frequencies = terms
            .iter()
            .map(|term| searcher.doc_freq(&Term::from_field_text(field, term)))
            .collect::<tantivy::Result<Vec<u64>>>()?;
        Ok(TermStatistics {
            passages,
            document_frequencies,
        })
    }
}
