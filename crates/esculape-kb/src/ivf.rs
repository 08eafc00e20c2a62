//! Approximate nearest-neighbour search for large vector sets: an inverted file (IVF).
//!
//! The vectors are grouped around `lists` centroids found by spherical k-means on a
//! sample; a pack's rows are stored list after list, so one list is one contiguous range
//! of rows. A query is compared with every centroid, then only with the rows of the
//! closest lists: at 1M vectors and 1,000 lists, reading 10% of the lists reads about 10%
//! of the vectors. `esculape bench ann` measures what that costs in recall on real vectors
//! (docs/BENCHMARKS.md): questions embedded against answers are not where the answers'
//! centroids are, so a list share buys less recall than on self-similar data.
//!
//! File `vectors.ivf` (little-endian): the magic `ESCIVF01`, the dimension and the number
//! of lists (u32 each), the centroids (f32, one row per list), then the first row of each
//! list and the row count (u32, `lists + 1` values).

use crate::error::{Error, Result, io_error};
use crate::kb::write_file;
use crate::vectors::{best_row, dot};
use std::path::Path;

const MAGIC: &[u8; 8] = b"ESCIVF01";
/// Rounds of k-means (measured: 8 → 25 rounds and 64 → 256 rows per list raised recall@10
/// at 10% of lists from 0.787 to 0.811 on MedQuAD; this is the middle, trained in about
/// a minute at 1M vectors).
const KMEANS_ITERATIONS: usize = 15;
/// Training rows per list.
const SAMPLE_PER_LIST: usize = 128;

/// When and how a vector set gets an inverted file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnnSettings {
    /// Sets with fewer vectors are scanned exactly (a scan of 50,000 × 384 takes ~3 ms).
    pub min_vectors: usize,
    /// Share of the lists read per query, in percent: more is slower and closer to the
    /// exact result.
    pub probe_percent: u32,
}

impl AnnSettings {
    /// Lists to read in an index of `lists` lists (at least one).
    pub fn probes_for(&self, lists: usize) -> usize {
        (lists * self.probe_percent.min(100) as usize)
            .div_ceil(100)
            .max(1)
    }
}

impl Default for AnnSettings {
    fn default() -> AnnSettings {
        AnnSettings {
            min_vectors: 50_000,
            probe_percent: 10,
        }
    }
}

/// The centroids and list boundaries of a vector set whose rows are stored list by list.
#[derive(Debug)]
pub(crate) struct Ivf {
    pub dimension: usize,
    pub centroids: Vec<f32>,
    /// `offsets[list]..offsets[list + 1]` are the rows of `list`.
    pub offsets: Vec<u32>,
}

impl Ivf {
    pub fn lists(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Clusters `values` (unit rows of `dimension`) into about √n lists. Returns the index
    /// and the permutation that stores the rows list by list: `order[new_row] = old_row`.
    pub fn build(values: &[f32], dimension: usize) -> (Ivf, Vec<u32>) {
        let rows = values.len() / dimension.max(1);
        let lists = ((rows as f64).sqrt().round() as usize).clamp(1, rows.max(1));
        let centroids = train(values, dimension, lists);
        let assignment = assign(values, dimension, &centroids);
        let mut counts = vec![0u32; lists];
        for &list in &assignment {
            counts[list as usize] += 1;
        }
        let mut offsets = Vec::with_capacity(lists + 1);
        offsets.push(0u32);
        for count in &counts {
            offsets.push(offsets.last().copied().unwrap_or(0) + count);
        }
        let mut next = offsets[..lists].to_vec();
        let mut order = vec![0u32; rows];
        for (row, &list) in assignment.iter().enumerate() {
            order[next[list as usize] as usize] = row as u32;
            next[list as usize] += 1;
        }
        let ivf = Ivf {
            dimension,
            centroids,
            offsets,
        };
        (ivf, order)
    }

    /// Row ranges of the `probes` lists whose centroids are closest to `query`.
    pub fn probe(&self, query: &[f32], probes: usize) -> Vec<std::ops::Range<usize>> {
        let mut scored: Vec<(usize, f32)> = self
            .centroids
            .chunks_exact(self.dimension)
            .map(|centroid| dot(query, centroid))
            .enumerate()
            .collect();
        let probes = probes.clamp(1, scored.len().max(1));
        if probes < scored.len() {
            scored.select_nth_unstable_by(probes - 1, |a, b| b.1.total_cmp(&a.1));
            scored.truncate(probes);
        }
        scored
            .into_iter()
            .map(|(list, _)| self.offsets[list] as usize..self.offsets[list + 1] as usize)
            .filter(|range| !range.is_empty())
            .collect()
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let mut bytes = Vec::with_capacity(16 + 4 * (self.centroids.len() + self.offsets.len()));
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(self.dimension as u32).to_le_bytes());
        bytes.extend_from_slice(&(self.lists() as u32).to_le_bytes());
        for value in &self.centroids {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        for offset in &self.offsets {
            bytes.extend_from_slice(&offset.to_le_bytes());
        }
        write_file(path, &bytes)
    }

    /// Reads `path` and checks it against the vector set it indexes.
    pub fn read(path: &Path, dimension: usize, rows: usize) -> Result<Ivf> {
        let bytes = std::fs::read(path).map_err(io_error("read", path))?;
        let corrupt = |reason: &str| Error::CorruptIndex {
            path: path.to_path_buf(),
            reason: format!("vectors.ivf: {reason}"),
        };
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err(corrupt("not an inverted file of this version"));
        }
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let (stored_dimension, lists) = (word(8) as usize, word(12) as usize);
        if stored_dimension != dimension {
            return Err(corrupt("its dimension differs from the vectors'"));
        }
        if bytes.len() != 16 + 4 * (lists * dimension + lists + 1) {
            return Err(corrupt("truncated"));
        }
        let centroids_end = 16 + 4 * lists * dimension;
        let centroids = bytes[16..centroids_end]
            .chunks_exact(4)
            .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
            .collect();
        let offsets: Vec<u32> = (0..=lists)
            .map(|list| word(centroids_end + 4 * list))
            .collect();
        if offsets.first() != Some(&0)
            || offsets.last().copied() != Some(rows as u32)
            || offsets.windows(2).any(|pair| pair[0] > pair[1])
        {
            return Err(corrupt("its lists do not cover the vectors"));
        }
        Ok(Ivf {
            dimension,
            centroids,
            offsets,
        })
    }
}

