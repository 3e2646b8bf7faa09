//! Criterion benchmarks of every performance workload, each with a same-run memcpy of the
//! input and the naive per-line loop beside it, so ratios can be read off one run:
//! `cargo bench --bench gradient` (the table of ratios: `examples/perf_report.rs`).

#[path = "workloads.rs"]
mod workloads;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use numgrad::{Real, Sample};
use std::hint::black_box;
use workloads::{Elem, MakeSample, Prepared, Workload};

fn bench_one<T: Sample<F> + MakeSample, F: Real + MakeSample>(c: &mut Criterion, work: &Workload) {
    let mut p = Prepared::<T, F>::new(work);
    p.check();
    let mut group = c.benchmark_group(work.name);
    group.throughput(Throughput::Elements(p.elements() as u64));
    if p.elements() >= 1_000_000 {
        group.sample_size(10);
    }
    group.bench_function("numgrad", |b| {
        b.iter(|| black_box(&mut p).run(Some(workloads::auto())))
    });
    group.bench_function("memcpy", |b| b.iter(|| black_box(&mut p).memcpy()));
    group.bench_function("naive", |b| b.iter(|| black_box(&mut p).naive()));
    group.finish();
}

fn benches(c: &mut Criterion) {
    let quick = std::env::var_os("NUMGRAD_BENCH_QUICK").is_some();
    for work in workloads::all(quick) {
        match work.elem {
            Elem::F64 => bench_one::<f64, f64>(c, &work),
            Elem::F32 => bench_one::<f32, f32>(c, &work),
            Elem::I16ToF32 => bench_one::<i16, f32>(c, &work),
        }
    }
}

criterion_group!(gradient, benches);
criterion_main!(gradient);
