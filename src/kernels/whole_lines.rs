//! The lines of an uneven axis that share their weights: each line swept whole, or a segment
//! of a table's points at a time, in fours or pairs that share the loads of their weights.
//!
//! A walk by blocks for groups of lines (removed at the thirty-second pass) divided once per
//! group but read each line a block (1 KiB of `f64`) at a time: as many streams as the group
//! had lines, asked for ahead by hints. With a segment's weights in one table, divided once
//! per call, each line is one stream for the segment's length, which the hardware prefetchers
//! follow. Measured on an AMD Zen 3 (EPYC family 25 model 1, AVX2 lanes), 150x200x2500 `f64`
//! by coordinates along its rows, same-run ratios to the memcpy bound, three alternated runs:
//! groups by blocks 1.60-1.68x, whole lines one at a time 1.55-1.62x, whole lines in pairs
//! 1.32-1.39x; then six alternated runs: pairs 1.29-1.40x, fours 1.10-1.23x (each weight vector
//! loaded once for four lines, from a table in L2). Shorter segments, whose weights stay in L1,
//! cost more than they save: 704 points 2.07-2.20x, 1,024 points 1.70-2.01x, whole lines in
//! pairs 1.33-1.38x (three alternated runs).
//!
//! A pass cut across another axis (`pass::by_point`) hands its own table
//! ([`AxisWeights`](super::AxisWeights)), filled once for all its parts, whose calls read it
//! in place (or copy their segments from it where their placement differs). On the same Zen 3,
//! that array on axes (2, 0), ten alternated runs: 1.16-1.34x (median 1.25x) against
//! 1.22-1.64x (1.39x) by blocks; its lines alone (the rows' job skipped, a timing switch)
//! 0.40-0.43 ns per element against 0.48-0.53.

use super::weights::{FromBlock, PLACING, TABLE_POINTS, WEIGHT_BLOCK};
use super::{AxisWeights, BlockWeights, LineWeighted, Route, Walk, instantiate};
use crate::element::{Real, Sample};
use crate::isa::Path;
use crate::lanes::{CACHE_LINE, to_cache_line};
use crate::spacing::Steps;
use crate::stencil::AxisPlan;

use super::walk::Batch;

/// Lines taken from the odometer at once, among which each finds its mates: outputs that
/// start their cache lines at the same point, alike for non-temporal stores. Rows of 2,500
/// `f64` alternate between two such placements (two fours of each in sixteen lines), rows of
/// 2,500 `f32` between four (a four of each), rows of 2,501 `f64` between eight (a pair).
const PAIRING: usize = 16;

/// Interior points from which lines go together: a pair's edges take four calls instead of
/// its lines' one each, which short lines do not make up for (on an AMD Zen 3, 32x32 `f64` by
/// coordinates took 2.1-2.7 µs by blocks and 2.5-4.2 µs in pairs of lines, three noisy
/// alternated runs).
const TOGETHER_POINTS: usize = 512;

/// Points `lo..hi` of every line of the batch along an uneven axis of `plan`: the interior a
/// segment of up to a table's points at a time, whose weights this computes once (or reads
/// from `ext`, a pass's table, filling it if empty), each line's part of a segment swept
/// whole, in fours or pairs of lines placed alike, and its edges on their own.
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
    (plan, ext): (&AxisPlan<'_, F>, Option<&mut AxisWeights<F>>),
    route: Route,
    (lo, hi): (usize, usize),
    start: (isize, isize),
    batch: &mut Batch,
) {
    let crate::spacing::Grid::Uneven(steps) = plan.grid() else {
        return;
    };
    let n = plan.len();
    let (from, to) = (lo.max(1), hi.min(n.saturating_sub(1)));
    // The first line's first point whose output starts a cache line (with unit output stride;
    // its mates' too): the weights' vectors start cache lines there, and segments end there.
    let first = lo + to_cache_line(ends.1.wrapping_offset(start.1));
    // The bytes of the lines' weight vectors, which a pass's table must start where this
    // call's own would, to serve it; the first call fills it.
    let lanes = super::sweep::lane_bytes::<F>(path, route.nt && strides.1 == 1);
    let ext = ext.map(|table| {
        if table.is_empty() {
            table.compute(path, steps, 1, n.saturating_sub(1), first);
        }
        &*table
    });
    // A table that serves the whole interior leaves the call nothing to compute or copy: one
    // segment, and no table of its own on its frame.
    let served = ext.is_some_and(|table| table.serves(from, to, first, lanes));
    let args = (
        path,
        ends,
        strides,
        (plan, steps),
        route,
        (lo, hi),
        start,
        batch,
        (ext, first, lanes, served),
    );
    // SAFETY: the caller's contract.
    unsafe {
        if served || to.saturating_sub(from) + 2 * CACHE_LINE / size_of::<F>() <= SMALL_TABLE {
            segments::<T, F, SMALL_TABLE>(args)
        } else {
            segments::<T, F, TABLE_POINTS>(args)
        }
    }
}

