//! The whole decision for one axis of a call, taken once from the layouts: which walk (lines
//! along the axis, rows across it, or one contiguous block), which strides are known to be 1 at
//! compile time, the tile of strided rows (or the window of long contiguous ones), and whether
//! the stores bypass the caches.

use crate::MAX_RANK;
use crate::isa::Path;
use crate::view::Layout;

/// The kernels a caller may force (tests and fuzzing compare each with the reference; see
/// `testing`).
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Kernel {
    /// The fastest kernel that fits the layout.
    Auto,
    /// Along unit-stride lines; fits only when the gradient axis has stride 1 in input and
    /// output.
    AlongContiguous,
    /// Along lines with any strides; fits every layout.
    AlongStrided,
    /// Across rows; fits only when another axis longer than 1 has stride 1 in the input or the
    /// output.
    Across,
}

/// How one axis is walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Walk {
    /// Along the lines of the gradient axis (strides `Route::unit_*` are the axis's), their
    /// weights shared or not (`Route::shared_weights`).
    Lines,
    /// Across rows of `len` elements made of the axes in the bit mask `axes`, of strides
    /// `step_in` and `step_out` (1 and 1 for axes merged while contiguous in both; otherwise one
    /// axis of unit stride on one side), walked `tile` columns at a time over the whole batch.
    Rows {
        axes: u64,
        len: usize,
        step_in: isize,
        step_out: isize,
        tile: usize,
    },
    /// Rows of `len` contiguous elements whose points follow each other in memory (the gradient
    /// axis has stride `len` on both sides) on an evenly spaced axis: every interior point has
    /// the same stencil, so the interior is one long row, however short each row is (an
    /// `[n, 3]` IMU log along its time axis).
    Block { axes: u64, len: usize },
    /// Short contiguous lines of an evenly spaced axis that follow each other in memory (the
    /// axes in `axes` extend them, `len` elements in all, on both sides): the interior formula
    /// over the whole block at once, then each line's two edges again, instead of a kernel
    /// call per line (a 32x32 frame along its rows, an `[n, 3]` log along its channels).
    Flat { axes: u64, len: usize },
}

/// Everything decided for one axis: the walk, the compile-time unit strides of the kernel's
/// inner loop (the gradient axis's along lines, the row's across), and the stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) walk: Walk,
    /// The input's inner stride is the compile-time unit stride.
    pub(crate) unit_in: bool,
    /// The output's inner stride is the compile-time unit stride.
    pub(crate) unit_out: bool,
    /// Non-temporal stores (large outputs, unit output stride only).
    pub(crate) nt: bool,
    /// The input's elements between those it reaches must not be read (a view from a raw
    /// pointer): its run-time strides load lane by lane.
    pub(crate) apart_in: bool,
    /// [`Walk::Lines`] over several lines of an unevenly spaced axis (64-bit targets): numpy's
    /// weights computed once for all the lines, a segment of the axis at a time
    /// (`kernels::whole_lines`; in a pass cut across another axis, once for all its parts:
    /// `kernels::weights`), instead of once per line. (A field of the
    /// route, not of the variant: a field in
    /// `Walk::Lines` cost the firmware 400 B of stack in the driver's frame.)
    pub(crate) shared_weights: bool,
}

/// Lines at most this long are walked [`Walk::Flat`] when they can: longer ones cost more than
/// their call.
const FLAT_LINE: usize = 128;

/// Columns per tile of rows that are strided on one side (a few cache lines of the
/// contiguous side).
const ROW_TILE: usize = 128;

/// Input bytes of a row's window: contiguous rows streamed from memory (non-temporal stores)
/// longer than this are walked a window of columns at a time over the whole batch, so that the
/// rows before the point (three windows in all, 384 KiB, in L2) are still in cache when the
/// next point reads them. Whole rows of a plane come back from L3, or from memory. Measured on
/// an AMD Zen 5, 150x200x2500 `f64` along axis 0 by coordinates (rows of 500,000 points), time
/// over a same-run memcpy bound, two runs of seven: whole rows 1.09-1.28x; windows of 64 KiB
/// 0.95-1.12x, 128 KiB 0.93-1.12x, 256 KiB 0.99-1.11x, 512 KiB 0.95-1.03x.
const ROW_WINDOW_BYTES: usize = 128 * 1024;