/// Spherical k-means on an evenly spaced sample: centroids are unit vectors.
fn train(values: &[f32], dimension: usize, lists: usize) -> Vec<f32> {
    let rows = values.len() / dimension;
    let sample_rows = (lists * SAMPLE_PER_LIST).min(rows);
    let sample: Vec<f32> = (0..sample_rows)
        .flat_map(|index| {
            let row = index * rows / sample_rows;
            values[row * dimension..(row + 1) * dimension]
                .iter()
                .copied()
        })
        .collect();
    // Start from rows spread evenly over the sample (deterministic, no random source).
    let mut centroids: Vec<f32> = (0..lists)
        .flat_map(|list| {
            let row = list * sample_rows / lists;
            sample[row * dimension..(row + 1) * dimension]
                .iter()
                .copied()
        })
        .collect();
    for _ in 0..KMEANS_ITERATIONS {
        let assignment = assign(&sample, dimension, &centroids);
        let mut sums = vec![0.0f32; lists * dimension];
        let mut counts = vec![0usize; lists];
        for (row, &list) in assignment.iter().enumerate() {
            let list = list as usize;
            counts[list] += 1;
            for (sum, value) in sums[list * dimension..(list + 1) * dimension]
                .iter_mut()
                .zip(&sample[row * dimension..(row + 1) * dimension])
            {
                *sum += value;
            }
        }
        let largest = (0..lists).max_by_key(|&list| counts[list]).unwrap_or(0);
        let mut reseed = assignment
            .iter()
            .enumerate()
            .filter(|(_, list)| **list as usize == largest)
            .map(|(row, _)| row);
        for list in 0..lists {
            let centroid = &mut sums[list * dimension..(list + 1) * dimension];
            if counts[list] == 0 {
                // An empty list takes a row of the largest one, which splits it.
                if let Some(row) = reseed.next() {
                    centroid.copy_from_slice(&sample[row * dimension..(row + 1) * dimension]);
                }
            }
            let norm = centroid
                .iter()
                .map(|value| value * value)
                .sum::<f32>()
                .sqrt();
            if norm > 0.0 {
                centroid.iter_mut().for_each(|value| *value /= norm);
            }
        }
        centroids = sums;
    }
    centroids
}

/// The closest centroid of every row, on all cores.
fn assign(values: &[f32], dimension: usize, centroids: &[f32]) -> Vec<u32> {
    let rows = values.len() / dimension;
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .clamp(1, 8);
    let share = rows.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = values
            .chunks(share * dimension)
            .map(|part| {
                scope.spawn(move || {
                    part.chunks_exact(dimension)
                        .map(|row| best_row(row, centroids, dimension).0 as u32)
                        .collect::<Vec<u32>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unit vectors around `groups` well separated directions.
    fn clustered(groups: usize, per_group: usize, dimension: usize) -> Vec<f32> {
        let mut values = Vec::new();
        for group in 0..groups {
            for member in 0..per_group {
                let mut row = vec![0.0f32; dimension];
                row[group % dimension] = 1.0;
                row[(group + 1 + member) % dimension] += 0.05;
                let norm = row.iter().map(|value| value * value).sum::<f32>().sqrt();
                row.iter_mut().for_each(|value| *value /= norm);
                values.extend(row);
            }
        }
        values
    }

    #[test]
    fn lists_cover_every_row_once_and_the_file_round_trips() {
        let dimension = 16;
        let values = clustered(8, 50, dimension);
        let (ivf, order) = Ivf::build(&values, dimension);
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..400).collect::<Vec<u32>>());
        assert_eq!(ivf.lists(), 20);
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("vectors.ivf");
        ivf.write(&path).unwrap();
        let read = Ivf::read(&path, dimension, 400).unwrap();
        assert_eq!((read.centroids, read.offsets), (ivf.centroids, ivf.offsets));
        assert!(matches!(
            Ivf::read(&path, dimension, 401),
            Err(Error::CorruptIndex { .. })
        ));
        std::fs::write(&path, b"ESCIVF01\x10\0\0\0").unwrap();
        assert!(matches!(
            Ivf::read(&path, dimension, 400),
            Err(Error::CorruptIndex { .. })
        ));
    }

    #[test]
    fn the_closest_list_holds_the_rows_of_the_query_group() {
        let dimension = 16;
        let values = clustered(8, 50, dimension);
        let (ivf, order) = Ivf::build(&values, dimension);
        let mut query = vec![0.0f32; dimension];
        query[3] = 1.0;
        let ranges = ivf.probe(&query, 1);
        assert_eq!(ranges.len(), 1);
        for row in ranges[0].clone() {
            assert_eq!(order[row] / 50, 3, "row {row} belongs to another group");
        }
    }
}
