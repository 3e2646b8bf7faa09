//! How `gradient_parallel` scales: each workload timed on rayon pools of 1 and 2 threads (and
//! more with `--threads N`), next to a memcpy of the input on as many threads, all interleaved
//! in one run, medians printed as ratios. Then the serial/parallel crossover that sets
//! `PARALLEL_MIN_ELEMENTS`.
//!
//! ```sh
//! cargo run --release --features rayon --example scaling
//! cargo run --release --features rayon --example scaling -- --threads 4 --reps 21
//! cargo run --release --features rayon --example scaling -- --quick   # small sizes, a smoke run
//! ```
//!
//! `vs bound`: our time over the memcpy bound on the same threads — the memcpy's time scaled
//! by the bytes the gradient must move (input read once, outputs written once, coordinates
//! read once) over the bytes the memcpy moves (the input, read and written).

use std::time::Instant;

use numgrad::testing::gradient_parallel_with;
use numgrad::{
    AxisSpacing, Options, PARALLEL_MIN_ELEMENTS, Spacing, StridedView, StridedViewMut, gradient,
    gradient_parallel,
};
use rayon::prelude::*;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

struct Work {
    name: String,
    shape: Vec<usize>,
    data: Vec<f64>,
    coords: Option<Vec<f64>>,
    outputs: Vec<Vec<f64>>,
    copy: Vec<f64>,
}

impl Work {
    fn new(name: &str, shape: &[usize], coords: bool) -> Self {
        let n: usize = shape.iter().product();
        let data = (0..n).map(|i| ((i * 7919) % 1009) as f64 * 0.01).collect();
        let coords = coords.then(|| (0..n).map(|i| i as f64 + (i % 3) as f64 * 0.25).collect());
        Work {
            name: name.into(),
            shape: shape.to_vec(),
            data,
            coords,
            outputs: vec![vec![0.0; n]; shape.len()],
            copy: vec![0.0; n],
        }
    }

    /// `gradient` (`None`), or `gradient_parallel` with its threshold (`Some(0)`: always in
    /// parallel).
    fn run(&mut self, parallel: Option<usize>) {
        let input = StridedView::contiguous(&self.data, &self.shape).unwrap();
        let spacing;
        let mut options = Options::new();
        if let Some(x) = &self.coords {
            spacing = [AxisSpacing::Coordinates(x)];
            options = options.spacing(Spacing::PerAxis(&spacing));
        }
        let shape = &self.shape;
        let mut outs: Vec<_> = self
            .outputs
            .iter_mut()
            .map(|o| StridedViewMut::contiguous(o, shape).unwrap())
            .collect();
        match parallel {
            None => gradient(&input, &mut outs, &options).unwrap(),
            Some(PARALLEL_MIN_ELEMENTS) => gradient_parallel(&input, &mut outs, &options).unwrap(),
            Some(min) => gradient_parallel_with(&input, &mut outs, &options, min, None).unwrap(),
        }
    }

    /// The input copied in as many pieces as the pool has threads.
    fn memcpy(&mut self) {
        let threads = rayon::current_num_threads();
        let piece = self.data.len().div_ceil(threads);
        self.copy
            .par_chunks_mut(piece)
            .zip(self.data.par_chunks(piece))
            .for_each(|(d, s)| d.copy_from_slice(s));
    }

    /// Bytes the gradient must move over the bytes the memcpy moves.
    fn bound_scale(&self) -> f64 {
        let n = self.data.len() as f64;
        let coords = if self.coords.is_some() { n } else { 0.0 };
        (n + n * self.shape.len() as f64 + coords) / (2.0 * n)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().position(|a| a == name).map(|i| &args[i + 1]);
    let quick = args.iter().any(|a| a == "--quick");
    let reps: usize = flag("--reps").map_or(if quick { 3 } else { 15 }, |v| v.parse().unwrap());
    let max_threads: usize = flag("--threads").map_or(2, |v| v.parse().unwrap());
    let s = if quick { 8 } else { 1 };
    let mut works = vec![
        Work::new("2-D f64 all axes", &[2048 / s, 2048 / s], false),
        Work::new("3-D f64 all axes", &[160 / s, 160 / s, 160 / s], false),
        Work::new("1-D f64 coordinates", &[(1 << 23) / s], true),
    ];
    let pools: Vec<_> = (1..=max_threads)
        .map(|t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
        })
        .collect();
    println!(
        "cpu: {}, {} hardware threads",
        cpu_name(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("{reps} interleaved rounds, medians; ns per element of one output\n");
    println!(
        "| workload | elements | serial | threads | parallel | memcpy | vs bound | speed-up |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for w in &mut works {
        let n = w.data.len() as f64;
        let mut serial = Vec::new();
        let mut par = vec![Vec::new(); pools.len()];
        let mut copy = vec![Vec::new(); pools.len()];
        w.run(None);
        for _ in 0..reps {
            serial.push(time(|| w.run(None)));
            for (t, pool) in pools.iter().enumerate() {
                par[t].push(pool.install(|| time(|| w.run(Some(PARALLEL_MIN_ELEMENTS)))));
                copy[t].push(pool.install(|| time(|| w.memcpy())));
            }
        }
        let serial = median(serial);
        for t in 0..pools.len() {
            let (p, c) = (median(par[t].clone()), median(copy[t].clone()));
            println!(
                "| {} | {} | {:.3} | {} | {:.3} | {:.3} | {:.2} | {:.2} |",
                w.name,
                w.data.len(),
                serial * 1e9 / n,
                t + 1,
                p * 1e9 / n,
                c * 1e9 / n,
                p / (c * w.bound_scale()),
                serial / p
            );
        }
    }
    crossover(&pools, reps, quick);
}

/// Serial against parallel (forced, on the largest pool) for growing sizes: where the
/// parallel call starts to win sets `PARALLEL_MIN_ELEMENTS`.
fn crossover(pools: &[rayon::ThreadPool], reps: usize, quick: bool) {
    let pool = pools.last().unwrap();
    println!(
        "\ncrossover on {} threads (PARALLEL_MIN_ELEMENTS = {PARALLEL_MIN_ELEMENTS}):",
        pool.current_num_threads()
    );
    println!("| elements | 2-D serial/parallel | 1-D coordinates serial/parallel |");
    println!("|---:|---:|---:|");
    let top = if quick { 14 } else { 22 };
    for log in 12..=top {
        let n = 1usize << log;
        let side = 1usize << (log / 2);
        let ratio = |w: &mut Work| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for _ in 0..reps * 4 {
                a.push(time(|| w.run(None)));
                b.push(pool.install(|| time(|| w.run(Some(0)))));
            }
            median(a) / median(b)
        };
        let r2 = ratio(&mut Work::new("", &[side, n / side], false));
        let r1 = ratio(&mut Work::new("", &[n], true));
        println!("| {n} | {r2:.2} | {r1:.2} |");
    }
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
