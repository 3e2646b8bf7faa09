//! The performance report: for each workload, the median time of our gradient, of a memcpy of
//! the same input bytes and of the naive per-line loop, all measured in the same run,
//! interleaved, and printed as ratios (a lone time means little on a shared machine).
//!
//! ```sh
//! python3 benches/numpy_gradient.py > /tmp/numpy.tsv        # optional: numpy's medians
//! cargo run --release --example perf_report -- --numpy /tmp/numpy.tsv
//! cargo run --release --features complex --example perf_report    # and the value types
//! RUSTFLAGS="-C target-cpu=native" cargo run --release --example perf_report
//! cargo run --release --example perf_report -- --quick     # small sizes, a smoke run
//! cargo run --release --example perf_report -- --only 1e3   # workloads whose name has "1e3"
//! # A CPU with AVX2 and no AVX-512F, emulated: our vector path capped at AVX2 (`--isa avx2`;
//! # or `avx512-partial`, `sse2`), and glibc's memcpy (the bound) on its AVX2 variant
//! GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD \
//!     cargo run --release --example perf_report -- --isa avx2
//! ```
//!
//! Columns: ns per output element; `vs bound` = our time over the memcpy bound (the memcpy's
//! time scaled by the bytes the gradient must move — input span read once, outputs written
//! once, coordinates read once — over the bytes the memcpy moves); `naive/ours` and
//! `numpy/ours` = how many times faster we are. On a CPU with AVX2 the report then times every
//! workload on each vector path (compile-time lanes, run-time AVX2, run-time AVX-512 for
//! coordinates and non-temporal stores), interleaved.

#[path = "../benches/workloads.rs"]
mod workloads;

use std::collections::HashMap;

use numgrad::testing::{Isa, Kernel, gradient_1d_with, gradient_with, isa_used};
use numgrad::{Real, Sample};
use workloads::{Elem, MakeSample, Prepared, Workload, median, time};

/// The vector path the workload rows and the small calls are capped at (`--isa`; the fastest
/// this CPU has by default).
static CAP: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();

/// Our call's kernel and vector path cap.
fn our_call() -> (Kernel, Isa) {
    (
        Kernel::Auto,
        CAP.get().copied().unwrap_or_else(|| workloads::auto().1),
    )
}

/// Repetitions of our call that last about 2 ms (one timed sample), from one call.
fn calibrate<T: Sample<F> + MakeSample, F: Real + MakeSample>(p: &mut Prepared<T, F>) -> usize {
    let once = time(1, || p.run(Some(our_call())));
    ((2e-3 / once.max(1e-9)) as usize).clamp(1, 100_000)
}

struct Row {
    name: &'static str,
    ns_per_elem: f64,
    vs_bound: f64,
    naive_over_ours: f64,
    ours_s: f64,
}

fn measure<T: Sample<F> + MakeSample, F: Real + MakeSample>(work: &Workload, rounds: usize) -> Row {
    let mut p = Prepared::<T, F>::new(work);
    p.check();
    let reps = calibrate(&mut p);
    let naive_reps = reps.div_ceil(8).max(1);
    let (mut ours, mut copy, mut naive) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        copy.push(time(reps, || p.memcpy()));
        ours.push(time(reps, || p.run(Some(our_call()))));
        naive.push(time(naive_reps, || p.naive()));
    }
    let (ours, copy, naive) = (median(ours), median(copy), median(naive));
    let bound = copy * p.bytes_moved() as f64 / p.bytes_copied() as f64;
    Row {
        name: work.name,
        ns_per_elem: ours * 1e9 / p.elements() as f64,
        vs_bound: ours / bound,
        naive_over_ours: naive / ours,
        ours_s: ours,
    }
}

/// Medians (ns per element) of each vector path (compile-time lanes, run-time AVX2, run-time
/// AVX-512 for uneven spacing and non-temporal stores only, run-time AVX-512 wherever the CPU
/// takes it, the same tuned for Intel's cores), timed interleaved in the same run.
fn compare_isa<T: Sample<F> + MakeSample, F: Real + MakeSample>(
    work: &Workload,
    rounds: usize,
) -> [f64; Isa::ALL.len()] {
    let mut p = Prepared::<T, F>::new(work);
    let reps = calibrate(&mut p);
    let mut times = Isa::ALL.map(|_| vec![]);
    for _ in 0..rounds {
        for (isa, t) in Isa::ALL.iter().zip(&mut times) {
            t.push(time(reps, || p.run(Some((Kernel::Auto, *isa)))));
        }
    }
    times.map(|t| median(t) * 1e9 / p.elements() as f64)
}

