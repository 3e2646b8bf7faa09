//! Unsafe paths `miri_paths.rs` leaves out, sized for Miri (`cargo +nightly miri test --test
//! miri_layouts`): output views that are transposed, reversed or padded inside guarded buffers
//! (scattered lane stores, strided row outputs), every integer lane conversion, special values
//! (NaN, infinities, subnormals, signed zeros), the fused pass on an odd 3-D shape, and the
//! streams' SIMD block paths. Each result equals the scalar reference bit for bit (any NaN
//! matching any NaN) and nothing outside an output view is written.

use crate::support;

use numgrad::testing::{Isa, Kernel, gradient_with};
use numgrad::{
    Axes, AxisSpacing, EdgeOrder, GradientStream, Options, Real, Sample, Spacing, StridedView,
    StridedViewMut, TimedGradientStream, gradient_1d, gradient_reference,
};
use support::{same, specials_and};

const KERNELS: [Kernel; 4] = [
    Kernel::Auto,
    Kernel::AlongContiguous,
    Kernel::AlongStrided,
    Kernel::Across,
];

/// A guard value no computation here produces.
fn guard<F: Real>() -> F {
    F::from(-1234.5).unwrap()
}

/// An output layout of a 2-D shape inside a buffer with 2 guard cells at each end.
struct OutLayout {
    offset: usize,
    strides: [isize; 2],
    len: usize,
}

/// C order, transposed, reversed on both axes, and padded rows, for an `r x c` shape.
fn out_layouts(r: usize, c: usize) -> [OutLayout; 4] {
    let (ri, ci) = (r as isize, c as isize);
    [
        OutLayout {
            offset: 2,
            strides: [ci, 1],
            len: r * c + 4,
        },
        OutLayout {
            offset: 2,
            strides: [1, ri],
            len: r * c + 4,
        },
        OutLayout {
            offset: 2 + r * c - 1,
            strides: [-ci, -1],
            len: r * c + 4,
        },
        OutLayout {
            offset: 2,
            strides: [ci + 3, 1],
            len: r * (c + 3) + 4,
        },
    ]
}

/// Every kernel on `input` along `axis`, into every output layout, against the reference.
fn every_kernel_every_output<T: Sample<F>, F: Real>(
    input: &StridedView<'_, T>,
    options: &Options<'_, F>,
) {
    let shape = input.shape();
    let (r, c) = (shape[0], shape[1]);
    let mut want = vec![F::nan(); r * c];
    gradient_reference(
        input,
        &mut [StridedViewMut::contiguous(&mut want, shape).unwrap()],
        options,
    )
    .unwrap();
    for layout in out_layouts(r, c) {
        let mut applied = 0;
        for kernel in KERNELS {
            let mut out = vec![guard::<F>(); layout.len];
            let view =
                StridedViewMut::new(&mut out, layout.offset, shape, &layout.strides).unwrap();
            if !gradient_with(input, &mut [view], options, kernel, Isa::Avx512).unwrap() {
                assert!(out.iter().all(|&v| same(v, guard())));
                continue;
            }
            applied += 1;
            let mut inside = vec![false; layout.len];
            for i in 0..r {
                for j in 0..c {
                    let at = (layout.offset as isize
                        + i as isize * layout.strides[0]
                        + j as isize * layout.strides[1]) as usize;
                    inside[at] = true;
                    assert!(
                        same(out[at], want[i * c + j]),
                        "{kernel:?} at ({i}, {j}): {:?} vs {:?}",
                        out[at],
                        want[i * c + j]
                    );
                }
            }
            for (v, inside) in out.iter().zip(inside) {
                assert!(inside || same(*v, guard()), "{kernel:?} wrote a guard cell");
            }
        }
        assert!(applied >= 2);
    }
}

/// Special values mixed with ordinary ones.
fn specials(n: usize) -> Vec<f64> {
    let pool = specials_and(&[-1.5e308, 1e300, 2.5, -7.25, 1.0, 3.0]);
    (0..n).map(|i| pool[(i * 7 + i / 3) % pool.len()]).collect()
}

