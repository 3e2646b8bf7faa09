//! The lines of an uneven axis that share their weights and hold no table of them yet: each
//! line swept whole, or a segment of a table's points at a time, in pairs that share the loads
//! of their weights.
//!
//! The walk by blocks for groups of lines ([`lines_by_block`](super::lines_by_block)) divides
//! once per group but reads each line a block (1 KiB of `f64`) at a time: as many streams as
//! the group has lines, asked for ahead by hints. With a segment's weights in one table,
//! divided once per call, each line is one stream for the segment's length, which the hardware
//! prefetchers follow. Measured on an AMD Zen 3 (EPYC family 25 model 1, AVX2 lanes),
//! 150x200x2500 `f64` by coordinates along its rows, same-run ratios to the memcpy bound,
//! three alternated runs: groups by blocks 1.60-1.68x, whole lines one at a time 1.55-1.62x,
//! whole lines in pairs 1.32-1.39x. A pass cut across another axis (`pass::by_point`) hands
//! its own table ([`AxisWeights`](super::AxisWeights)) to the walk by blocks, whose parts of 6
//! to 12 lines it was tuned for: whole lines in pairs measured the same there (1.35-1.42x
//! against 1.35-1.40x), so it keeps it.

use super::weights::{PLACING, TABLE_POINTS, WEIGHT_BLOCK};
use super::{BlockWeights, GroupLine, LineWeighted, Route, Walk, instantiate};
use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::lanes::{CACHE_LINE, to_cache_line};
use crate::stencil::AxisPlan;

use super::walk::Batch;

/// Lines taken from the odometer at once, among which each finds its pair: outputs that start
/// their cache lines at the same point, alike for non-temporal stores. Rows of 2,500 `f64`
/// alternate between two such placements, rows of 2,500 `f32` between four, rows of 2,501
/// `f64` between eight: sixteen lines hold two of each.
const PAIRING: usize = 16;

/// Interior points from which lines are paired: a pair's edges take four calls instead of
/// its lines' one each, which short lines do not make up for (on an AMD Zen 3, 32x32 `f64` by
/// coordinates took 2.1-2.7 µs by blocks and 2.5-4.2 µs in pairs of lines, three noisy
/// alternated runs).
const PAIR_POINTS: usize = 512;

/// Points `lo..hi` of every line of the batch along an uneven axis of `plan`: the interior a
/// segment of up to a table's points at a time, whose weights this computes once, each line's
/// part of a segment swept whole, in pairs of lines placed alike, and its edges on their own.
/// Segments end where the first line's outputs start a cache line. The first of the lines'
/// points is written at `start.1` of `dst` and read from `start.0` of `src`; the lines are the
/// batch's positions, from its first, walked once per segment (the odometer ends each walk
/// where it began).
///
/// # Safety
/// As for the line walk of [`run_axis`](super::run_axis), whose arguments these are; `route`
/// walks [`Walk::Lines`] with shared weights.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) unsafe fn whole_lines<T: Sample<F>, F: Real>(
    path: Path,
    ends: (*const T, *mut F),
    strides: (isize, isize),
    plan: &AxisPlan<'_, F>,
    route: Route,
    (lo, hi): (usize, usize),
    start: (isize, isize),
    batch: &mut Batch,
) {
    let interior = hi
        .min(plan.len().saturating_sub(1))
        .saturating_sub(lo.max(1));
    let args = (path, ends, strides, plan, route, (lo, hi), start, batch);
    // SAFETY: the caller's contract.
    unsafe {
        if interior + 2 * CACHE_LINE / size_of::<F>() <= SMALL_TABLE {
            segments::<T, F, SMALL_TABLE>(args)
        } else {
            segments::<T, F, TABLE_POINTS>(args)
        }
    }
}

/// Points of the table of an axis short enough for one block: its 3.75 KiB of `f64` weights,
/// as the walk by blocks took, where a whole table would put 64 KiB on the stack of every call
/// by coordinates, however small.
const SMALL_TABLE: usize = WEIGHT_BLOCK + 2 * PLACING;

