//! The one matrix product of the crate: a checked, safe front over `matrixmultiply::sgemm`.

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
