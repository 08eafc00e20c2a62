//! Dense vectors of a pack's passages, on disk beside the pack's files, and exact
//! nearest-neighbour search over them.
//!
//! Files, written whole then renamed: `vectors.f32` (little-endian floats, one row per
//! passage), `vectors.ids` (one chunk id per line, same order) and `vectors.json` (model
//! id, dimension, count). Vectors are L2-normalized, so the dot product is the cosine.

use crate::error::{Error, Result, io_error};
use crate::kb::write_file;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Description of a pack's vectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorInfo {
    /// The embedding model's id ([`esculape_llm::Embedder::id`]).
    pub model: String,
    pub dimension: usize,
    pub count: usize,
}

/// A pack's vectors in memory.
#[derive(Debug)]
pub(crate) struct VectorSet {
    pub info: VectorInfo,
    pub ids: Vec<String>,
    pub values: Vec<f32>,
}

impl VectorSet {
    pub fn write(folder: &Path, info: &VectorInfo, ids: &[String], values: &[f32]) -> Result<()> {
        let mut bytes = Vec::with_capacity(values.len() * 4);
        for value in values {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        write_file(&folder.join("vectors.f32"), &bytes)?;
        write_file(&folder.join("vectors.ids"), ids.join("\n").as_bytes())?;
        // The description goes last: its presence says the other two files are complete.
        write_file(
            &folder.join("vectors.json"),
            serde_json::to_string_pretty(info)
                .unwrap_or_default()
                .as_bytes(),
        )
    }

    pub fn read(folder: &Path) -> Result<Option<VectorSet>> {
        let info_path = folder.join("vectors.json");
        let info_text = match std::fs::read_to_string(&info_path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error("read", &info_path)(error)),
        };
        let corrupt = |reason: String| Error::CorruptIndex {
            path: folder.to_path_buf(),
            reason,
        };
        let info: VectorInfo = serde_json::from_str(&info_text)
            .map_err(|error| corrupt(format!("vectors.json: {error}")))?;
        let bytes = std::fs::read(folder.join("vectors.f32"))
            .map_err(io_error("read", folder.join("vectors.f32")))?;
        let ids_text = std::fs::read_to_string(folder.join("vectors.ids"))
            .map_err(io_error("read", folder.join("vectors.ids")))?;
        let ids: Vec<String> = if ids_text.is_empty() {
            Vec::new()
        } else {
            ids_text.split('\n').map(str::to_string).collect()
        };
        if bytes.len() != info.count * info.dimension * 4 || ids.len() != info.count {
            return Err(corrupt(format!(
                "vector files disagree with vectors.json ({} ids, {} bytes)",
                ids.len(),
                bytes.len()
            )));
        }
        let values = bytes
            .chunks_exact(4)
            .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
            .collect();
        Ok(Some(VectorSet { info, ids, values }))
    }

    /// The `k` rows most similar to `query`, best first, as (row, cosine).
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(usize, f32)> {
        let dimension = self.info.dimension;
        if query.len() != dimension || k == 0 {
            return Vec::new();
        }
        let rows = self.info.count;
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .min(8);
        let share = rows.div_ceil(threads.max(1)).max(1);
        let mut candidates: Vec<(usize, f32)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..rows)
                .step_by(share)
                .map(|start| {
                    scope.spawn(move || {
                        let end = (start + share).min(rows);
                        let mut best = TopK::new(k);
                        for row in start..end {
                            let score =
                                dot(query, &self.values[row * dimension..(row + 1) * dimension]);
                            best.push(row, score);
                        }
                        best.into_vec()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|handle| handle.join().unwrap_or_default())
                .collect()
        });
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
        candidates.truncate(k);
        candidates
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static AVX2_FMA: OnceLock<bool> = OnceLock::new();
        if *AVX2_FMA
            .get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
        {
            // SAFETY: the CPU was just checked to support AVX2 and FMA, the only
            // requirement of `dot_avx2`, whose body is safe code.
            #[allow(unsafe_code)]
            return unsafe { dot_avx2(a, b) };
        }
    }
    dot_portable(a, b)
}

/// The portable loop, compiled again with AVX2 and FMA enabled: the compiler vectorizes it
/// eight lanes wide with fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    dot_portable(a, b)
}

#[inline(always)]
fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent sums let the compiler keep several vector registers busy.
    let mut sums = [0.0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..8 {
            sums[lane] += x[lane] * y[lane];
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// The `k` best (row, score) pairs seen so far.
struct TopK {
    k: usize,
    items: Vec<(usize, f32)>,
    floor: f32,
}

impl TopK {
    fn new(k: usize) -> TopK {
        TopK {
            k,
            items: Vec::with_capacity(2 * k),
            floor: f32::NEG_INFINITY,
        }
    }

    fn push(&mut self, row: usize, score: f32) {
        if score <= self.floor {
            return;
        }
        self.items.push((row, score));
        if self.items.len() >= 2 * self.k {
            self.items.sort_by(|a, b| b.1.total_cmp(&a.1));
            self.items.truncate(self.k);
            self.floor = self.items[self.k - 1].1;
        }
    }

    fn into_vec(mut self) -> Vec<(usize, f32)> {
        self.items.sort_by(|a, b| b.1.total_cmp(&a.1));
        self.items.truncate(self.k);
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rows_come_first_and_files_round_trip() {
        let folder = tempfile::tempdir().unwrap();
        let info = VectorInfo {
            model: "test".into(),
            dimension: 3,
            count: 4,
        };
        let values = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.6, 0.8, 0.0, 0.0, 0.0, 1.0];
        let ids: Vec<String> = ["a", "b", "c", "d"]
            .iter()
            .map(|id| id.to_string())
            .collect();
        VectorSet::write(folder.path(), &info, &ids, &values).unwrap();
        let set = VectorSet::read(folder.path()).unwrap().unwrap();
        let nearest = set.nearest(&[0.0, 1.0, 0.0], 2);
        assert_eq!(
            nearest
                .iter()
                .map(|(row, _)| set.ids[*row].as_str())
                .collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert!((nearest[1].1 - 0.8).abs() < 1e-6);
    }

    #[test]
    fn truncated_vector_files_are_reported_not_misread() {
        let folder = tempfile::tempdir().unwrap();
        let info = VectorInfo {
            model: "test".into(),
            dimension: 3,
            count: 2,
        };
        VectorSet::write(folder.path(), &info, &["a".into(), "b".into()], &[1.0; 6]).unwrap();
        std::fs::write(folder.path().join("vectors.f32"), [0u8; 10]).unwrap();
        assert!(matches!(
            VectorSet::read(folder.path()),
            Err(Error::CorruptIndex { .. })
        ));
    }

    #[test]
    fn dot_handles_lengths_that_are_not_multiples_of_eight() {
        let a: Vec<f32> = (0..11).map(|value| value as f32).collect();
        assert_eq!(
            dot(&a, &a),
            (0..11).map(|value| (value * value) as f32).sum::<f32>()
        );
    }
}