/// Points of the table of an axis short enough for one block: its 3.75 KiB of `f64` weights,
/// where a whole table would put 64 KiB on the stack of every call by coordinates, however
/// small (and of every call a pass's table serves).
const SMALL_TABLE: usize = WEIGHT_BLOCK + 2 * PLACING;

/// [`whole_lines`] with a table of `B` points on this frame (and not on the other walks'),
/// reading the pass's table `ext` where it serves the call's `first` point's placement on
/// vectors of `lanes` bytes (all of it if `served`).
///
/// # Safety
/// As for [`whole_lines`], whose arguments these are.
#[allow(clippy::type_complexity)]
#[inline(never)]
unsafe fn segments<T: Sample<F>, F: Real, const B: usize>(
    (
        path,
        (src, dst),
        (a_in, a_out),
        (plan, steps),
        route,
        (lo, hi),
        (off_in, off_out),
        batch,
        (ext, first, lanes, served),
    ): (
        Path,
        (*const T, *mut F),
        (isize, isize),
        (&AxisPlan<'_, F>, Steps<'_, F>),
        Route,
        (usize, usize),
        (isize, isize),
        &mut Batch,
        (Option<&AxisWeights<F>>, usize, usize, bool),
    ),
) {
    debug_assert!(matches!(route.walk, Walk::Lines) && route.shared_weights);
    let n = plan.len();
    let (from, to) = (lo.max(1), hi.min(n.saturating_sub(1)));
    // Points of a segment: whole cache lines of them, and room for the table's placement (or,
    // served by the pass's table, the whole interior).
    let line_points = CACHE_LINE / size_of::<F>();
    let span = if served {
        to.max(1)
    } else {
        (B - 2 * line_points) / line_points * line_points
    };
    let mut table = BlockWeights::<F, B>::new();
    let mut seg_from = from;
    loop {
        // The next segment's start: at most `span + line_points` points on.
        let seg_to = to.min(first + (seg_from.saturating_sub(first) / span + 1) * span);
        // The segment's weights: the pass's table where it serves them, else copied from it,
        // else computed.
        let weights = table.read_from(ext, (seg_from, seg_to, first, lanes), |own| {
            own.compute(path, steps, seg_from, seg_to, first);
        });
        let Some(weights) = weights else {
            debug_assert!(false, "a segment fits the table");
            return;
        };
        let segment = Segment {
            path,
            ends: (src, dst),
            strides: (a_in, a_out),
            plan,
            weights,
            route,
            lo,
        };
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
        let together = seg_to.saturating_sub(seg_from) >= TOGETHER_POINTS;
        lines(batch, (off_in, off_out), (dst, together), |line, mates| {
            // SAFETY: as for the line walk: each line start was reached by the batch axes, the
            // points are points of `lo..hi`, and the table covers the interior ones
            // (`seg_from..seg_to`). Mates are distinct positions of the batch whose outputs
            // start their cache lines at the same point as the line's.
            unsafe {
                match mates {
                    [] => segment.call(line, whole, []),
                    _ => segment.together(line, mates, [left, right], (seg_from, seg_to)),
                }
            }
        });
        if last_seg {
            return;
        }
        seg_from = seg_to;
    }
}

/// A segment's calls: the walk's arguments and the segment's weights.
struct Segment<'a, T, F> {
    path: Path,
    ends: (*const T, *mut F),
    strides: (isize, isize),
    plan: &'a AxisPlan<'a, F>,
    weights: FromBlock<F>,
    route: Route,
    lo: usize,
}

