//! How far is a large row of the performance report from memory's own limit, and from its
//! compute's? The report's bound is a same-run memcpy (glibc's) of the input, scaled to the
//! bytes the gradient moves. This probe times, interleaved in one run, for each large `f64`
//! row:
//!
//! - `memcpy`: glibc's copy of the input (the report's bound, scaled the same way);
//! - `stream`: a copy of the input with non-temporal stores (two 256-bit loads, two
//!   non-temporal 256-bit stores per 64 bytes), scaled the same way;
//! - `tee`: the input read once and written to every output with non-temporal stores: exactly
//!   the bytes the gradient moves (its coordinates aside), in one sweep, no arithmetic (both
//!   copies store plainly below 16 MiB of destinations, as the crate's outputs do);
//! - `stencil`: the input read once, as the tee, and every output the three-point stencil
//!   `a * f[i - 1] + b * f[i] + c * f[i + 1]` along the contiguous axis with constant weights
//!   (three sample loads, three multiplications, two additions and a store per vector, each
//!   output its own products): the arithmetic of a line by coordinates along the contiguous
//!   axis, without its weight loads, in the plainest loop (wrong values for the gradient: a
//!   measure of what the arithmetic costs from memory, not an alternative). Rows across an
//!   outer axis do the same arithmetic on aligned rows: the column is not their floor;
//! - `weighted`: the same with the weights loaded per point, from a block of 128 points kept
//!   in L1 as the library's coordinate lines keep theirs (three more loads per vector);
//! - ours, on the vector path of the run (`--isa avx2` caps it, as in the report; the two
//!   stencils take 256-bit lanes then).
//!
//! and prints ns per output element and the ratios. With `--shape AxBxC` every selected row
//! runs on that shape instead, repeated to as many elements as the row's own: a shape whose
//! arrays fit in L2 gives the row's compute in cache, the other floor.
//!
//! ```sh
//! cargo run --release --example memory_floor
//! cargo run --release --example memory_floor -- --only "axes (2, 0)" --shape 12x1x2500
//! GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD \
//!     cargo run --release --example memory_floor -- --isa avx2
//! ```
//!
//! Measured on an AMD Zen 4 (EPYC family 25 model 17), 2026-12-04, in `docs/performance.md`
//! (eighteenth pass); the stencils on an Intel Xeon (family 6 model 207), 2026-12-06 (twenty-
//! seventh pass).

#[path = "../benches/workloads.rs"]
mod workloads;

use numgrad::testing::{Isa, Kernel};
use workloads::{Elem, Prepared, median, time};

/// The large `f64` rows: contiguous input, outputs in C order.
const ROWS: [&str; 6] = [
    "1d f64 n=1e7",
    "2d 2048^2 all",
    "3d 256^3 all",
    "3d 150x200x2500 coords, axes (2, 0)",
    "3d 150x200x2500 coords, axis 2",
    "3d 150x200x2500 coords, axis 0",
];

/// Bytes of destinations from which [`stream`] bypasses the caches (the crate's own rule for
/// its outputs: smaller ones stay in cache, where plain stores are faster).
#[cfg(target_arch = "x86_64")]
const STREAM_BYTES: usize = 16 << 20;

