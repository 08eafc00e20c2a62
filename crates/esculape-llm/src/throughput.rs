//! Arithmetic of the encoder, and the matrix-product throughput of the machine, so that
//! embedding speed can be reported against what the hardware allows.

use crate::gemm::{Layout, gemm};
use crate::minilm::MiniLm;
use std::time::Instant;

/// Floating-point operations to encode `texts` (multiply-adds count two): the linear
/// layers, 2·tokens·(4·h² + 2·h·i) per layer, plus attention, 4·tokens²·h per layer.
pub fn minilm_flops(model: &MiniLm, texts: &[&str]) -> f64 {
    let (hidden, intermediate, layers) = model.shape();
    texts
        .iter()
        .map(|text| {
            let tokens = model.tokenize(text).len() as f64;
            let linear = 2.0
                * tokens
                * (4.0 * (hidden * hidden) as f64 + 2.0 * (hidden * intermediate) as f64);
            let attention = 4.0 * tokens * tokens * hidden as f64;
            layers as f64 * (linear + attention)
        })
        .sum()
}

/// GFLOP/s of a 1024×1024×1024 single-precision product, best of three, on `threads`
/// threads each computing a band of rows: the practical arithmetic limit of this machine
/// for the encoder's kernels.
pub fn measure_sgemm_gflops(threads: usize) -> f64 {
    const SIZE: usize = 1024;
    let a = vec![1.0f32; SIZE * SIZE];
    let b = vec![0.5f32; SIZE * SIZE];
    let mut c = vec![0.0f32; SIZE * SIZE];
    let threads = threads.max(1);
    let rows = SIZE.div_ceil(threads);
    let mut best = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        std::thread::scope(|scope| {
            for (band, output) in c.chunks_mut(rows * SIZE).enumerate() {
                let band_rows = output.len() / SIZE;
                let input = &a[band * rows * SIZE..(band * rows + band_rows) * SIZE];
                let b = &b;
                scope.spawn(move || {
                    gemm(
                        1.0,
                        input,
                        Layout::row_major(band_rows, SIZE),
                        b,
                        Layout::row_major(SIZE, SIZE),
                        0.0,
                        output,
                        Layout::row_major(band_rows, SIZE),
                    );
                });
            }
        });
        best = best.min(started.elapsed().as_secs_f64());
    }
    2.0 * (SIZE * SIZE * SIZE) as f64 / best / 1e9
}
