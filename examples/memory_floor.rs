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
//! - ours, on the vector path of the run (`--isa avx2` caps it, as in the report).
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
//! (eighteenth pass).

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
        "| workload | ours | memcpy bound | stream bound | tee | ours/memcpy bound | ours/tee | tee/memcpy bound | stream/memcpy |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
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
        for _ in 0..=rounds {
            copy.push(time(reps, || p.memcpy()));
            streamed.push(time(reps, || stream(&p.data, &mut [&mut p.copy])));
            tee.push(time(reps, || {
                let mut outs: Vec<&mut [f64]> =
                    p.outputs.iter_mut().map(Vec::as_mut_slice).collect();
                stream(&p.data, &mut outs)
            }));
            ours.push(time(reps, || p.run(call)));
        }
        // The first round faults the pages in.
        let [ours, copy, streamed, tee] =
            [ours, copy, streamed, tee].map(|mut v| median(v.split_off(1)));
        let scale = p.bytes_moved() as f64 / p.bytes_copied() as f64;
        let ns = |s: f64| s * 1e9 / p.elements() as f64;
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2}x | {:.2}x | {:.2}x | {:.2}x |",
            work.name,
            ns(ours),
            ns(copy * scale),
            ns(streamed * scale),
            ns(tee),
            ours / (copy * scale),
            ours / tee,
            tee / (copy * scale),
            streamed / copy,
        );
    }
}
