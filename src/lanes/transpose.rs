//! The mixed layouts' transposing copy (`kernels::tiles`): columns of a window, each contiguous
//! in the input, written as the rows of a buffer. Plain moves, so every bit (NaN payloads
//! included) is the input's. All on x86_64's baseline SSE2: 16-byte loads down the columns,
//! unpacked into the buffer's rows.
//!
//! `f64` samples two columns at a time. Measured on an Intel Xeon (family 6 model 207) with a
//! standalone copy of the transposed 2048² `f64` view into two C-order outputs through such a
//! buffer (no arithmetic), against the report's bound: element by element 1.42-1.64x, two
//! columns 0.97-1.18x, four columns (AVX2 4x4 transposes) 1.16-1.41x, eight (AVX-512F 8x8)
//! 1.17-1.41x (`docs/performance.md`, twenty-fourth pass). Fewer columns at once read fewer
//! streams; the library's transposed view took 0.74-0.88 of the time of the copy an element at
//! a time.
//!
//! `f32` samples four columns at a time (a 4x4 transpose: 16 bytes per buffer row, as `f64`'s
//! pairs): the library's transposed 2048² `f32` view took 0.80-0.96 of the time of the copy two
//! columns at a time (8-byte stores), on the same Xeon (twenty-fifth pass).

use core::arch::x86_64::{
    __m128i, _mm_castps_si128, _mm_loadu_pd, _mm_loadu_ps, _mm_movehl_ps, _mm_movelh_ps,
    _mm_storel_epi64, _mm_storeu_pd, _mm_storeu_ps, _mm_unpackhi_pd, _mm_unpackhi_ps,
    _mm_unpacklo_pd, _mm_unpacklo_ps,
};

use super::convert::columns_one_by_one;
use super::{Convert, Vectors};

/// [`Convert::copy_columns`](super::Convert::copy_columns) for `f64`: columns two at a time,
/// two rows a step (a 2x2 transpose).
///
/// # Safety
/// As for `Convert::copy_columns`.
#[inline(always)]
pub(super) unsafe fn f64_pairs(
    from: *const f64,
    sc: isize,
    to: *mut f64,
    dims: (usize, usize, usize),
) {
    // SAFETY: the caller's contract; `group` gets two columns of `rows` readable samples, and a
    // buffer whose rows `r < rows` have two writable elements at `to + r * pitch`.
    unsafe {
        let c = in_groups(from, sc, to, dims, |&[a, b], to, pitch, rows| {
            let mut r = 0;
            while r + 2 <= rows {
                let (x, y) = (_mm_loadu_pd(a.add(r)), _mm_loadu_pd(b.add(r)));
                _mm_storeu_pd(to.add(r * pitch), _mm_unpacklo_pd(x, y));
                _mm_storeu_pd(to.add((r + 1) * pitch), _mm_unpackhi_pd(x, y));
                r += 2;
            }
            r
        });
        rest_one_by_one(from, sc, to, dims, c);
    }
}

/// [`Convert::copy_columns`](super::Convert::copy_columns) for `f32` columns two at a time,
/// four rows a step (a 4x2 transpose, 8 bytes per buffer row: `_mm_storel_epi64` needs no
/// alignment).
///
/// # Safety
/// As for `Convert::copy_columns`.
#[inline(always)]
pub(super) unsafe fn f32_pairs(
    from: *const f32,
    sc: isize,
    to: *mut f32,
    dims: (usize, usize, usize),
) {
    // SAFETY: as for `f64_pairs`.
    unsafe {
        let c = in_groups(from, sc, to, dims, |&[a, b], to, pitch, rows| {
            let row = |r: usize| to.wrapping_add(r * pitch).cast::<__m128i>();
            let mut r = 0;
            while r + 4 <= rows {
                let (x, y) = (_mm_loadu_ps(a.add(r)), _mm_loadu_ps(b.add(r)));
                let (lo, hi) = (_mm_unpacklo_ps(x, y), _mm_unpackhi_ps(x, y));
                _mm_storel_epi64(row(r), _mm_castps_si128(lo));
                _mm_storel_epi64(row(r + 1), _mm_castps_si128(_mm_movehl_ps(lo, lo)));
                _mm_storel_epi64(row(r + 2), _mm_castps_si128(hi));
                _mm_storel_epi64(row(r + 3), _mm_castps_si128(_mm_movehl_ps(hi, hi)));
                r += 4;
            }
            r
        });
        rest_one_by_one(from, sc, to, dims, c);
    }
}