/// `src` into each of `dst` (as long as `src` at least): with non-temporal stores where the
/// CPU has AVX and the destinations hold [`STREAM_BYTES`] or more; ordinary copies elsewhere.
fn stream(src: &[f64], dst: &mut [&mut [f64]]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") && size_of_val(src) * dst.len() >= STREAM_BYTES {
        // SAFETY: the CPU has AVX (checked above).
        unsafe { stream_avx(src, dst) };
        return;
    }
    for d in dst.iter_mut() {
        d[..src.len()].copy_from_slice(src);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn stream_avx(src: &[f64], dst: &mut [&mut [f64]]) {
    use std::arch::x86_64::{_mm_sfence, _mm256_loadu_pd, _mm256_stream_pd};
    let n = src.len();
    let Some(first) = dst.first() else { return };
    assert!(dst.iter().all(|d| d.len() >= n));
    // Scalar points until the first destination's 64-byte line; the others must then be on
    // one too (the workloads' outputs are allocated alike), or they are copied plainly.
    let head = (first.as_ptr().align_offset(64)).min(n);
    let aligned = dst.iter().all(|d| d[head..].as_ptr().align_offset(64) == 0);
    if !aligned {
        for d in dst.iter_mut() {
            d[..n].copy_from_slice(src);
        }
        return;
    }
    let body = head + (n - head) / 8 * 8;
    for d in dst.iter_mut() {
        d[..head].copy_from_slice(&src[..head]);
        d[body..n].copy_from_slice(&src[body..]);
    }
    let (s, mut i) = (src.as_ptr(), head);
    while i < body {
        // SAFETY: `i + 8 <= body <= n`, so both loads are in `src` and both stores in each
        // destination (at least `n` long), whose `i` is 32-byte aligned (`head` starts a
        // 64-byte line and `i - head` is a multiple of 8 points).
        unsafe {
            let (x, y) = (_mm256_loadu_pd(s.add(i)), _mm256_loadu_pd(s.add(i + 4)));
            for d in dst.iter_mut() {
                let p = d.as_mut_ptr().add(i);
                _mm256_stream_pd(p, x);
                _mm256_stream_pd(p.add(4), y);
            }
        }
        i += 8;
    }
    _mm_sfence();
}

/// Points of the block of weights [`stencils`] reads with `weighted` (as `kernels::weights`'
/// blocks).
const BLOCK: usize = 128;

/// Every destination the three-point stencil of `src` along its lines of `line` points (the
/// contiguous axis), with constant weights, or with `weights` loaded per point from a block of
/// [`BLOCK`] (a line's point `i` takes entry `i % BLOCK`); each line's two edges copied. On
/// 512-bit lanes when `wide` and the CPU has AVX-512F, else 256-bit AVX lanes where the CPU has
/// AVX, else scalar; non-temporal stores as [`stream`]'s.
fn stencils(
    src: &[f64],
    dst: &mut [&mut [f64]],
    line: usize,
    weights: Option<&[[f64; BLOCK]; 3]>,
    wide: bool,
) {
    let n = src.len();
    assert!(line >= 3 && n.is_multiple_of(line) && dst.iter().all(|d| d.len() >= n));
    let constant = [[0.25; BLOCK], [0.5; BLOCK], [0.25; BLOCK]];
    let w = weights.unwrap_or(&constant);
    let loaded = weights.is_some();
    #[cfg(target_arch = "x86_64")]
    {
        let nt = size_of_val(src) * dst.len() >= STREAM_BYTES;
        if wide && std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked above); the lengths were asserted.
            unsafe { stencils_avx512(src, dst, line, (w, loaded), nt) };
            return;
        }
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX (checked above); the lengths were asserted.
            unsafe { stencils_avx(src, dst, line, (w, loaded), nt) };
            return;
        }
    }
    let _ = (wide, loaded);
    for d in dst.iter_mut() {
        for (f, o) in src.chunks_exact(line).zip(d.chunks_exact_mut(line)) {
            o[0] = f[0];
            o[line - 1] = f[line - 1];
            for i in 1..line - 1 {
                let k = i % BLOCK;
                o[i] = w[0][k] * f[i - 1] + w[1][k] * f[i] + w[2][k] * f[i + 1];
            }
        }
    }
}