impl<T: Sample<F>, F: Real> Segment<'_, T, F> {
    /// One call on points `points` of `line`, with its `mates` (inlined: a closure here stayed
    /// out of line, a call more per line, which lines of 64 to 128 points paid 13-15% for).
    ///
    /// # Safety
    /// As for the line walk: the line's start was reached by the batch axes, `points` are
    /// points of `lo..hi` whose interior ones the weights cover; mates (interior points only)
    /// are other positions of the batch, their outputs at `points.0` starting their cache lines
    /// at the same point as the line's.
    #[inline(always)]
    unsafe fn call<const K: usize>(
        &self,
        line: GroupLine,
        points: (usize, usize),
        mates: [(*const T, *mut F); K],
    ) {
        let (src, _) = self.ends;
        let part = LineWeighted {
            path: self.path,
            src: src.wrapping_offset(line.off_in),
            dst: self.out(line, points.0),
            plan: self.plan,
            weights: self.weights,
            points,
            mates,
        };
        // SAFETY: the caller's contract, which is the kernel's for the route's strides; mates
        // neither read nor write one another's outputs, and are stored alike.
        unsafe { instantiate(part, self.route, self.strides.0, self.strides.1) };
    }

    /// `line` and its one or three `mates`: each line's `edges` on its own, then the interior
    /// points `interior` of all of them in one sweep sharing the weights' loads. Out of line:
    /// once per two or four lines of 512 points or more, it keeps their three calls' inlined
    /// kernels off the frame of every line's walk.
    ///
    /// # Safety
    /// As for [`call`](Self::call), for each line and edge; `interior` is within `1..n-1`.
    #[inline(never)]
    unsafe fn together(
        &self,
        line: GroupLine,
        mates: &[GroupLine],
        edges: [(usize, usize); 2],
        interior: (usize, usize),
    ) {
        let (src, _) = self.ends;
        let mate = |m: &GroupLine| (src.wrapping_offset(m.off_in), self.out(*m, interior.0));
        // SAFETY: the caller's contract: every line's edges on their own, and the interior of
        // all of them, whose outputs start their cache lines alike.
        unsafe {
            for edge in edges.into_iter().filter(|(a, b)| a < b) {
                for &each in core::iter::once(&line).chain(mates) {
                    self.call(each, edge, []);
                }
            }
            if interior.0 < interior.1 {
                match mates {
                    [a] => self.call(line, interior, [mate(a)]),
                    [a, b, c] => self.call(line, interior, [mate(a), mate(b), mate(c)]),
                    _ => debug_assert!(false, "one or three mates"),
                }
            }
        }
    }

    /// A line's output at point `at`.
    #[inline(always)]
    fn out(&self, line: GroupLine, at: usize) -> *mut F {
        line.output(self.ends.1, (self.lo, at), self.strides.1)
    }
}

/// Every line of `batch` from offsets `start`; with `together`, [`PAIRING`] at a time, each
/// with its mates: none, one or three of the later ones whose outputs (`dst` on) start their
/// cache lines at the same point. The odometer ends where it began.
#[inline(always)]
fn lines<F>(
    batch: &mut Batch,
    (mut off_in, mut off_out): (isize, isize),
    (dst, together): (*mut F, bool),
    mut each: impl FnMut(GroupLine, &[GroupLine]),
) {
    if !together {
        loop {
            let line = GroupLine {
                off_in,
                off_out,
                ..GroupLine::default()
            };
            each(line, &[]);
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
            // Below a cache line's points: a `u8`.
            *line = GroupLine {
                off_in,
                off_out,
                moved: to_cache_line(dst.wrapping_offset(off_out)) as u8,
            };
            count += 1;
            more = batch.advance(&mut off_in, &mut off_out);
            if !more {
                break;
            }
        }
        let lines = lines.get(..count).unwrap_or(&[]);
        let mut taken = [false; PAIRING];
        for (k, &line) in lines.iter().enumerate() {
            if taken[k] {
                continue;
            }
            // The first three later lines placed alike, if there are; else the first of them
            // (a second is left for a later line); else none.
            let mut at = [0; 3];
            let mut found = 0;
            for m in k + 1..count {
                if found < at.len() && !taken[m] && lines[m].moved == line.moved {
                    at[found] = m;
                    found += 1;
                }
            }
            let found = if found == at.len() {
                found
            } else {
                found.min(1)
            };
            let mut mates = [GroupLine::default(); 3];
            for (mate, &m) in mates.iter_mut().zip(&at).take(found) {
                *mate = lines[m];
                taken[m] = true;
            }
            each(line, mates.get(..found).unwrap_or(&[]));
        }
    }
}

/// One line of the walk: its start in the input and the output, and the point below a cache
/// line's points from which its outputs start cache lines (lines placed alike go together).
#[derive(Clone, Copy, Default)]
struct GroupLine {
    off_in: isize,
    off_out: isize,
    /// Below a cache line's points (fewer than 16).
    moved: u8,
}

impl GroupLine {
    /// The line's output of point `at`, its output of point `lo` being `dst + off_out`.
    #[inline(always)]
    fn output<F>(&self, dst: *mut F, (lo, at): (usize, usize), a_out: isize) -> *mut F {
        dst.wrapping_offset(self.off_out + (at - lo) as isize * a_out)
    }
}
