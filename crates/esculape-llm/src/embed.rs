//! The embedding interface: texts in, unit-length vectors out.

use crate::error::Result;

/// Whether a text is a search query or a passage to be found (some models, e5 among them,
/// encode the two differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedKind {
    Query,
    Passage,
}

/// A sentence-embedding model.
pub trait Embedder: Send + Sync {
    /// Identifies the model and its settings; vectors made by different ids never mix.
    fn id(&self) -> &str;
    /// Length of the vectors.
    fn dimension(&self) -> usize;
    /// One L2-normalized vector per text, in order.
    fn embed(&self, texts: &[&str], kind: EmbedKind) -> Result<Vec<Vec<f32>>>;
}

/// Scales `vector` to unit length (a zero vector stays zero).
pub fn normalize(vector: &mut [f32]) {
    let norm = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
    if norm > 0.0 {
        for value in vector {
            *value /= norm;
        }
    }
}