/// One stencil [`stencils`] runs: lanes of `$n` `f64`, their loads, arithmetic and stores. One
/// sweep of the input: each vector of samples (and weights) is loaded once and every output
/// computed from it, as the tee stores one load to every output.
#[cfg(target_arch = "x86_64")]
macro_rules! stencil_lanes {
    ($name:ident, $feature:literal, $n:literal, $load:ident, $set1:ident, $mul:ident, $add:ident,
     $store:ident, $stream:ident, $fence:ident) => {
        #[target_feature(enable = $feature)]
        fn $name(
            src: &[f64],
            dst: &mut [&mut [f64]],
            line: usize,
            (w, loaded): (&[[f64; BLOCK]; 3], bool),
            nt: bool,
        ) {
            use std::arch::x86_64::*;
            let (s, n) = (src.as_ptr(), src.len());
            let outs: Vec<*mut f64> = dst.iter_mut().map(|d| d.as_mut_ptr()).collect();
            // Non-temporal vector stores only where every output lies alike on its cache lines
            // (as `stream_avx` requires), since the first output's decides where vectors start.
            let nt = nt
                && outs
                    .iter()
                    .all(|&o| (o as usize).wrapping_sub(outs[0] as usize) % 64 == 0);
            let (ca, cb, cc) = ($set1(w[0][0]), $set1(w[1][0]), $set1(w[2][0]));
            let count = outs.len();
            // Stores one vector into each output (1 to 3 of them) at point `q`, written out: no
            // loop or closure between the intrinsics.
            macro_rules! put {
                ($q:expr, $a:expr, $b:expr, $c:expr) => {{
                    let q = $q;
                    let (o, v) = (outs[0].add(q), $a);
                    if nt {
                        $stream(o, v)
                    } else {
                        $store(o, v)
                    }
                    if count > 1 {
                        let (o, v) = (outs[1].add(q), $b);
                        if nt { $stream(o, v) } else { $store(o, v) }
                    }
                    if count > 2 {
                        let (o, v) = (outs[2].add(q), $c);
                        if nt { $stream(o, v) } else { $store(o, v) }
                    }
                }};
            }
            let mut start = 0;
            while start < n {
                let f = &src[start..start + line];
                let point = |i: usize| {
                    let k = i % BLOCK;
                    w[0][k] * f[i - 1] + w[1][k] * f[i] + w[2][k] * f[i + 1]
                };
                // Single points until the first output's cache line (a non-temporal vector
                // store must be aligned), then vectors, then single points.
                let head = (outs[0].wrapping_add(start + 1).align_offset(64) + 1).min(line - 1);
                let tail = head + (line - 1 - head) / $n * $n;
                for d in dst.iter_mut() {
                    let out = &mut d[start..start + line];
                    out[0] = f[0];
                    out[line - 1] = f[line - 1];
                    for i in (1..head).chain(tail..line - 1) {
                        out[i] = point(i);
                    }
                }
                // Each vector is computed before the one before it is stored, as our sweeps
                // do: a neighbour's load never follows a store of the same offset modulo 4 KiB
                // (the outputs lie at the input's, as `mmap` places them), which on an AMD Zen 3
                // held these loops at 2x the bound, and one of two outputs at 13x.
                let (mut pending, mut at) = (None, head);
                let mut i = head;
                while i < tail {
                    // SAFETY: points `i - 1 ..= i + N <= line` of this line are in `src`; the
                    // weights at `k .. k + N <= BLOCK`.
                    let (va, vb, vc) = unsafe {
                        let p = s.add(start + i);
                        let (a, b, c) = if loaded {
                            let k = (i % BLOCK).min(BLOCK - $n);
                            (
                                $load(w[0].as_ptr().add(k)),
                                $load(w[1].as_ptr().add(k)),
                                $load(w[2].as_ptr().add(k)),
                            )
                        } else {
                            (ca, cb, cc)
                        };
                        let (x, y, z) = ($load(p.sub(1)), $load(p), $load(p.add(1)));
                        // Each output its own rotation of the weights (its own products, as
                        // each axis of a gradient has its own), written out: no loop or closure
                        // between the intrinsics.
                        let va = $add($add($mul(a, x), $mul(b, y)), $mul(c, z));
                        let vb = if count > 1 {
                            $add($add($mul(c, x), $mul(a, y)), $mul(b, z))
                        } else {
                            va
                        };
                        let vc = if count > 2 {
                            $add($add($mul(b, x), $mul(c, y)), $mul(a, z))
                        } else {
                            va
                        };
                        (va, vb, vc)
                    };
                    if let Some((pa, pb, pc)) = pending {
                        // SAFETY: point `at .. at + N` of this line is in every destination (at
                        // least `n` long, asserted), 64-byte aligned when `nt` (`head`, and `nt`
                        // only with the outputs alike).
                        unsafe { put!(start + at, pa, pb, pc) };
                    }
                    (pending, at) = (Some((va, vb, vc)), i);
                    i += $n;
                }
                if let Some((pa, pb, pc)) = pending {
                    // SAFETY: as in the loop.
                    unsafe { put!(start + at, pa, pb, pc) };
                }
                start += line;
            }
            $fence();
        }
    };
}

