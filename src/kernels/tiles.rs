//! Mixed layouts: an input and outputs in different memory orders (an F-order array into
//! C-order outputs, a transposed view). Rows along either axis would be strided on one side, a
//! new cache line (often a new page) per element; instead the call is cut into tiles of the
//! two axes that are contiguous on one side each ([`Shape`]), and each tile's input
//! window (the tile and its halo) is copied, transposed, into a small buffer in the outputs'
//! order, from which the contiguous kernels write the tile's outputs. Each output is computed
//! by the same kernels and stencils as a block of the block API, so the bits are the same.

use core::ops::Range;

use super::across::{self, Row};
use super::walk::Batch;
use super::{Cached, NonTemporalVectors, Stores, along, nt_stores};
use crate::MAX_RANK;
use crate::block::halo;
use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::lanes::Unit;
use crate::lanes::{CACHE_LINE, nt_fence, prefetch, to_cache_line};
use crate::options::EdgeOrder;
use crate::stencil::AxisPlan;
use crate::view::{Layout, StridedView, StridedViewMut};

/// Points both tiled axes must have at least: shorter ones gain nothing from tiles. Under
/// Miri, tiles of 16 columns of 64 B, and 8 points: its tests cross tile edges on arrays 16
/// times smaller, the same code (interpreted, the 33x130 array of `tests/suite/miri_paths.rs` took
/// 405 s of its 750).
const SHORTEST: usize = if cfg!(miri) { 8 } else { 32 };

/// The bytes of a tile's column (a run of the input), and a tile's columns (smaller under Miri,
/// as [`SHORTEST`] says).
const TILE: (usize, usize) = if cfg!(miri) { (64, 16) } else { (256, 128) };

/// A tile's points along its rows' axis (contiguous in the input) and along its columns' axis
/// (contiguous in the outputs).
#[derive(Clone, Copy, Debug)]
struct Shape {
    rows: usize,
    cols: usize,
}

impl Shape {
    /// Tiles of 128 columns of 256 B: 32x128 of `f64`, 64x128 of `f32`. Each input column of
    /// a window is a run of 34 or 66 samples (272 or 264 B) read together, each output row of a
    /// tile a run of 128 samples (1 KiB of `f64`, 512 B of `f32`).
    ///
    /// Measured on an AMD Zen 4 (EPYC family 25 model 17), against the tiles before (16x64
    /// copied by rows, 32x64 by columns), alternated in one process: a 3000x2500 `f64` F-order
    /// array into C-order outputs 0.59-0.85x their time, a transposed 2048² view 0.75-0.93x;
    /// 64x128 and 32x192 were about as fast. On an Intel Xeon (family 6 model 207), once the
    /// tiles' columns started on the outputs' cache lines (`run`), three runs each on the
    /// AVX-512 and the AVX2 paths: the transposed view 0.59-0.94x the time of 16 rows of 2 KiB
    /// (the shape that was faster there while two tiles shared a cache line of each output
    /// row), its `f32` 0.84-0.91x, the F-order array 0.76-1.00x; `f32` tiles of 512 B rows
    /// took 1.5x the time of 1 KiB rows there, with 32 rows. What decides for `f32` is the
    /// input's run: with 64 rows (256 B columns, as `f64`'s) and 512 B rows, and a second
    /// output's shared lines stored through the cache (`run`), the transposed 2048² `f32` view
    /// took 1.50x and 1.55x the bound in two full reports against 2.18x and 1.98x with 32x256
    /// (`docs/performance.md`, twenty-seventh pass).
    const fn of(size: usize) -> Self {
        Shape {
            rows: TILE.0 / size,
            cols: TILE.1,
        }
    }

    /// Bytes of a window's buffer of samples of `size` bytes: the tile (the first of a row of
    /// tiles up to a cache line's samples wider, `run`) and a point of halo on each side (or
    /// the three points a second-order edge reads, `block::halo`), its rows at an odd pitch
    /// (`Tile::run`).
    const fn bytes(self, size: usize) -> usize {
        (self.rows + 2) * ((self.cols + CACHE_LINE / size + 2) | 1) * size
    }
}