/// Columns per window of contiguous rows of `sample` bytes (see [`ROW_WINDOW_BYTES`]); the walk
/// takes a shorter row whole, as it does with [`ROW_TILE`].
fn window(sample: usize) -> usize {
    (ROW_WINDOW_BYTES / sample.max(1)).max(1)
}

/// Outputs at least this large are written with non-temporal stores: they do not fit the
/// caches anyway, and skipping the read of each destination line before writing it nearly
/// halves the memory traffic of the stores (measured here: a 134 MB copy at 14 GB/s with plain
/// stores, 25 GB/s non-temporal; at 8 MB plain stores win, so smaller outputs keep them).
const NT_BYTES: usize = 16 << 20;

/// Whether `count` outputs of `bytes` each are enough to bypass the caches.
pub(crate) fn nt_stores(count: usize, bytes: usize) -> bool {
    count.saturating_mul(bytes) >= NT_BYTES
}

/// Whether a line that computes its own weights (no weights shared with other lines) may
/// bypass the caches on `path` when its outputs are large enough ([`nt_stores`]): always on an
/// `even` axis; on an uneven one, whose three divisions per point bound it, only on 512-bit
/// lanes. On lanes of 256 bits or fewer the divider bounds such a line (about 1 ns per `f64`
/// point on an AMD Zen 3 or Zen 4, more on Intel's): memory has time to spare for the reads of
/// each destination line, while stores that reach memory one 32-byte half at a time, a
/// divider's pace apart, can leave the write-combining buffer as partial lines. Measured on an
/// AMD Zen 4, 1e7 points by coordinates, plain stores against non-temporal ones in one process:
/// `f64` 0.79-0.81 of the time, `f32` 0.85-0.97. The 512-bit lanes keep them: they divide twice
/// as fast per element on an AMD Zen 5, where such a line runs at memory's pace (on a Zen 4,
/// whose 512-bit division is no faster, plain stores took 0.88-0.91 of the time, not taken
/// without the Zen 5's figure).
pub(crate) fn line_nt(path: Path, even: bool) -> bool {
    #[cfg(target_arch = "x86_64")]
    let wide = path.avx512(true).is_some();
    // Elsewhere a non-temporal store is an ordinary one: nothing to choose.
    #[cfg(not(target_arch = "x86_64"))]
    let wide = {
        let _ = path;
        true
    };
    even || wide
}

/// Whether elements `stride` apart, of `size` bytes, share cache lines (a step-2 view's rows):
/// such rows are walked whole, and read ahead (`across`).
#[inline(always)]
pub(crate) fn shares_lines(stride: isize, size: usize) -> bool {
    stride.unsigned_abs().saturating_mul(size) <= 64
}

/// The sizes of one input sample and one result: all a route needs of the element types (so
/// [`Route::choose`] is one function for every pairing, not one per pairing).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ElemBytes {
    sample: usize,
    result: usize,
}

impl ElemBytes {
    /// The sizes of samples `T` and results `F`.
    pub(crate) fn of<T, F>() -> Self {
        Self {
            sample: size_of::<T>(),
            result: size_of::<F>(),
        }
    }
}

impl Route {
    /// The route `kernel` asks for on `axis` (evenly spaced when `even`), between elements of
    /// `bytes`, or `None` if it does not fit the layouts. `cut` holds the axes the call computes a
    /// part of at a time (the fused pass: a range of its outer axis, one point of its second
    /// cut), which no block or row may span.
    pub(crate) fn choose(
        kernel: Kernel,
        input: &Layout<'_>,
        output: &Layout<'_>,
        axis: usize,
        even: bool,
        cut: u64,
        bytes: ElemBytes,
    ) -> Option<Self> {
        let (s_in, s_out) = (input.stride(axis), output.stride(axis));
        let unit_line = s_in == 1 && s_out == 1;
        let count = output
            .shape()
            .iter()
            .fold(1usize, |a, &n| a.saturating_mul(n));
        let big = nt_stores(count, bytes.result);
        // Lines beside the gradient axis's own: those that could share its weights.
        let others = || {
            (0..input.rank())
                .filter(|&a| a != axis)
                .fold(1usize, |k, a| k.saturating_mul(input.len(a)))
        };
        let shared_weights = cfg!(target_pointer_width = "64") && !even && others() > 1;
        let lines = |unit_in: bool, unit_out: bool| Self {
            walk: Walk::Lines,
            unit_in,
            unit_out,
            nt: big && unit_out,
            apart_in: false,
            shared_weights,
        };
        // Along a unit line; else across rows, contiguous or (tiled) strided on one side;
        // else along strided lines. Rows beat lines strided on one side: a line whose
        // other side is strided touches a new cache line (often a new page) per element.
        // A forced strided walk keeps both strides run-time, even where they are 1 (its
        // instantiation is what it tests).
        let strided = || lines(s_in == 1 && s_out != 1, s_out == 1 && s_in != 1);
        let across = || rows(input, output, (axis, s_in, s_out), (even, cut, big), bytes);
        let route = match kernel {
            Kernel::Auto if unit_line => {
                Some(flat(input, output, axis, even, cut).unwrap_or_else(|| lines(true, true)))
            }
            Kernel::Auto => Some(across().unwrap_or_else(strided)),
            Kernel::AlongContiguous => unit_line.then(|| lines(true, true)),
            Kernel::AlongStrided => Some(strided()),
            Kernel::Across => across(),
        };
        let apart_in = !input.gaps_readable();
        route.map(|r| Self { apart_in, ..r })
    }
}