#[cfg(target_arch = "x86_64")]
stencil_lanes!(
    stencils_avx512,
    "avx512f",
    8,
    _mm512_loadu_pd,
    _mm512_set1_pd,
    _mm512_mul_pd,
    _mm512_add_pd,
    _mm512_storeu_pd,
    _mm512_stream_pd,
    _mm_sfence
);
#[cfg(target_arch = "x86_64")]
stencil_lanes!(
    stencils_avx,
    "avx",
    4,
    _mm256_loadu_pd,
    _mm256_set1_pd,
    _mm256_mul_pd,
    _mm256_add_pd,
    _mm256_storeu_pd,
    _mm256_stream_pd,
    _mm_sfence
);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let isa = match arg("--isa").as_deref() {
        None | Some("avx512") => Isa::Avx512,
        Some("avx2") => Isa::Avx2,
        Some("sse2") => Isa::Baseline,
        Some(other) => panic!("--isa takes avx512, avx2 or sse2, not {other}"),
    };
    let rounds: usize = arg("--rounds").map_or(7, |r| r.parse().expect("--rounds N"));
    let shape: Option<Vec<usize>> = arg("--shape").map(|s| {
        s.split('x')
            .map(|n| n.parse().expect("--shape AxBxC"))
            .collect()
    });
    let only = arg("--only");
    println!(
        "vector path capped at {isa:?}; {rounds} rounds, medians; ns per output element{}\n",
        shape
            .as_ref()
            .map_or(String::new(), |s| format!("; shape {s:?}, repeated"))
    );
    println!(
        "| workload | ours | memcpy bound | stream bound | tee | stencil | weighted | ours/memcpy bound | ours/tee | tee/memcpy bound | stencil/memcpy bound | weighted/memcpy bound | stream/memcpy |"
    );
    println!(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let works = workloads::all(false).into_iter().filter(|w| {
        ROWS.contains(&w.name) && only.as_ref().is_none_or(|o| w.name.contains(o.as_str()))
    });
    for mut work in works {
        assert!(matches!(work.elem, Elem::F64));
        let full: usize = work.shape.iter().product();
        if let Some(shape) = &shape {
            assert_eq!(shape.len(), work.shape.len(), "{}: rank", work.name);
            let mut strides = vec![1isize; shape.len()];
            for k in (0..shape.len() - 1).rev() {
                strides[k] = strides[k + 1] * shape[k + 1] as isize;
            }
            work.buffer = shape.iter().product();
            work.shape = shape.clone();
            work.strides = strides;
        }
        let reps = (full / work.buffer).max(1);
        let mut p = Prepared::<f64, f64>::new(&work);
        p.check();
        let call = Some((Kernel::Auto, isa));
        let (mut ours, mut copy, mut streamed, mut tee) = (vec![], vec![], vec![], vec![]);
        let (mut flat, mut weighted) = (vec![], vec![]);
        let line = *work.shape.last().expect("a rank of at least 1");
        let wide = matches!(isa, Isa::Avx512);
        let block: [[f64; BLOCK]; 3] = std::array::from_fn(|k| {
            std::array::from_fn(|i| [-0.5, 0.01, 0.5][k] + i as f64 * 1e-3)
        });
        for _ in 0..=rounds {
            copy.push(time(reps, || p.memcpy()));
            streamed.push(time(reps, || stream(&p.data, &mut [&mut p.copy])));
            tee.push(time(reps, || {
                let mut outs: Vec<&mut [f64]> =
                    p.outputs.iter_mut().map(Vec::as_mut_slice).collect();
                stream(&p.data, &mut outs)
            }));
            for (times, weights) in [(&mut flat, None), (&mut weighted, Some(&block))] {
                times.push(time(reps, || {
                    let mut outs: Vec<&mut [f64]> =
                        p.outputs.iter_mut().map(Vec::as_mut_slice).collect();
                    stencils(&p.data, &mut outs, line, weights, wide)
                }));
            }
            ours.push(time(reps, || p.run(call)));
        }
        // The first round faults the pages in.
        let [ours, copy, streamed, tee, flat, weighted] =
            [ours, copy, streamed, tee, flat, weighted].map(|mut v| median(v.split_off(1)));
        let scale = p.bytes_moved() as f64 / p.bytes_copied() as f64;
        let ns = |s: f64| s * 1e9 / p.elements() as f64;
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2}x | {:.2}x | {:.2}x | {:.2}x | {:.2}x | {:.2}x |",
            work.name,
            ns(ours),
            ns(copy * scale),
            ns(streamed * scale),
            ns(tee),
            ns(flat),
            ns(weighted),
            ours / (copy * scale),
            ours / tee,
            tee / (copy * scale),
            flat / (copy * scale),
            weighted / (copy * scale),
            streamed / copy,
        );
    }
}
