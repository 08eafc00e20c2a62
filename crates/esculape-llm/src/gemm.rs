//! The matrix products of the crate: a checked, safe front over `matrixmultiply::sgemm`,
//! and a kernel for products with few rows (a lone query), where packing the weights for
//! sgemm costs more than the arithmetic.

/// A strided view of a matrix stored in a slice.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl Layout {
    /// A row-major matrix whose rows follow each other.
    pub fn row_major(rows: usize, cols: usize) -> Layout {
        Layout {
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose of this view (no copy).
    pub fn transposed(self) -> Layout {
        Layout {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }

    /// Whether every element of the view lies inside a slice of `length` elements.
    fn fits(&self, length: usize) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride < length
    }
}

/// `c = alpha · a · b + beta · c`.
///
/// Panics if the layouts do not fit their slices or do not chain, so the unsafe call
/// below never reads or writes outside them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm(
    alpha: f32,
    a: &[f32],
    a_layout: Layout,
    b: &[f32],
    b_layout: Layout,
    beta: f32,
    c: &mut [f32],
    c_layout: Layout,
) {
    assert_eq!(a_layout.cols, b_layout.rows, "inner dimensions differ");
    assert_eq!(
        (a_layout.rows, b_layout.cols),
        (c_layout.rows, c_layout.cols),
        "output shape differs"
    );
    assert!(
        a_layout.fits(a.len()) && b_layout.fits(b.len()) && c_layout.fits(c.len()),
        "a layout exceeds its slice"
    );
    if c_layout.rows == 0 || c_layout.cols == 0 {
        return;
    }
    // SAFETY: the assertions above guarantee that every element sgemm touches, at
    // index row * row_stride + col * col_stride, lies inside the matching slice; `c` is
    // borrowed mutably, so it aliases neither `a` nor `b`.
    #[allow(unsafe_code)]
    unsafe {
        matrixmultiply::sgemm(
            a_layout.rows,
            a_layout.cols,
            b_layout.cols,
            alpha,
            a.as_ptr(),
            a_layout.row_stride as isize,
            a_layout.col_stride as isize,
            b.as_ptr(),
            b_layout.row_stride as isize,
            b_layout.col_stride as isize,
            beta,
            c.as_mut_ptr(),
            c_layout.row_stride as isize,
            c_layout.col_stride as isize,
        );
    }
}

/// `output = input · weightᵀ + bias` for a few rows: `input` is `[rows, inputs]`,
/// `weight` is `[outputs, inputs]` as stored, `output` is `[rows, outputs]`. Each weight
/// row is read once from memory and used for every input row while it sits in cache.
/// With `threads` > 1 the outputs are split between threads, each reading its share of
/// the weights once (sgemm would pack all of them again in every thread).
pub(crate) fn linear_few_rows(
    input: &[f32],
    rows: usize,
    weight: &[f32],
    bias: &[f32],
    output: &mut [f32],
    threads: usize,
) {
    if rows == 0 {
        return;
    }
    let (outputs, inputs) = (bias.len(), input.len() / rows);
    assert!(
        input.len() == rows * inputs
            && weight.len() == outputs * inputs
            && output.len() >= rows * outputs,
        "linear_few_rows: shapes disagree"
    );
    let threads = threads.clamp(1, outputs.max(1));
    if threads == 1 {
        few_rows(input, rows, weight, bias, output);
        return;
    }
    let share = outputs.div_ceil(threads);
    let blocks: Vec<(usize, Vec<f32>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..outputs)
            .step_by(share)
            .map(|start| {
                let end = (start + share).min(outputs);
                scope.spawn(move || {
                    let mut block = vec![0.0f32; rows * (end - start)];
                    few_rows(
                        input,
                        rows,
                        &weight[start * inputs..end * inputs],
                        &bias[start..end],
                        &mut block,
                    );
                    (start, block)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a matrix-product thread panicked"))
            .collect()
    });
    for (start, block) in blocks {
        let width = block.len() / rows;
        for (row, values) in block.chunks_exact(width).enumerate() {
            output[row * outputs + start..row * outputs + start + width].copy_from_slice(values);
        }
    }
}

/// Dispatches to the AVX2/FMA build of [`few_rows_portable`] when the CPU has it.
fn few_rows(input: &[f32], rows: usize, weight: &[f32], bias: &[f32], output: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static AVX2_FMA: OnceLock<bool> = OnceLock::new();
        if *AVX2_FMA
            .get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
        {
            // SAFETY: the CPU was just checked to support AVX2 and FMA, the only
            // requirement of `few_rows_avx2`, whose body is safe code.
            #[allow(unsafe_code)]
            unsafe {
                few_rows_avx2(input, rows, weight, bias, output);
            }
            return;
        }
    }
    few_rows_portable(input, rows, weight, bias, output);
}

/// The portable loop compiled again with AVX2 and FMA: eight lanes, fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn few_rows_avx2(input: &[f32], rows: usize, weight: &[f32], bias: &[f32], output: &mut [f32]) {
    few_rows_portable(input, rows, weight, bias, output);
}

