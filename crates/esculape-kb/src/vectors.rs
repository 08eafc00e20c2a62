//! Dense vectors of a pack's passages, on disk beside the pack's files, and exact
//! nearest-neighbour search over them.
//!
//! Files, written whole then renamed: `vectors.f32` (little-endian floats, one row per
//! passage), `vectors.ids` (one chunk id per line, same order), for large sets
//! `vectors.ivf` (the inverted file of [`crate::ivf`], rows then stored list by list) and
//! last `vectors.json` (model id, dimension, count, lists). Vectors are L2-normalized, so
//! the dot product is the cosine.

use crate::error::{Error, Result, io_error};
use crate::ivf::{AnnSettings, Ivf};
use crate::kb::write_file;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;

/// Description of a pack's vectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorInfo {
    /// The embedding model's id ([`esculape_llm::Embedder::id`]).
    pub model: String,
    pub dimension: usize,
    pub count: usize,
    /// Lists of the inverted file, when the set is large enough to have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lists: Option<usize>,
}

/// A pack's vectors in memory.
#[derive(Debug)]
pub(crate) struct VectorSet {
    pub info: VectorInfo,
    pub ids: Vec<String>,
    pub values: Vec<f32>,
    pub ivf: Option<Ivf>,
}

impl VectorSet {
    /// A set of `ids` and their vectors (`values`, one row per id); sets of at least
    /// `ann.min_vectors` rows get an inverted file and are reordered list by list.
    pub fn build(
        model: &str,
        dimension: usize,
        ids: Vec<String>,
        values: Vec<f32>,
        ann: &AnnSettings,
    ) -> VectorSet {
        let count = ids.len();
        let mut info = VectorInfo {
            model: model.to_string(),
            dimension,
            count,
            lists: None,
        };
        if count < ann.min_vectors.max(2) || dimension == 0 {
            return VectorSet {
                info,
                ids,
                values,
                ivf: None,
            };
        }
        let (ivf, order) = Ivf::build(&values, dimension);
        let mut ordered_values = Vec::with_capacity(values.len());
        let mut ordered_ids = Vec::with_capacity(count);
        for &row in &order {
            let row = row as usize;
            ordered_values.extend_from_slice(&values[row * dimension..(row + 1) * dimension]);
            ordered_ids.push(ids[row].clone());
        }
        info.lists = Some(ivf.lists());
        VectorSet {
            info,
            ids: ordered_ids,
            values: ordered_values,
            ivf: Some(ivf),
        }
    }

    pub fn write(&self, folder: &Path) -> Result<()> {
        let mut bytes = Vec::with_capacity(self.values.len() * 4);
        for value in &self.values {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        write_file(&folder.join("vectors.f32"), &bytes)?;
        write_file(&folder.join("vectors.ids"), self.ids.join("\n").as_bytes())?;
        match &self.ivf {
            Some(ivf) => ivf.write(&folder.join("vectors.ivf"))?,
            None => match std::fs::remove_file(folder.join("vectors.ivf")) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io_error("remove", folder.join("vectors.ivf"))(error));
                }
                _ => {}
            },
        }
        // The description goes last: its presence says the other files are complete.
        write_file(
            &folder.join("vectors.json"),
            serde_json::to_string_pretty(&self.info)
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
        let ivf = match info.lists {
            Some(_) => Some(Ivf::read(
                &folder.join("vectors.ivf"),
                info.dimension,
                info.count,
            )?),
            None => None,
        };
        if let (Some(lists), Some(ivf)) = (info.lists, &ivf)
            && lists != ivf.lists()
        {
            return Err(corrupt(format!(
                "vectors.json names {lists} lists, vectors.ivf has {}",
                ivf.lists()
            )));
        }
        Ok(Some(VectorSet {
            info,
            ids,
            values,
            ivf,
        }))
    }

    /// The `k` rows most similar to `query`, best first, as (row, cosine): exact for
    /// small sets, over the `probes` closest lists of the inverted file for large ones.
    pub fn nearest(&self, query: &[f32], k: usize, probes: usize) -> Vec<(usize, f32)> {
        if query.len() != self.info.dimension || k == 0 {
            return Vec::new();
        }
        match &self.ivf {
            Some(ivf) => self.scan(query, k, ivf.probe(query, probes)),
            None => self.scan(query, k, std::iter::once(0..self.info.count).collect()),
        }
    }

    /// The `k` best rows of `ranges`, on all cores when there are many rows.
    fn scan(&self, query: &[f32], k: usize, ranges: Vec<Range<usize>>) -> Vec<(usize, f32)> {
        let dimension = self.info.dimension;
        let total: usize = ranges.iter().map(ExactSizeIterator::len).sum();
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .min(8);
        // Below this many rows a thread costs more than it saves.
        let threads = if total < 8_192 { 1 } else { threads };
        let parts = split_ranges(&ranges, total.div_ceil(threads.max(1)).max(1));
        let scan_part = |part: &[Range<usize>]| {
            let mut best = TopK::new(k);
            for range in part {
                let rows = &self.values[range.start * dimension..range.end * dimension];
                scan_rows(query, rows, dimension, range.start, &mut best);
            }
            best.into_vec()
        };
        let mut candidates: Vec<(usize, f32)> = if parts.len() <= 1 {
            parts
                .first()
                .map(|part| scan_part(part))
                .unwrap_or_default()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = parts
                    .iter()
                    .map(|part| scope.spawn(|| scan_part(part)))
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|handle| handle.join().unwrap_or_default())
                    .collect()
            })
        };
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
        candidates.truncate(k);
        candidates
    }
}