/// One small call of the report, with the input bytes it reads.
struct Small {
    name: &'static str,
    outputs: usize,
    input_bytes: usize,
    /// Placements of the call's buffers it is timed at (`call`'s argument: `0..placements`).
    placements: usize,
    call: Box<dyn FnMut(usize)>,
}

/// Placements of a small call's buffers: a call on a few KiB runs at a speed that follows where
/// its outputs fall from its input modulo 4 KiB (a store and a later load 4 KiB apart look
/// dependent to the CPU), which follows the allocator's history: the same 32x32 frame took
/// 205-260 ns here with the outputs 0 to 3.5 KiB further away. Each small call is timed with its
/// outputs `p * PLACEMENT_STEP` bytes further from its input, for every `p < PLACEMENTS`, and
/// the report gives the median over all of them, and the range of their medians.
const PLACEMENTS: usize = 8;
const PLACEMENT_STEP: usize = 512;

/// A small call's buffers in one allocation: the input on a 64-byte boundary, then two outputs,
/// each `n` elements plus `p * PLACEMENT_STEP` bytes after the previous buffer at placement `p`.
struct Pool<F> {
    buf: Vec<F>,
    at: usize,
    n: usize,
}

impl<F: Copy> Pool<F> {
    fn new(input: &[F], zero: F) -> Self {
        let n = input.len();
        let gap = PLACEMENTS * PLACEMENT_STEP / size_of::<F>();
        let mut buf = vec![zero; 3 * (n + gap) + 64];
        let at = buf.as_ptr().align_offset(64).min(64);
        buf[at..at + n].copy_from_slice(input);
        Self { buf, at, n }
    }

    /// The input and the two outputs at placement `p`.
    fn parts(&mut self, p: usize) -> (&[F], &mut [F], &mut [F]) {
        let (n, step) = (self.n, p * PLACEMENT_STEP / size_of::<F>());
        let (input, rest) = self.buf[self.at..].split_at_mut(n + step);
        let (first, rest) = rest.split_at_mut(n + step);
        (&input[..n], &mut first[..n], &mut rest[..n])
    }
}

/// `gradient_1d` on a series of `n` samples of `wave`, unit spacing.
fn series<F: Real + MakeSample + 'static>(
    name: &'static str,
    n: usize,
    wave: fn(usize) -> f64,
) -> Small {
    use numgrad::{AxisSpacing, EdgeOrder};
    use std::hint::black_box;
    let x: Vec<F> = (0..n).map(|i| F::make(wave(i))).collect();
    let mut pool = Pool::new(&x, F::zero());
    Small {
        name,
        outputs: n,
        input_bytes: n * size_of::<F>(),
        placements: PLACEMENTS,
        call: Box::new(move |p| {
            let (x, y, _) = pool.parts(p);
            let (x, y) = (black_box(x), black_box(y));
            let spacing = AxisSpacing::Uniform(F::one());
            match CAP.get() {
                None => numgrad::gradient_1d(x, y, spacing, EdgeOrder::First).unwrap(),
                Some(&cap) => gradient_1d_with(x, y, spacing, EdgeOrder::First, cap).unwrap(),
            }
        }),
    }
}