/// [`Convert::copy_columns`](super::Convert::copy_columns) for `f32`: columns four at a time,
/// four rows a step (a 4x4 transpose, 16 bytes per buffer row); the last columns of a width
/// that is not a multiple of four go [`f32_pairs`].
///
/// # Safety
/// As for `Convert::copy_columns`.
#[inline(always)]
pub(super) unsafe fn f32_quads(
    from: *const f32,
    sc: isize,
    to: *mut f32,
    dims: (usize, usize, usize),
) {
    // SAFETY: as for `f64_pairs`, four columns.
    unsafe {
        let c = in_groups(from, sc, to, dims, |&[a, b, d, e], to, pitch, rows| {
            let mut r = 0;
            while r + 4 <= rows {
                let (w, x) = (_mm_loadu_ps(a.add(r)), _mm_loadu_ps(b.add(r)));
                let (y, z) = (_mm_loadu_ps(d.add(r)), _mm_loadu_ps(e.add(r)));
                let (t0, t1) = (_mm_unpacklo_ps(w, x), _mm_unpacklo_ps(y, z));
                let (t2, t3) = (_mm_unpackhi_ps(w, x), _mm_unpackhi_ps(y, z));
                _mm_storeu_ps(to.add(r * pitch), _mm_movelh_ps(t0, t1));
                _mm_storeu_ps(to.add((r + 1) * pitch), _mm_movehl_ps(t1, t0));
                _mm_storeu_ps(to.add((r + 2) * pitch), _mm_movelh_ps(t2, t3));
                _mm_storeu_ps(to.add((r + 3) * pitch), _mm_movehl_ps(t3, t2));
                r += 4;
            }
            r
        });
        let (pitch, rows, width) = dims;
        f32_pairs(
            from.wrapping_offset(c as isize * sc),
            sc,
            to.wrapping_add(c),
            (pitch, rows, width - c),
        );
    }
}

/// The copy `K` columns at a time: `group(columns, to, pitch, rows)` copies the first rows of
/// the `K` columns into `K` elements of each buffer row from `to` (SSE2 is part of the x86_64
/// baseline) and returns how many it copied; the rest of the group's rows go a sample at a
/// time. Returns the first column not copied: the last `width % K` are the caller's.
///
/// # Safety
/// As for `Convert::copy_columns`; `group` writes only the `K` elements of each of its rows.
#[inline(always)]
unsafe fn in_groups<F: Vectors + Convert<F>, const K: usize>(
    from: *const F,
    sc: isize,
    to: *mut F,
    (pitch, rows, width): (usize, usize, usize),
    group: impl Fn(&[*const F; K], *mut F, usize, usize) -> usize,
) -> usize {
    let column = |c: usize| from.wrapping_offset(c as isize * sc);
    let mut c = 0;
    while c + K <= width {
        let mut columns = [from; K];
        for (k, col) in columns.iter_mut().enumerate() {
            *col = column(c + k);
        }
        let to = to.wrapping_add(c);
        // SAFETY: rows `r < rows` of columns `c..c + K <= width` are readable, and buffer
        // elements `r * pitch + c..+K` writable (the contract).
        unsafe {
            let mut r = group(&columns, to, pitch, rows);
            while r < rows {
                for (k, col) in columns.iter().enumerate() {
                    to.add(r * pitch + k).write(col.add(r).read());
                }
                r += 1;
            }
        }
        c += K;
    }
    c
}