/// [`whole_lines`] with a table of `B` points on this frame (and not on the other walks').
///
/// # Safety
/// As for [`whole_lines`], whose arguments these are.
#[allow(clippy::type_complexity)]
#[inline(never)]
unsafe fn segments<T: Sample<F>, F: Real, const B: usize>(
    (path, (src, dst), (a_in, a_out), plan, route, (lo, hi), (off_in, off_out), batch): (
        Path,
        (*const T, *mut F),
        (isize, isize),
        &AxisPlan<'_, F>,
        Route,
        (usize, usize),
        (isize, isize),
        &mut Batch,
    ),
) {
    debug_assert!(matches!(route.walk, Walk::Lines) && route.shared_weights);
    let crate::spacing::Grid::Uneven(steps) = plan.grid() else {
        return;
    };
    let n = plan.len();
    let (from, to) = (lo.max(1), hi.min(n.saturating_sub(1)));
    // Points of a segment: whole cache lines of them, and room for the table's placement.
    let line_points = CACHE_LINE / size_of::<F>();
    let span = (B - 2 * line_points) / line_points * line_points;
    // The first line's first point whose output starts a cache line (with unit output stride;
    // its pairs' too): the table's vectors start cache lines there, and segments end there.
    let first = lo + to_cache_line(dst.wrapping_offset(off_out));
    let mut table = BlockWeights::<F, B>::new();
    // A line's output at point `at`.
    let out = |off_out: isize, at: usize| dst.wrapping_offset(off_out + (at - lo) as isize * a_out);
    let mut seg_from = from;
    loop {
        // The next segment's start: at most `span + line_points` points on.
        let seg_to = to.min(first + (seg_from.saturating_sub(first) / span + 1) * span);
        if seg_from < seg_to && table.compute(path, steps, seg_from, seg_to, first) < seg_to {
            debug_assert!(false, "a segment fits the table");
            return;
        }
        let weights = table.read();
        // One call on points `points` of `line`, with a pair's second line (written out: a
        // closure here stayed out of line, a call more per line).
        macro_rules! call {
            ($line:expr, $points:expr, $pair:expr) => {{
                let (line, points, pair): (GroupLine, (usize, usize), Option<GroupLine>) =
                    ($line, $points, $pair);
                let part = LineWeighted {
                    path,
                    src: src.wrapping_offset(line.off_in),
                    dst: out(line.off_out, points.0),
                    plan,
                    weights,
                    points,
                    pair: pair.map(|p| (src.wrapping_offset(p.off_in), out(p.off_out, points.0))),
                };
                // SAFETY: as for the line walk: each line start was reached by the batch axes
                // (its output moved to point `points.0`), the points are points of `lo..hi`,
                // and the table covers the interior ones (`seg_from..seg_to`). A pair's lines
                // are distinct positions of the batch, so neither reads or writes the other's
                // outputs; their points are interior; and both outputs start their cache lines
                // at the same point, alike for non-temporal stores.
                unsafe { instantiate(part, route, a_in, a_out) };
            }};
        }
        // The first segment holds the left edge, the last the right one (a line of two
        // points, without interior, only these).
        let (first_seg, last_seg) = (seg_from == from, seg_to >= to);
        let whole = (
            if first_seg { lo } else { seg_from },
            if last_seg { hi } else { seg_to },
        );
        let left = if first_seg { (lo, hi.min(1)) } else { (0, 0) };
        let right = if last_seg {
            (lo.max(n.saturating_sub(1)), hi)
        } else {
            (0, 0)
        };
        let pairs = seg_to.saturating_sub(seg_from) >= PAIR_POINTS;
        lines(
            batch,
            (off_in, off_out),
            (dst, pairs),
            |line, pair| match pair {
                None => call!(line, whole, None),
                Some(pair) => {
                    for edge in [left, right].into_iter().filter(|(a, b)| a < b) {
                        call!(line, edge, None);
                        call!(pair, edge, None);
                    }
                    if seg_from < seg_to {
                        call!(line, (seg_from, seg_to), Some(pair));
                    }
                }
            },
        );
        if last_seg {
            return;
        }
        seg_from = seg_to;
    }
}

/// Every line of `batch` from offsets `start`; with `pairs`, [`PAIRING`] at a time, each with
/// the first later one of them whose output (`dst` on) starts its cache lines at the same
/// point, if any. The odometer ends where it began.
#[inline(always)]
fn lines<F>(
    batch: &mut Batch,
    (mut off_in, mut off_out): (isize, isize),
    (dst, pairs): (*mut F, bool),
    mut each: impl FnMut(GroupLine, Option<GroupLine>),
) {
    if !pairs {
        loop {
            let line = GroupLine {
                off_in,
                off_out,
                ..GroupLine::default()
            };
            each(line, None);
            if !batch.advance(&mut off_in, &mut off_out) {
                return;
            }
        }
    }
    let mut more = true;
    while more {
        let mut lines = [GroupLine::default(); PAIRING];
        let mut count = 0;
        for line in &mut lines {
            // Below a cache line's points: a `u8` (as the walk by blocks keeps it).
            *line = GroupLine {
                off_in,
                off_out,
                slot: 0,
                moved: to_cache_line(dst.wrapping_offset(off_out)) as u8,
            };
            count += 1;
            more = batch.advance(&mut off_in, &mut off_out);
            if !more {
                break;
            }
        }
        let lines = lines.get(..count).unwrap_or(&[]);
        let mut paired = [false; PAIRING];
        for (k, &line) in lines.iter().enumerate() {
            if paired[k] {
                continue;
            }
            let mate = (k + 1..count).find(|&m| !paired[m] && lines[m].moved == line.moved);
            if let Some(m) = mate {
                paired[m] = true;
            }
            each(line, mate.map(|m| lines[m]));
        }
    }
}