#[test]
fn transposed_reversed_and_padded_outputs() {
    // 3 x 9 (f32: one lane of 8 and a remainder) and 3 x 5 (f64: one lane of 4 and one).
    let data = specials(27);
    let x9 = [0.0, 0.5, 2.0, 2.25, 4.0, 5.5, 5.75, 8.0, 9.5];
    let x3 = [1.0, 1.5, 3.0];
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let f32s: Vec<f32> = data.iter().map(|&v| v as f32).collect();
        let x9f: Vec<f32> = x9.iter().map(|&v| v as f32).collect();
        let shape = [3usize, 9];
        let input = StridedView::contiguous(&f32s, &shape).unwrap();
        for axis in [0isize, 1] {
            let per = [if axis == 1 {
                AxisSpacing::Coordinates(&x9f[..])
            } else {
                AxisSpacing::Uniform(0.5)
            }];
            let options = Options::new()
                .axes(Axes::One(axis))
                .spacing(Spacing::PerAxis(&per))
                .edge_order(edge);
            every_kernel_every_output(&input, &options);
        }
        // A reversed, stepped f64 input: 3 x 5 over 27 elements.
        let shape = [3usize, 5];
        let input = StridedView::new(&data, 26, &shape, &[-9, -2]).unwrap();
        for axis in [0isize, 1] {
            let per = [if axis == 0 {
                AxisSpacing::Coordinates(&x3[..])
            } else {
                AxisSpacing::Uniform(3.0)
            }];
            let options = Options::new()
                .axes(Axes::One(axis))
                .spacing(Spacing::PerAxis(&per))
                .edge_order(edge);
            every_kernel_every_output(&input, &options);
        }
    }
}

/// Each integer type's lane conversion (SIMD where it has one) on rows and along lines.
#[test]
fn every_integer_lane_conversion() {
    fn check<T: Sample<f32> + Sample<f64> + Copy>(values: &[T]) {
        // 3 x 11 (lanes of 8 and 4 with remainders), along the rows and across them.
        let shape = [3usize, 11];
        let input = StridedView::contiguous(values, &shape).unwrap();
        let ticks = [7u64, 9, 20, 21, 30, 44, 45, 50, 61, 62, 80];
        for axis in [0isize, 1] {
            let per32 = [AxisSpacing::<f32>::Uniform(0.25)];
            let options = Options::new()
                .axes(Axes::One(axis))
                .spacing(Spacing::PerAxis(&per32));
            every_kernel_every_output::<T, f32>(&input, &options);
            let per64 = [if axis == 1 {
                AxisSpacing::<f64>::Ticks64(&ticks)
            } else {
                AxisSpacing::Uniform(0.1)
            }];
            let options = Options::new()
                .axes(Axes::One(axis))
                .spacing(Spacing::PerAxis(&per64))
                .edge_order(EdgeOrder::Second);
            every_kernel_every_output::<T, f64>(&input, &options);
        }
    }
    fn values<T: Copy>(extremes: [T; 4], ordinary: impl Fn(usize) -> T) -> Vec<T> {
        (0..33)
            .map(|i| {
                if i % 5 == 0 {
                    extremes[i / 5 % 4]
                } else {
                    ordinary(i)
                }
            })
            .collect()
    }
    check(&values([i8::MIN, i8::MAX, 0, -1], |i| {
        (i * 13 % 50) as i8 - 25
    }));
    check(&values([0u8, u8::MAX, 1, 128], |i| (i * 13 % 200) as u8));
    check(&values([i16::MIN, i16::MAX, 0, -1], |i| {
        (i * 1013 % 5000) as i16 - 2500
    }));
    check(&values([0u16, u16::MAX, 1, 32768], |i| {
        (i * 1013 % 60000) as u16
    }));
    check(&values([i32::MIN, i32::MAX, 16_777_217, -1], |i| {
        (i as i32 * 100_003) % 1_000_000 - 500_000
    }));
    check(&values([0u32, u32::MAX, 16_777_217, 1 << 31], |i| {
        i as u32 * 300_007
    }));
    check(&values([i64::MIN, i64::MAX, (1 << 53) + 1, -1], |i| {
        i as i64 * 1_000_000_007 - 9_000_000_000
    }));
    check(&values([0u64, u64::MAX, (1 << 53) + 1, 1 << 63], |i| {
        i as u64 * 1_000_000_007
    }));
}

/// The fused pass (several axes at once, outer axis cut into chunks) on an odd 3-D shape with
/// a broadcast axis.
#[test]
fn fused_pass_on_a_broadcast_input() {
    let data = specials(40);
    let shape = [3usize, 4, 5];
    // Axis 1 is broadcast (stride 0).
    let input = StridedView::new(&data, 0, &shape, &[8, 0, 1]).unwrap();
    let x = [0.0, 0.25, 1.0, 1.5];
    let per = [
        AxisSpacing::Uniform(2.0),
        AxisSpacing::Coordinates(&x),
        AxisSpacing::UnreducedCoordinates(&[0.0, 1.0, 2.0, 3.0, 4.0]),
    ];
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let options = Options::new()
            .spacing(Spacing::PerAxis(&per))
            .edge_order(edge);
        let mut want = vec![vec![0.0f64; 60]; 3];
        let mut got = vec![vec![0.0f64; 60]; 3];
        {
            let mut views: Vec<_> = want
                .iter_mut()
                .map(|b| StridedViewMut::contiguous(b, &shape).unwrap())
                .collect();
            gradient_reference(&input, &mut views, &options).unwrap();
            let mut views: Vec<_> = got
                .iter_mut()
                .map(|b| StridedViewMut::contiguous(b, &shape).unwrap())
                .collect();
            assert!(
                gradient_with(&input, &mut views, &options, Kernel::Auto, Isa::Avx512).unwrap()
            );
        }
        for (a, b) in got.iter().flatten().zip(want.iter().flatten()) {
            assert!(same(*a, *b), "{a:?} vs {b:?}");
        }
    }
}