/// The last `width - c` columns of a copy whose first `c` were copied in groups, one by one.
///
/// # Safety
/// As for `Convert::copy_columns`.
#[inline(always)]
unsafe fn rest_one_by_one<F: Vectors + Convert<F>>(
    from: *const F,
    sc: isize,
    to: *mut F,
    (pitch, rows, width): (usize, usize, usize),
    c: usize,
) {
    let from = from.wrapping_offset(c as isize * sc);
    // SAFETY: the contract, for columns `c..width`.
    unsafe { columns_one_by_one(from, sc, to.wrapping_add(c), (pitch, rows, width - c)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A float's bits, as stored.
    fn raw<F: Copy>(x: F) -> u64 {
        let mut b = [0u8; 8];
        let n = size_of::<F>().min(8);
        // SAFETY: `x` is `n <= 8` readable bytes, `b` 8 writable ones.
        unsafe { core::ptr::copy_nonoverlapping((&raw const x).cast::<u8>(), b.as_mut_ptr(), n) };
        u64::from_ne_bytes(b)
    }

    /// The copies two and four columns at a time write what the one-by-one copy writes, bit for bit (NaN payloads
    /// included): each window element's sample, and no other element: odd and even widths and
    /// rows, columns apart forwards and backwards.
    #[test]
    fn column_groups_copy_the_bits_of_the_one_by_one_copy() {
        fn check<F: crate::lanes::Vectors + super::super::Convert<F>>(
            bits: impl Fn(u64) -> F,
            grouped: unsafe fn(*const F, isize, *mut F, (usize, usize, usize)),
        ) {
            // Signalling NaNs with payloads among the samples: a move keeps them.
            let input: [F; 400] = core::array::from_fn(|i| {
                bits((i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 0x7f80_0001_0000_0001)
            });
            for (width, rows) in [(0, 3), (1, 1), (2, 2), (3, 5), (5, 9), (8, 18), (7, 34)] {
                for sc in [40isize, 19, -40, -23] {
                    let from = if sc > 0 { 0 } else { 399 - 34 };
                    let pitch = width | 1;
                    let mut want = [bits(u64::MAX); 400];
                    let mut got = [bits(u64::MAX); 400];
                    let src = input.as_ptr().wrapping_add(from);
                    // SAFETY: columns `c < 8` of up to 34 rows lie in `input` from `from` (up
                    // to 7 * 40 + 34 < 400 elements on, or 7 * 40 < 365 before), and `r *
                    // pitch + c < 34 * 7 + 7 < 400` in the buffers.
                    unsafe {
                        columns_one_by_one(src, sc, want.as_mut_ptr(), (pitch, rows, width));
                        grouped(src, sc, got.as_mut_ptr(), (pitch, rows, width));
                    }
                    for i in 0..400 {
                        assert_eq!(
                            raw(got[i]),
                            raw(want[i]),
                            "{width}x{rows}, sc {sc}, element {i}"
                        );
                        let (r, c) = (i / pitch, i % pitch);
                        if r < rows && c < width {
                            let sample = (from as isize + c as isize * sc) as usize + r;
                            assert_eq!(
                                raw(got[i]),
                                raw(input[sample]),
                                "{width}x{rows}, sc {sc}, element {i}"
                            );
                        } else {
                            assert_eq!(
                                raw(got[i]),
                                raw(bits(u64::MAX)),
                                "{width}x{rows}, sc {sc}, element {i}"
                            );
                        }
                    }
                }
            }
        }
        check::<f64>(f64::from_bits, f64_pairs);
        check::<f32>(|b| f32::from_bits((b >> 32) as u32), f32_pairs);
        check::<f32>(|b| f32::from_bits((b >> 32) as u32), f32_quads);
    }
}