/// The window buffer's 8-byte words, for either sample size: 38 KiB on the stack (`f32`'s
/// window, 38,808 B; `f64`'s 37,808).
const WORDS: usize = larger(Shape::of(8).bytes(8), Shape::of(4).bytes(4)).div_ceil(8);

/// The larger of `a` and `b`, in a constant (`Ord::max` is not `const`).
const fn larger(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// The window buffer's words as samples of `F`, every one of its bytes.
fn samples<F: Real>(words: &mut [u64; WORDS]) -> &mut [F] {
    const {
        assert!(
            align_of::<F>() <= align_of::<u64>() && size_of::<u64>().is_multiple_of(size_of::<F>())
        )
    };
    let len = WORDS * (size_of::<u64>() / size_of::<F>());
    // SAFETY: `F` is `f32` or `f64` (`Real` is sealed), for which every bit pattern is a
    // value; its alignment divides the words' (the assertion above), and `len` samples are
    // exactly the words' bytes, borrowed mutably for the slice's lifetime.
    unsafe { core::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<F>(), len) }
}

/// The two axes a call is tiled over: `contiguous_in` of unit stride in the input, `contiguous_out`
/// of unit stride in every output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tiling {
    contiguous_in: usize,
    contiguous_out: usize,
}

impl Tiling {
    /// The tiling of a call, or `None` when tiles would not help: the input and the outputs
    /// (all of one layout) are contiguous along different axes, both at least a tile long, and
    /// the gradient is taken along those axes only (another axis would need a halo of its own).
    pub(crate) fn choose(
        input: &Layout<'_>,
        outputs: &[StridedViewMut<'_, impl Sized>],
        mut axes: impl Iterator<Item = usize>,
    ) -> Option<Self> {
        let rank = input.rank().min(MAX_RANK);
        let first = outputs.first()?.layout();
        // The common call, every view in one order, is settled before any search.
        if first.same_order(input) {
            return None;
        }
        let long = |a: usize| input.len(a) >= SHORTEST;
        let contiguous_in = (0..rank).find(|&a| long(a) && input.stride(a) == 1)?;
        let contiguous_out = (0..rank).find(|&a| long(a) && first.stride(a) == 1)?;
        let same = outputs.iter().all(|o| o.layout().same_order(first));
        let tiling = Self {
            contiguous_in,
            contiguous_out,
        };
        let own = axes.all(|a| a == contiguous_in || a == contiguous_out);
        (contiguous_in != contiguous_out && same && own).then_some(tiling)
    }
}

/// Writes the gradient along each selected axis (`plans`: its axis and plan, in the order of
/// `outputs`) into `outputs`, tile by tile of `tiling`, on the call's vector `path`.
///
/// Preconditions (the driver's validation and [`Tiling::choose`]): the views passed their
/// constructors' checks and have one shape, every output has the strides of the first, each
/// plan is its axis's (of the axis's length, at least the edge order's minimum), and every
/// selected axis is one of the tiling's.
pub(crate) fn run<T: Sample<F>, F: Real>(
    path: Path,
    input: &StridedView<'_, T>,
    outputs: &mut [StridedViewMut<'_, F>],
    plans: &[(usize, AxisPlan<'_, F>)],
    edge_order: EdgeOrder,
    tiling: Tiling,
) {
    let (lin, Some(lout)) = (*input.layout(), outputs.first().map(|o| *o.layout())) else {
        return;
    };
    if lin.is_empty() {
        return;
    }
    let (across_axis, along_axis) = (tiling.contiguous_in, tiling.contiguous_out);
    let (rows, cols) = (lin.len(across_axis), lin.len(along_axis));
    // The input's stride along a tile's columns (1 along its rows: `contiguous_in`, as
    // `Tiling::choose` found it), and the outputs' strides (1 along the columns:
    // `contiguous_out`).
    debug_assert_eq!(lin.stride(across_axis), 1);
    let sc = lin.stride(along_axis);
    let strides_out = (lout.stride(across_axis), lout.stride(along_axis));
    let selected = |a: usize| plans.iter().any(|&(axis, _)| axis == a);
    let window = |a: usize, block: Range<usize>, n: usize| {
        if selected(a) {
            halo(block, n, edge_order)
        } else {
            block
        }
    };
    let shape = Shape::of(size_of::<F>());
    let mut words = [0u64; WORDS];
    let buffer = samples::<F>(&mut words);
    // Outputs larger than the caches are written around them, like a route's.
    let count = (0..lout.rank()).fold(1usize, |n, a| n.saturating_mul(lout.len(a)));
    let nt = nt_stores(count, size_of::<F>());
    let src = input.first();
    let mut dst = [core::ptr::null_mut::<F>(); 2];
    for (d, output) in dst.iter_mut().zip(outputs.iter_mut()) {
        *d = output.first_mut();
    }
    let exclude = (1 << across_axis) | (1 << along_axis);
    let mut batch = Batch::empty();
    batch.walk(&lin, &lout, exclude, along_axis, None);
    let (mut off_in, mut off_out) = (0isize, 0isize);
    loop {
        // The tiles' columns after the first start where the first output's first row starts
        // a cache line, so that each tile row's non-temporal stores fill their lines alone:
        // a line shared by two tiles' rows went out in two partial writes. The first tile
        // takes the columns before (fewer than a cache line's) too. A second output placed
        // otherwise on its cache lines still shares a line between two tiles' rows: the
        // sweeps store the partial lines at their ends with ordinary stores
        // (`NonTemporalVectors`), so that its parts meet in the cache. The transposed 2048²
        // `f32` view into two outputs 16 bytes apart on their lines (as `malloc` may place
        // them), on an Intel Xeon (family 6 model 207): 0.50-0.51 ns per output element,
        // against 0.95-1.02 with non-temporal single points (0.50-0.55 either way with the
        // outputs placed alike). On an AMD Zen 3 (EPYC family 25 model 1), the second output
        // 48 B further into its lines than the first: 0.45-0.67 with the partial lines'
        // vectors ordinary too, against 2.0-2.7 with them non-temporal beside ordinary points
        // (`docs/performance.md`, twenty-eighth pass).
        let shift = to_cache_line(dst[0].wrapping_offset(off_out));
        let bound = |k: usize| match k {
            0 => 0,
            _ => cols.min(shift.saturating_add(k.saturating_mul(shape.cols))),
        };
        for r0 in (0..rows).step_by(shape.rows) {
            let block_rows = r0..rows.min(r0 + shape.rows);
            let win_rows = window(across_axis, block_rows.clone(), rows);
            // The plans of the outputs along the rows: the band's, the same for its tiles.
            let band: [Option<AxisPlan<'_, F>>; 2] = core::array::from_fn(|k| {
                let (axis, whole) = plans.get(k)?;
                (*axis == across_axis).then(|| whole.window(win_rows.start, win_rows.len()))
            });
            let first_row = src.wrapping_offset(off_in + win_rows.start as isize);
            let mut win_cols = window(along_axis, 0..bound(1), cols);
            let tiles = (0..).map(|k| bound(k)..bound(k + 1));
            for (k, block_cols) in tiles.take_while(|c| !c.is_empty()).enumerate() {
                // The next tile's window, asked for now: its columns lie far apart in the
                // input, each a few cache lines along the rows, which no hardware prefetcher
                // follows. It is the next tile's own window.
                let next = window(along_axis, bound(k + 1)..bound(k + 2), cols);
                for col in next.start.max(win_cols.end)..next.end {
                    prefetch(first_row.wrapping_offset(col as isize * sc), win_rows.len());
                }
                let tile = Tile {
                    path,
                    rows: (block_rows.clone(), win_rows.clone()),
                    cols: (block_cols, core::mem::replace(&mut win_cols, next)),
                    col_axis: along_axis,
                };
                // SAFETY: `off_*` is the offset of a position of the batch axes (a partial sum
                // of valid index terms); the tile's windows lie in their axes, the rows' of unit
                // stride in the input, so every input element copied is one of the validated
                // input's, and every output written is an element of the tile in a validated,
                // non-overlapping output.
                unsafe {
                    let (input, output) = (
                        (src.wrapping_offset(off_in), sc),
                        (&dst, off_out, strides_out),
                    );
                    if nt {
                        tile.run::<T, F, NonTemporalVectors>(input, output, plans, &band, buffer)
                    } else {
                        tile.run::<T, F, Cached>(input, output, plans, &band, buffer)
                    }
                };
            }
        }
        if !batch.advance(&mut off_in, &mut off_out) {
            break;
        }
    }
    if nt {
        nt_fence();
    }
}

/// One tile: its points and window along the row axis (contiguous in the input) and along the
/// column axis (contiguous in the outputs).
struct Tile {
    path: Path,
    rows: (Range<usize>, Range<usize>),
    cols: (Range<usize>, Range<usize>),
    /// The column axis (the other one is the row axis): which plans are along the columns.
    col_axis: usize,
}

impl Tile {
    /// Copies the tile's window from `src` (the input at the slice's first element, unit
    /// stride along the rows and `sc` along the columns) into `buffer`, rows of the window's
    /// columns, then writes each output's tile (outputs at `dst[k] + off_out`, strides `so_row`
    /// and `so_col`) from it, with the window's plan: the band's along the rows (`band`, by
    /// output), the tile's own along the columns.
    ///
    /// # Safety
    /// Every element of the window, `src + r + c * sc`, is readable; every element of the
    /// tile in each output is writable, and distinct.
    unsafe fn run<T: Sample<F>, F: Real, S: Stores>(
        &self,
        (src, sc): (*const T, isize),
        (dst, off_out, (so_row, so_col)): (&[*mut F; 2], isize, (isize, isize)),
        plans: &[(usize, AxisPlan<'_, F>)],
        band: &[Option<AxisPlan<'_, F>>; 2],
        buffer: &mut [F],
    ) {
        let col_axis = self.col_axis;
        let ((block_rows, win_rows), (block_cols, win_cols)) = (&self.rows, &self.cols);
        let width = win_cols.len();
        // The buffer's rows are an odd number of elements apart: at a pitch of a multiple of
        // 1 KiB (128 `f64`: a window as wide as a 128-column array), the copy's writes down a
        // column fell in four of L1's sets and evicted each other.
        let pitch = width | 1;
        debug_assert!(win_rows.len() * pitch <= buffer.len());
        // The transposing copy, a column at a time (two or four on x86_64: `lanes::transpose`),
        // while its few cache lines are in L1 (a buffer row at a time would lose them before
        // their next elements are read where the input's columns share a few of L1's sets:
        // columns a multiple of 1 KiB apart, as in a transposed 2048² view).
        let rows = win_rows.len().min(buffer.len() / pitch);
        let from = src.wrapping_offset(win_cols.start as isize * sc + win_rows.start as isize);
        // SAFETY: rows `r < rows` of window column `c < width` are elements of the window (the
        // caller's contract), and `r * pitch + c < rows * pitch <= buffer.len()` is an element of
        // the buffer, `width <= pitch`.
        unsafe { T::copy_columns(from, sc, buffer.as_mut_ptr(), (pitch, rows, width)) };
        debug_assert_eq!(so_col, 1);
        let window = buffer.as_ptr();
        // An output's element at row `row`, the tile's first column.
        let out_at = |out: *mut F, row: usize| {
            out.wrapping_offset(
                off_out + row as isize * so_row + block_cols.start as isize * so_col,
            )
        };
        let first_col = block_cols.start - win_cols.start;
        // The tile's rows, as rows of the window.
        let rows = block_rows.start - win_rows.start..block_rows.end - win_rows.start;
        for ((&(axis, ref whole), &out), band) in plans.iter().zip(dst.iter()).zip(band) {
            let (block, win) = if axis == col_axis {
                (block_cols, win_cols)
            } else {
                (block_rows, win_rows)
            };
            let plan = band.unwrap_or_else(|| whole.window(win.start, win.len()));
            let points = (block.start - win.start, block.end - win.start);
            // Evenly spaced, the tile's interior points (of the window's plan) are one sweep of
            // all its rows, the vector path entered once per tile rather than once per row;
            // what is left (uneven spacing, the axis's edges) goes row by row.
            let edge = plan.len().saturating_sub(1);
            let interior = if plan.is_even() {
                (points.0.max(1), points.1.min(edge))
            } else {
                (0, 0)
            };
            let swept = interior.0 < interior.1;
            if axis == col_axis {
                if swept {
                    let src = (window.wrapping_add(rows.start * pitch), pitch);
                    let out = (out_at(out, block_rows.start).wrapping_sub(points.0), so_row);
                    // SAFETY: each tile row is a row of the window in the buffer, whose points
                    // `interior` (within 1..n-1 of its plan) read points of the row; point `i`
                    // of a row is written at its output row's column `i - points.0` of the
                    // tile, unit stride.
                    unsafe {
                        along::interior_rows::<F, S>(
                            self.path,
                            src,
                            out,
                            rows.len(),
                            &plan,
                            interior,
                        )
                    };
                }
                let rest = if swept {
                    [(points.0, interior.0), (interior.1, points.1)]
                } else {
                    [points, (0, 0)]
                };
                // Most tiles have nothing left: their rows are not visited again.
                for (lo, hi) in rest.into_iter().filter(|&(lo, hi)| lo < hi) {
                    for r in rows.clone() {
                        // Row `r` of the window, from its first column: the line along the
                        // columns.
                        let line = window.wrapping_add(r * pitch);
                        let dst = out_at(out, win_rows.start + r).wrapping_add(lo - points.0);
                        // SAFETY: the line's points are the window's columns, all in the
                        // buffer; its points `lo..hi` are tile columns, whose outputs (unit
                        // stride, from `dst`) are the tile's in this output.
                        unsafe {
                            along::line::<F, F, Unit, Unit, S>(
                                self.path,
                                line,
                                Unit,
                                dst,
                                Unit,
                                &plan,
                                (lo, hi),
                            )
                        };
                    }
                }
            } else {
                if swept {
                    let src = (window.wrapping_add(interior.0 * pitch + first_col), pitch);
                    let out = (out_at(out, win_rows.start + interior.0), so_row);
                    // SAFETY: window rows `interior` (within 1..n-1 of the plan) read the rows
                    // before and after them, in the buffer, at the tile's columns; each writes
                    // its output row's tile columns, unit stride.
                    unsafe {
                        across::interior_rows::<F, S>(
                            self.path,
                            src,
                            out,
                            (interior.1 - interior.0, block_cols.len()),
                            plan.central(),
                        )
                    };
                }
                for r in rows
                    .clone()
                    .filter(|r| !(interior.0..interior.1).contains(r))
                {
                    let at = Row {
                        src: window.wrapping_add(r * pitch + first_col),
                        input_step: Unit,
                        axis_stride: pitch as isize,
                        point: r,
                        dst: out_at(out, win_rows.start + r),
                        output_step: Unit,
                        len: block_cols.len(),
                    };
                    // SAFETY: the stencil at window row `r` (a tile row) reads window rows of
                    // the buffer (the halo holds them), at the tile's columns; the outputs are
                    // the tile's row, unit stride.
                    unsafe {
                        across::row::<F, F, Unit, Unit, S>(self.path, at, plan.stencil(r), None)
                    };
                }
            }
        }
    }
}