/// A 2-D frame along both axes (`axes`: 0 and 1, either way round), its rows one after the
/// other in the input and both outputs (unit stride along a row, the row's length between
/// rows, whatever the descriptors), at least 3 rows of at most [`FLAT_LINE`] points (2 at
/// least). On evenly spaced axes and outputs too small for non-temporal stores, the search
/// takes [`Walk::Block`] across the rows and [`Walk::Flat`] along them, each over the whole
/// frame (`a_frame_takes_the_searched_routes`), so a frame skips it (`kernels::run_frame`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    rows: usize,
    cols: usize,
}

impl Frame {
    /// The frame of these layouts, if they make one (the spacing is the caller's to check).
    #[inline]
    pub(crate) fn fits(
        input: &Layout<'_>,
        outputs: [&Layout<'_>; 2],
        axes: [usize; 2],
    ) -> Option<Self> {
        let (rows, cols) = (input.len(0), input.len(1));
        let dense =
            |l: &Layout<'_>| l.is_c_order() || l.stride(1) == 1 && l.stride(0) == cols as isize;
        let fits = input.rank() == 2
            // A block needs an interior row; flat lines are short, and have two points.
            && rows > 2
            && (2..=FLAT_LINE).contains(&cols)
            && !nt_stores(rows.saturating_mul(cols), size_of::<f64>())
            && matches!(axes, [0, 1] | [1, 0])
            && dense(input)
            && outputs.iter().all(|l| dense(l));
        fits.then_some(Self { rows, cols })
    }

    /// The walk of `axis` (0 or 1) over the whole frame.
    pub(crate) fn walk(self, axis: usize) -> Walk {
        let Self { rows, cols } = self;
        match axis {
            0 => Walk::Block {
                axes: 1 << 1,
                len: cols,
            },
            _ => Walk::Flat {
                axes: 1 << 0,
                len: rows * cols,
            },
        }
    }
}

/// Flat lines: an evenly spaced `axis` of unit stride on both sides, of at most [`FLAT_LINE`]
/// points, whose lines follow each other (another axis of stride `n` on both sides, extended
/// while the next one continues them), none of the merged axes a `cut` one.
// Inlined, like `rows` and `continue_run`, into `Route::choose`: each returned its route
// through memory, copied at once (a 32x32 frame's call: about 5% of its time).
#[inline(always)]
fn flat(
    input: &Layout<'_>,
    output: &Layout<'_>,
    axis: usize,
    even: bool,
    cut: u64,
) -> Option<Route> {
    let n = input.len(axis);
    // A range of the gradient axis (a block reading outside itself) needs its own lines.
    if !even || n > FLAT_LINE || cut & 1 << axis != 0 {
        return None;
    }
    let (axes, len) = continue_run(input, output, axis, cut, (0, n));
    (axes != 0).then_some(Route {
        walk: Walk::Flat { axes, len },
        unit_in: true,
        unit_out: true,
        nt: false,
        apart_in: false,
        shared_weights: false,
    })
}

/// `axes` (of `len` elements in all) extended by every axis that continues them in both views
/// (of stride `len` there, then the product so far, …), other than `axis` and those of `skip`: the
/// largest block of memory the two views walk in the same order, and its length.
#[inline(always)]
fn continue_run(
    input: &Layout<'_>,
    output: &Layout<'_>,
    axis: usize,
    skip: u64,
    (mut axes, mut len): (u64, usize),
) -> (u64, usize) {
    let rank = input.rank().min(MAX_RANK);
    // The axes that may still join: longer than 1, neither `axis`, skipped nor already in.
    let start = axes | skip;
    let joins = |a: usize| a != axis && input.len(a) > 1 && start & 1 << a == 0;
    if input.is_c_order() && output.is_c_order() {
        // Both in C order (two contiguous views, the common call): an axis's stride is the
        // product of the lengths after it, so one pass from the last axis joins the axes the
        // search below would (after a join, only an earlier axis, of a larger stride, can
        // match the grown length), without computing each stride again.
        let mut stride = 1usize;
        for a in (0..rank).rev() {
            if stride > 0 && stride == len && joins(a) {
                (axes, len) = (axes | 1 << a, len.saturating_mul(input.len(a)));
            }
            stride = stride.saturating_mul(input.len(a));
        }
        return (axes, len);
    }
    let mut open = (0..rank)
        .filter(|&a| joins(a))
        .fold(0u64, |open, a| open | 1 << a);
    'grow: while open != 0 {
        let mut rest = open;
        while rest != 0 {
            let a = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let stride = input.stride(a);
            if stride > 0 && stride.unsigned_abs() == len && output.stride(a) == stride {
                (axes, open) = (axes | 1 << a, open & !(1 << a));
                len = len.saturating_mul(input.len(a));
                continue 'grow;
            }
        }
        break;
    }
    (axes, len)
}