/// The fused pass cut across an unselected axis too, one point at a time (`pass::across`, whose
/// thresholds under Miri are small: a pass above 4 KiB of input, planes above 1 KiB, rows 64 B
/// apart): 3x8x40 `f64` by coordinates along axes 2 and 0, the second output in reversed order.
#[test]
fn fused_pass_in_parts_across_the_rows() {
    let shape = [3usize, 8, 40];
    let count = 3 * 8 * 40;
    let data = specials(count);
    let input = StridedView::contiguous(&data, &shape).unwrap();
    let x2: Vec<f64> = (0..40).map(|i| (i * i) as f64 * 0.01 + i as f64).collect();
    let x0 = [0.0, 0.75, 2.0];
    let per = [AxisSpacing::Coordinates(&x2), AxisSpacing::Coordinates(&x0)];
    let (c_order, reversed) = ([8 * 40, 40, 1], [-8 * 40, -40, -1]);
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let options = Options::new()
            .axes(Axes::List(&[2, 0]))
            .spacing(Spacing::PerAxis(&per))
            .edge_order(edge);
        let mut want = vec![vec![0.0f64; count]; 2];
        let mut got = vec![vec![0.0f64; count]; 2];
        for (bufs, fast) in [(&mut want, false), (&mut got, true)] {
            let [a, b] = &mut bufs[..] else {
                unreachable!()
            };
            let mut views = [
                StridedViewMut::new(a, 0, &shape, &c_order).unwrap(),
                StridedViewMut::new(b, count - 1, &shape, &reversed).unwrap(),
            ];
            match fast {
                true => assert!(
                    gradient_with(&input, &mut views, &options, Kernel::Auto, Isa::Avx512).unwrap()
                ),
                false => gradient_reference(&input, &mut views, &options).unwrap(),
            }
        }
        for (a, b) in got.iter().flatten().zip(want.iter().flatten()) {
            assert!(same(*a, *b), "{a:?} vs {b:?}");
        }
    }
}

/// The streams' block paths (SIMD across channels and frames) equal `gradient_1d` per channel.
#[test]
fn stream_block_paths() {
    const C: usize = 3;
    let frames = 13;
    let series: Vec<i16> = (0..frames * C)
        .map(|i| ((i * 37) % 101) as i16 - 50)
        .collect();
    let ticks: Vec<u32> = (0..frames as u32)
        .map(|k| (u32::MAX - 30).wrapping_add(k * 5 + k * k % 3))
        .collect();
    for edge in [EdgeOrder::First, EdgeOrder::Second] {
        let mut plain = GradientStream::<f32, C>::new(0.5, edge);
        let mut timed = TimedGradientStream::<f32, u32, C>::new(edge);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        // Blocks of 6 frames, then 7: lanes and remainders on both sides.
        for (block, stamps) in [(0..6usize), (6..frames)]
            .map(|r| (&series[r.start * C..r.end * C], &ticks[r.start..r.end]))
        {
            let mut room = vec![f32::NAN; block.len() + C];
            let n = plain.push_block(block, &mut room).unwrap();
            a.extend_from_slice(&room[..n]);
            let n = timed.push_block(block, stamps, &mut room).unwrap();
            b.extend_from_slice(&room[..n]);
        }
        a.extend_from_slice(&plain.finish().unwrap());
        b.extend_from_slice(&timed.finish().unwrap());
        for c in 0..C {
            let channel: Vec<i16> = series.iter().skip(c).step_by(C).copied().collect();
            let mut want = vec![0.0f32; frames];
            gradient_1d(&channel, &mut want, AxisSpacing::Uniform(0.5), edge).unwrap();
            let got: Vec<f32> = a.iter().skip(c).step_by(C).copied().collect();
            assert!(got.iter().zip(&want).all(|(x, y)| same(*x, *y)), "{c}");
            gradient_1d(&channel, &mut want, AxisSpacing::Ticks32(&ticks), edge).unwrap();
            let got: Vec<f32> = b.iter().skip(c).step_by(C).copied().collect();
            assert!(got.iter().zip(&want).all(|(x, y)| same(*x, *y)), "{c}");
        }
    }
}