/// Cuts `ranges` into parts of about `share` rows each.
fn split_ranges(ranges: &[Range<usize>], share: usize) -> Vec<Vec<Range<usize>>> {
    let mut parts = Vec::new();
    let mut current = Vec::new();
    let mut filled = 0;
    for range in ranges {
        let mut start = range.start;
        while start < range.end {
            let end = range.end.min(start + share - filled);
            current.push(start..end);
            filled += end - start;
            start = end;
            if filled == share {
                parts.push(std::mem::take(&mut current));
                filled = 0;
            }
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

fn scan_rows(query: &[f32], rows: &[f32], dimension: usize, first_row: usize, best: &mut TopK) {
    for (index, row) in rows.chunks_exact(dimension).enumerate() {
        best.push(first_row + index, dot(query, row));
    }
}

/// The row of `rows` (each of `dimension` values) with the largest dot product with
/// `query`, and that product.
pub(crate) fn best_row(query: &[f32], rows: &[f32], dimension: usize) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    for (index, row) in rows.chunks_exact(dimension).enumerate() {
        let score = dot(query, row);
        if score > best.1 {
            best = (index, score);
        }
    }
    best
}

pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
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
        let values = vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.6, 0.8, 0.0, 0.0, 0.0, 1.0];
        let ids: Vec<String> = ["a", "b", "c", "d"]
            .iter()
            .map(|id| id.to_string())
            .collect();
        VectorSet::build("test", 3, ids, values, &AnnSettings::default())
            .write(folder.path())
            .unwrap();
        let set = VectorSet::read(folder.path()).unwrap().unwrap();
        assert!(set.ivf.is_none());
        let nearest = set.nearest(&[0.0, 1.0, 0.0], 2, 1);
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
        let ids = vec!["a".to_string(), "b".to_string()];
        VectorSet::build("test", 3, ids, vec![1.0; 6], &AnnSettings::default())
            .write(folder.path())
            .unwrap();
        std::fs::write(folder.path().join("vectors.f32"), [0u8; 10]).unwrap();
        assert!(matches!(
            VectorSet::read(folder.path()),
            Err(Error::CorruptIndex { .. })
        ));
    }

    /// Deterministic pseudo-random unit vectors (a linear congruential generator).
    fn random_unit_rows(rows: usize, dimension: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        let mut values = Vec::with_capacity(rows * dimension);
        for _ in 0..rows {
            let mut row: Vec<f32> = (0..dimension)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
                })
                .collect();
            esculape_llm::normalize(&mut row);
            values.extend(row);
        }
        values
    }

    #[test]
    fn large_sets_get_an_inverted_file_that_finds_what_the_exact_scan_finds() {
        let (rows, dimension) = (3_000, 8);
        let values = random_unit_rows(rows, dimension, 7);
        let ids: Vec<String> = (0..rows).map(|row| format!("c{row}")).collect();
        let ann = AnnSettings {
            min_vectors: 1_000,
            probe_percent: 15,
        };
        let exact = VectorSet::build(
            "test",
            dimension,
            ids.clone(),
            values.clone(),
            &AnnSettings::default(),
        );
        let folder = tempfile::tempdir().unwrap();
        VectorSet::build("test", dimension, ids, values, &ann)
            .write(folder.path())
            .unwrap();
        let approximate = VectorSet::read(folder.path()).unwrap().unwrap();
        assert_eq!(approximate.info.lists, Some(55));
        let queries = random_unit_rows(50, dimension, 11);
        let mut found = 0;
        for query in queries.chunks_exact(dimension) {
            let truth: Vec<&str> = exact
                .nearest(query, 10, ann.probes_for(55))
                .iter()
                .map(|(row, _)| exact.ids[*row].as_str())
                .collect();
            let all_lists = approximate.nearest(query, 10, usize::MAX);
            assert_eq!(
                all_lists
                    .iter()
                    .map(|(row, _)| approximate.ids[*row].as_str())
                    .collect::<Vec<_>>(),
                truth,
                "probing every list is the exact scan"
            );
            found += approximate
                .nearest(query, 10, ann.probes_for(55))
                .iter()
                .filter(|(row, _)| truth.contains(&approximate.ids[*row].as_str()))
                .count();
        }
        // In 8 dimensions, 9 of 55 lists (15%) hold most true neighbours.
        assert!(found >= 50 * 10 * 7 / 10, "recall@10 {found}/500");
    }

    #[test]
    fn a_missing_inverted_file_is_reported() {
        let (rows, dimension) = (1_200, 4);
        let values = random_unit_rows(rows, dimension, 3);
        let ids: Vec<String> = (0..rows).map(|row| format!("c{row}")).collect();
        let ann = AnnSettings {
            min_vectors: 1_000,
            probe_percent: 10,
        };
        let folder = tempfile::tempdir().unwrap();
        VectorSet::build("test", dimension, ids, values, &ann)
            .write(folder.path())
            .unwrap();
        std::fs::remove_file(folder.path().join("vectors.ivf")).unwrap();
        assert!(VectorSet::read(folder.path()).is_err());
    }

    #[test]
    fn split_ranges_keeps_every_row_once() {
        let parts = split_ranges(&[0..5, 10..13, 20..21], 3);
        assert_eq!(
            parts,
            vec![vec![0..3], vec![3..5, 10..11], vec![11..13, 20..21]]
        );
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