/// Rows for the across kernel: an axis other than `axis` (of strides `s_in`, `s_out`), longer
/// than 1, of unit stride in the input and the output, extended to the largest block of axes
/// that stays contiguous in both; failing that, one axis of unit stride on one side (the
/// output's preferred).
#[inline(always)]
fn rows(
    input: &Layout<'_>,
    output: &Layout<'_>,
    (axis, s_in, s_out): (usize, isize, isize),
    (even, cut, big): (bool, u64, bool),
    bytes: ElemBytes,
) -> Option<Route> {
    let rank = input.rank().min(MAX_RANK);
    let (axes, len) = continue_run(input, output, axis, cut, (0, 1));
    if axes == 0 {
        let unit_on = |stride: &dyn Fn(usize) -> isize| {
            (0..rank).find(|&a| a != axis && input.len(a) > 1 && stride(a) == 1)
        };
        let row = unit_on(&|a| output.stride(a)).or_else(|| unit_on(&|a| input.stride(a)))?;
        let (step_in, step_out, len) = (input.stride(row), output.stride(row), input.len(row));
        // Rows whose elements lie far apart on one side are cut into tiles walked one after
        // the other over the whole batch, so the pages a tile touches stay in the TLB and
        // each output cache line is filled in one visit (a transposed view would otherwise
        // touch a new page for every element). Rows whose elements share cache lines (a
        // step-2 view) are dense enough to be walked whole, in memory order.
        let dense = shares_lines(step_in, bytes.sample) && shares_lines(step_out, bytes.result);
        return Some(Route {
            walk: Walk::Rows {
                axes: 1 << row,
                len,
                step_in,
                step_out,
                tile: if dense { len } else { ROW_TILE },
            },
            unit_in: step_in == 1,
            unit_out: step_out == 1,
            nt: big && step_out == 1,
            apart_in: false,
            shared_weights: false,
        });
    }
    let len_i = isize::try_from(len).unwrap_or(isize::MAX);
    let block =
        s_in == len_i && s_out == len_i && input.len(axis) > 2 && even && cut & 1 << axis == 0;
    let walk = if block {
        Walk::Block { axes, len }
    } else {
        Walk::Rows {
            axes,
            len,
            step_in: 1,
            step_out: 1,
            tile: if big { window(bytes.sample) } else { len },
        }
    };
    Some(Route {
        walk,
        unit_in: true,
        unit_out: true,
        nt: big,
        apart_in: false,
        shared_weights: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::StridedView;

    /// Every shape of ranks 1 to 4 with lengths 0, 1, 2, 3 and 130 (longer than a flat line)
    /// and at most `DATA.len()` elements. Under Miri, every seventh of ranks 3 and 4: choosing
    /// a route is safe code, and all of them (77,136 routes; 11,904 with the seventh) took Miri
    /// 876 s, 94% of the library's unit tests under it.
    fn shapes(mut visit: impl FnMut(&[usize])) {
        const LENS: [usize; 5] = [0, 1, 2, 3, 130];
        for rank in 1..=4 {
            for code in 0..LENS.len().pow(rank as u32) {
                if cfg!(miri) && rank > 2 && code % 7 != 0 {
                    continue;
                }
                let mut shape = [0; 4];
                for (k, len) in shape.iter_mut().enumerate() {
                    *len = LENS[code / LENS.len().pow(k as u32) % LENS.len()];
                }
                let shape = &shape[..rank];
                if shape.iter().product::<usize>() <= DATA.len() {
                    visit(shape);
                }
            }
        }
    }

    static DATA: [f32; 17_000] = [0.0; 17_000];

    #[test]
    fn a_frame_takes_the_searched_routes() {
        let mut frames = 0;
        for rows in [0usize, 1, 2, 3, 4, 7, 32, 130] {
            for cols in [0usize, 1, 2, 3, 9, 32, 128, 129] {
                let shape = [rows, cols];
                let data = &DATA[..rows * cols];
                let c = [cols as isize, 1];
                let padded = [cols as isize + 1, 1];
                let contiguous = StridedView::contiguous(data, &shape).unwrap();
                let explicit = StridedView::new(data, 0, &shape, &c).unwrap();
                let wide = &DATA[..rows * (cols + 1)];
                let padded = StridedView::new(wide, 0, &shape, &padded).unwrap();
                for (input, output) in [
                    (&contiguous, &contiguous),
                    (&explicit, &contiguous),
                    (&contiguous, &explicit),
                    (&padded, &contiguous),
                    (&contiguous, &padded),
                ] {
                    let (l_in, l_out) = (input.layout(), output.layout());
                    for axes in [[0, 1], [1, 0], [0, 0], [1, 1]] {
                        let frame = Frame::fits(l_in, [l_out, l_out], axes);
                        let is_frame = rows > 2
                            && (2..=FLAT_LINE).contains(&cols)
                            && axes[0] != axes[1]
                            && input.layout() != padded.layout()
                            && output.layout() != padded.layout();
                        assert_eq!(frame.is_some(), is_frame, "{shape:?} {axes:?}");
                        let Some(frame) = frame else { continue };
                        for axis in [0, 1] {
                            for bytes in [ElemBytes::of::<f32, f32>(), ElemBytes::of::<u8, f64>()] {
                                let route =
                                    Route::choose(Kernel::Auto, l_in, l_out, axis, true, 0, bytes)
                                        .unwrap();
                                assert_eq!((route.walk, route.nt), (frame.walk(axis), false));
                            }
                        }
                        frames += 1;
                    }
                }
            }
        }
        assert!(frames >= 100, "{frames}");
    }

    #[test]
    fn c_order_views_take_the_searched_route() {
        let mut checked = 0;
        shapes(|shape| {
            let data = &DATA[..shape.iter().product()];
            let mut strides = [1isize; 4];
            for a in (0..shape.len().saturating_sub(1)).rev() {
                strides[a] = strides[a + 1] * shape[a + 1] as isize;
            }
            let dense = StridedView::contiguous(data, shape).unwrap();
            let explicit = StridedView::new(data, 0, shape, &strides[..shape.len()]).unwrap();
            let (dense, explicit) = (dense.layout(), explicit.layout());
            assert!(dense.is_c_order() && !explicit.is_c_order());
            for axis in 0..shape.len() {
                let cuts = core::iter::once(0).chain((0..shape.len()).map(|a| 1 << a));
                for (even, cut) in cuts.flat_map(|cut| [(true, cut), (false, cut)]) {
                    // The last: results large enough for non-temporal stores.
                    let huge = ElemBytes {
                        sample: 4,
                        result: NT_BYTES,
                    };
                    for bytes in [
                        ElemBytes::of::<f32, f32>(),
                        ElemBytes::of::<i16, f64>(),
                        huge,
                    ] {
                        let route = |l| Route::choose(Kernel::Auto, l, l, axis, even, cut, bytes);
                        assert_eq!(
                            route(dense),
                            route(explicit),
                            "shape {shape:?}, axis {axis}, even {even}, cut {cut:#b}"
                        );
                        checked += 1;
                    }
                }
            }
        });
        assert!(
            checked > if cfg!(miri) { 10_000 } else { 70_000 },
            "{checked}"
        );
    }
}