/// Small calls, where the fixed cost of a call shows: `gradient_1d` on a 1,000-point series and
/// the N-d `gradient` on a 32x32 frame, each with a memcpy of its input, timed interleaved.
fn small_calls(rounds: usize) {
    use numgrad::{Options, StridedView, StridedViewMut};
    use std::hint::black_box;
    fn wave(i: usize) -> f64 {
        (i as f64 * 0.37).sin() * 10.0 + (i % 7) as f64
    }
    let frame: Vec<f32> = (0..1024).map(|i| wave(i) as f32).collect();
    let mut pool = Pool::new(&frame, 0.0);
    let mut calls = [
        series::<f64>("gradient_1d f64 n=1000", 1000, wave),
        series::<f32>("gradient_1d f32 n=1024", 1024, wave),
        Small {
            name: "gradient 32x32 f32, both axes",
            outputs: 2048,
            input_bytes: 4096,
            placements: PLACEMENTS,
            call: Box::new(move |p| {
                let (frame, rows, cols) = pool.parts(p);
                let input = StridedView::contiguous(black_box(frame), &[32, 32]).unwrap();
                let shape = &[32, 32];
                let (rows, cols) = (black_box(rows), black_box(cols));
                let outputs = &mut [
                    StridedViewMut::contiguous(rows, shape).unwrap(),
                    StridedViewMut::contiguous(cols, shape).unwrap(),
                ];
                match CAP.get() {
                    None => numgrad::gradient(&input, outputs, &Options::new()).unwrap(),
                    Some(&cap) => {
                        let options = Options::new();
                        assert!(
                            gradient_with(&input, outputs, &options, Kernel::Auto, cap).unwrap()
                        )
                    }
                }
            }),
        },
    ];
    let times = interleaved(&mut calls, rounds);
    println!(
        "\nSmall calls (ns per call: the median of interleaved samples over {PLACEMENTS} \
         placements of the outputs, {PLACEMENT_STEP} B apart, and the range of the \
         placements' medians):\n"
    );
    println!(
        "| call | ns/call | placements | ns/output | memcpy of the input, ns | per output vs gradient_1d f32 |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let per_elem: Vec<f64> = (0..calls.len())
        .map(|k| times[k].ours * 1e9 / calls[k].outputs as f64)
        .collect();
    for (k, c) in calls.iter().enumerate() {
        let t = &times[k];
        println!(
            "| {} | {:.1} | {:.0}-{:.0} | {:.3} | {:.1} | {:.2}x |",
            c.name,
            t.ours * 1e9,
            t.lowest * 1e9,
            t.highest * 1e9,
            per_elem[k],
            t.copy * 1e9,
            per_elem[k] / per_elem[1]
        );
    }
}

/// Each call (at each of its placements) and a memcpy of its input, timed interleaved: the
/// medians (seconds) of the call over all its samples and of the memcpy, and the lowest and
/// highest of the call's medians per placement.
fn interleaved(calls: &mut [Small], rounds: usize) -> Vec<Timed> {
    use std::hint::black_box;
    // Source and destination of each memcpy in one buffer, 2 KiB apart modulo 4 KiB: copies
    // between addresses equal modulo 4 KiB run several times slower on some CPUs.
    let mut copies: Vec<Vec<u8>> = calls
        .iter()
        .map(|c| vec![1u8; 2 * c.input_bytes + 8192])
        .collect();
    let reps: Vec<usize> = calls
        .iter_mut()
        .map(|c| ((2e-3 / time(1, || (c.call)(0)).max(1e-9)) as usize).clamp(1, 1_000_000))
        .collect();
    let mut ours: Vec<Vec<Vec<f64>>> = calls.iter().map(|c| vec![vec![]; c.placements]).collect();
    let mut copy = vec![vec![]; calls.len()];
    for _ in 0..rounds {
        for (k, c) in calls.iter_mut().enumerate() {
            let n = c.input_bytes;
            let (src, dst) = copies[k].split_at_mut(n + 2048 + (4096 - n % 4096) % 4096);
            copy[k].push(time(reps[k], || {
                black_box(&mut dst[..n]).copy_from_slice(black_box(&src[..n]))
            }));
            for (p, samples) in ours[k].iter_mut().enumerate() {
                samples.push(time(reps[k], || (c.call)(p)));
            }
        }
    }
    ours.into_iter()
        .zip(copy)
        .map(|(placed, copy)| {
            let each: Vec<f64> = placed.iter().cloned().map(median).collect();
            Timed {
                ours: median(placed.concat()),
                copy: median(copy),
                lowest: each.iter().copied().fold(f64::INFINITY, f64::min),
                highest: each.iter().copied().fold(0.0, f64::max),
            }
        })
        .collect()
}

/// What [`interleaved`] measured of one call (seconds).
struct Timed {
    ours: f64,
    copy: f64,
    lowest: f64,
    highest: f64,
}

/// A `gradient_values` call on `f` (the value type `V`, 1e6 samples), with unit spacing or the
/// coordinates `x` (of the spacing type `F`).
#[cfg(feature = "complex")]
fn value_call<V, F>(name: &'static str, f: Vec<V>, x: Vec<F>, coordinates: bool) -> Small
where
    V: numgrad::Value<F> + 'static,
    F: numgrad::Precision + 'static,
{
    use numgrad::{AxisSpacing, Options, Spacing, StridedView, StridedViewMut};
    use std::hint::black_box;
    let n = f.len();
    let mut out = vec![V::Out::default(); n];
    Small {
        name,
        outputs: n,
        input_bytes: n * size_of::<V>(),
        placements: 1,
        call: Box::new(move |_| {
            let per_axis = [AxisSpacing::Coordinates(&x)];
            let spacing = if coordinates {
                Spacing::PerAxis(&per_axis)
            } else {
                Spacing::Unit
            };
            let shape = [n];
            let input = StridedView::contiguous(black_box(&f[..]), &shape).unwrap();
            let output = StridedViewMut::contiguous(black_box(&mut out[..]), &shape).unwrap();
            let options = Options::new().spacing(spacing);
            numgrad::gradient_values(&input, &mut [output], &options).unwrap()
        }),
    }
}

/// `gradient_values` (one scalar loop) on the value types, 1e6 samples each, beside a memcpy
/// of the input and numpy (`--numpy`, rows named alike). Feature `complex` (and `half` for
/// float16).
#[cfg(feature = "complex")]
fn value_types(rounds: usize, numpy: &HashMap<String, f64>) {
    use num_complex::Complex;
    use numgrad::Timedelta64;
    const N: usize = 1_000_000;
    let wave = |i: usize| (i as f64 * 1e-3 * 1.7).sin() * 100.0 + (i % 97) as f64;
    let x: Vec<f64> = (0..N)
        .map(|i| i as f64 * 0.01 + ((i * 7) % 5) as f64 * 1e-4)
        .collect();
    let complex: Vec<Complex<f64>> = (0..N).map(|i| Complex::new(wave(i), wave(i + 7))).collect();
    let counts: Vec<Timedelta64> = (0..N)
        .map(|i| Timedelta64((wave(i) * 1e3) as i64))
        .collect();
    let mut calls = vec![
        value_call("values complex128 n=1e6", complex.clone(), x.clone(), false),
        value_call("values complex128 coords n=1e6", complex, x.clone(), true),
        value_call("values timedelta64 n=1e6", counts, x, false),
    ];
    #[cfg(feature = "half")]
    {
        use half::f16;
        let f: Vec<f16> = (0..N).map(|i| f16::from_f64(wave(i))).collect();
        // Steps of 1/64 wrapping every 2,048 points: exact in float16, never a repeated point.
        let x: Vec<f16> = (0..N)
            .map(|i| f16::from_f64((i % 2048) as f64 / 64.0))
            .collect();
        calls.push(value_call(
            "values float16 n=1e6",
            f.clone(),
            x.clone(),
            false,
        ));
        calls.push(value_call("values float16 coords n=1e6", f, x, true));
    }
    let times = interleaved(&mut calls, rounds);
    println!("\nValue types (gradient_values, one scalar loop), medians of interleaved samples:\n");
    println!("| workload | ns/elem | vs memcpy bound | numpy/ours |");
    println!("| --- | ---: | ---: | ---: |");
    for (c, &Timed { ours, copy, .. }) in calls.iter().zip(&times) {
        // Input read once, output (as wide as the input) written once, coordinates (of the
        // spacing type: f64, or f16 for float16) read once.
        let coords = match (c.name.contains("coords"), c.name.contains("float16")) {
            (false, _) => 0,
            (true, false) => 8 * N,
            (true, true) => 2 * N,
        };
        let moved = 2 * c.input_bytes + coords;
        let bound = copy * moved as f64 / c.input_bytes as f64;
        let numpy_ratio = numpy
            .get(c.name)
            .map_or("-".to_string(), |&secs| format!("{:.1}x", secs / ours));
        let ns = ours * 1e9 / c.outputs as f64;
        println!(
            "| {} | {ns:.3} | {:.2}x | {numpy_ratio} |",
            c.name,
            ours / bound
        );
    }
}

/// The CPU the figures come from: its model name and family/model numbers (Linux), and the
/// vector extensions the kernels can use on it. Machines of one name differ (an "AMD EPYC" of
/// family 25 has no AVX-512, one of family 26 has it), so the numbers and features are printed
/// too.
fn cpu() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |key: &str| {
        info.lines()
            .find(|l| l.split(':').next().is_some_and(|k| k.trim() == key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let name = field("model name").unwrap_or_else(|| "unknown CPU".to_string());
    let numbers = match (field("cpu family"), field("model")) {
        (Some(family), Some(model)) => format!(" (family {family}, model {model})"),
        _ => String::new(),
    };
    #[cfg(target_arch = "x86_64")]
    let features = [
        ("AVX2", std::arch::is_x86_feature_detected!("avx2")),
        ("FMA", std::arch::is_x86_feature_detected!("fma")),
        ("F16C", std::arch::is_x86_feature_detected!("f16c")),
        ("AVX-512F", std::arch::is_x86_feature_detected!("avx512f")),
    ]
    .iter()
    .filter(|(_, has)| *has)
    .map(|(name, _)| *name)
    .collect::<Vec<_>>()
    .join(" + ");
    #[cfg(not(target_arch = "x86_64"))]
    let features = std::env::consts::ARCH.to_string();
    format!("{name}{numbers}, {features}")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 7 };
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1));
    let numpy: HashMap<String, f64> = args
        .iter()
        .position(|a| a == "--numpy")
        .and_then(|i| args.get(i + 1))
        .map(|path| {
            std::fs::read_to_string(path)
                .expect("numpy timings file")
                .lines()
                .filter_map(|l| l.split_once('\t'))
                .filter_map(|(name, secs)| Some((name.to_string(), secs.trim().parse().ok()?)))
                .collect()
        })
        .unwrap_or_default();
    if let Some(name) = args
        .iter()
        .position(|a| a == "--isa")
        .map(|i| args.get(i + 1))
    {
        let cap = match name.map(String::as_str) {
            Some("avx512-fma") => Isa::Avx512Fma,
            Some("avx512") => Isa::Avx512,
            Some("avx512-partial") => Isa::Avx512Partial,
            Some("avx2") => Isa::Avx2,
            Some("sse2") => Isa::Baseline,
            _ => panic!("--isa takes avx512-fma, avx512, avx512-partial, avx2 or sse2"),
        };
        CAP.set(cap).unwrap();
    }
    let cap = our_call().1;

    println!("CPU: {}", cpu());
    println!(
        "build: {}, run-time sweeps: {:?}, rounds: {rounds} (medians)\n",
        if cfg!(target_feature = "avx2") {
            "AVX2 lanes (target-cpu)"
        } else {
            "default (SSE2 lanes on x86_64)"
        },
        isa_used(cap)
    );
    if CAP.get().is_some() {
        println!(
            "vector path capped at {cap:?} (--isa) for the workload rows and small calls; \
             GLIBC_TUNABLES={:?} (glibc's memcpy variant)\n",
            std::env::var("GLIBC_TUNABLES").unwrap_or_default()
        );
    }
    println!("| workload | ns/elem | vs memcpy bound | naive/ours | numpy/ours |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let selected = workloads::all(quick)
        .into_iter()
        .filter(|w| only.is_none_or(|o| w.name.contains(o.as_str())));
    for work in selected {
        let row = match work.elem {
            Elem::F64 => measure::<f64, f64>(&work, rounds),
            Elem::F32 => measure::<f32, f32>(&work, rounds),
            Elem::I16ToF32 => measure::<i16, f32>(&work, rounds),
        };
        let numpy_ratio = numpy.get(row.name).map_or("-".to_string(), |&secs| {
            format!("{:.1}x", secs / row.ours_s)
        });
        println!(
            "| {} | {:.3} | {:.2}x | {:.1}x | {} |",
            row.name, row.ns_per_elem, row.vs_bound, row.naive_over_ours, numpy_ratio
        );
    }
    if only.is_none_or(|o| "small calls".contains(o.as_str())) {
        small_calls(rounds);
    }
    #[cfg(feature = "complex")]
    if only.is_none_or(|o| "values".contains(o.as_str())) {
        value_types(rounds, &numpy);
    }
    // The gain of the run-time sweeps, when this run used them (and was not capped).
    if isa_used(cap) == Isa::Baseline || CAP.get().is_some() {
        return;
    }
    println!(
        "\nThe vector paths of this build, same run (partial AVX-512: for coordinates and for \
         outputs of 16 MiB or more only, as on CPUs whose 512-bit lanes lower the clock; \
         AVX-512: wherever a 512-bit vector fits, on CPUs with AVX512-VBMI2, else the same as \
         partial, tuned as for AMD's CPUs; Intel tuning: AVX-512 with the first weight by \
         coordinates from the FMA units, as on Intel's CPUs):\n"
    );
    println!(
        "| workload | compile-time lanes | AVX2 | partial AVX-512 | AVX-512 | Intel tuning | lanes/AVX2 | lanes/AVX-512 |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let selected = workloads::all(quick)
        .into_iter()
        .filter(|w| only.is_none_or(|o| w.name.contains(o.as_str())));
    for work in selected {
        let [base, avx2, partial, avx512, fma] = match work.elem {
            Elem::F64 => compare_isa::<f64, f64>(&work, rounds),
            Elem::F32 => compare_isa::<f32, f32>(&work, rounds),
            Elem::I16ToF32 => compare_isa::<i16, f32>(&work, rounds),
        };
        println!(
            "| {} | {base:.3} | {avx2:.3} | {partial:.3} | {avx512:.3} | {fma:.3} | {:.2}x | {:.2}x |",
            work.name,
            base / avx2,
            base / avx512
        );
    }
}