#[inline(always)]
fn few_rows_portable(input: &[f32], rows: usize, weight: &[f32], bias: &[f32], output: &mut [f32]) {
    let outputs = bias.len();
    let inputs = input.len() / rows.max(1);
    for (column, weights) in weight.chunks_exact(inputs).enumerate() {
        for row in 0..rows {
            let values = &input[row * inputs..(row + 1) * inputs];
            output[row * outputs + column] = bias[column] + dot(values, weights);
        }
    }
}

#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent sums keep several vector registers busy.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplies_with_a_transposed_operand() {
        // a = [[1,2],[3,4]], w = [[5,6],[7,8]] stored as rows; a · wᵀ = [[17,23],[39,53]].
        let a = [1.0, 2.0, 3.0, 4.0];
        let w = [5.0, 6.0, 7.0, 8.0];
        let mut c = [0.0; 4];
        gemm(
            1.0,
            &a,
            Layout::row_major(2, 2),
            &w,
            Layout::row_major(2, 2).transposed(),
            0.0,
            &mut c,
            Layout::row_major(2, 2),
        );
        assert_eq!(c, [17.0, 23.0, 39.0, 53.0]);
    }

    #[test]
    fn few_rows_kernel_agrees_with_sgemm() {
        let (rows, inputs, outputs) = (3, 19, 37);
        let input: Vec<f32> = (0..rows * inputs)
            .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
            .collect();
        let weight: Vec<f32> = (0..outputs * inputs)
            .map(|i| ((i * 5 % 11) as f32 - 5.0) / 3.0)
            .collect();
        let bias: Vec<f32> = (0..outputs).map(|i| i as f32 / 10.0).collect();
        let mut expected: Vec<f32> = (0..rows).flat_map(|_| bias.iter().copied()).collect();
        gemm(
            1.0,
            &input,
            Layout::row_major(rows, inputs),
            &weight,
            Layout::row_major(outputs, inputs).transposed(),
            1.0,
            &mut expected,
            Layout::row_major(rows, outputs),
        );
        for threads in [1, 2, 3] {
            let mut output = vec![0.0f32; rows * outputs];
            linear_few_rows(&input, rows, &weight, &bias, &mut output, threads);
            for (got, want) in output.iter().zip(&expected) {
                assert!(
                    (got - want).abs() < 1e-4,
                    "{threads} threads: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn few_rows_kernel_accepts_no_rows() {
        let mut output = [0.0f32; 0];
        linear_few_rows(&[], 0, &[1.0; 6], &[0.0; 2], &mut output, 2);
    }

    #[test]
    #[should_panic(expected = "exceeds")]
    fn a_layout_larger_than_its_slice_is_refused() {
        let mut c = [0.0; 4];
        gemm(
            1.0,
            &[1.0; 3],
            Layout::row_major(2, 2),
            &[1.0; 4],
            Layout::row_major(2, 2),
            0.0,
            &mut c,
            Layout::row_major(2, 2),
        );
    }
}
