"""Figures: numgrad.gradient vs np.gradient in one process, and numgrad.dask.gradient vs
dask.array.gradient on one two-process LocalCluster with the same chunks. Medians of repeated,
interleaved runs; every numgrad result is first checked bit for bit against numpy's.

    python bench.py            # all
    python bench.py --no-dask  # in-process figures only
"""

import argparse
import statistics
import sys
import time

import numpy as np

import numgrad


def median_seconds(fn, rounds, inner=1):
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def same(a, b):
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    return all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def in_process(rounds):
    rng = np.random.default_rng(0)
    f2 = rng.standard_normal((2048, 2048))
    x7 = np.cumsum(rng.random(10**7) + 0.01)
    c6 = rng.standard_normal(10**6) + 1j * rng.standard_normal(10**6)
    x6 = x7[: 10**6]
    t6 = np.datetime64("2020-01-01T00:00:00", "s") + np.cumsum(
        rng.integers(1, 100, 10**6)).astype("m8[s]")
    workloads = [
        ("1d f64 n=1e3 (call overhead)", rng.standard_normal(1000), (), {}, 2000),
        ("1d f64 n=1e7", rng.standard_normal(10**7), (), {}, 1),
        ("1d f64 n=1e7 coordinates", rng.standard_normal(10**7), (x7,), {}, 1),
        ("1d f32 n=1e7", rng.standard_normal(10**7).astype(np.float32), (), {}, 1),
        ("2d f64 2048x2048 all axes", f2, (), {}, 1),
        ("2d f64 2048x2048 edge_order=2", f2, (), {"edge_order": 2}, 1),
        ("2d f32 2048x2048 all axes", f2.astype(np.float32), (), {}, 1),
        ("3d f64 256^3 all axes", rng.standard_normal((256, 256, 256)), (), {}, 1),
        # gradient_values: one scalar loop (no vector path yet).
        ("1d c16 n=1e6", c6, (), {}, 1),
        ("1d c16 n=1e6 coordinates", c6, (x6,), {}, 1),
        ("1d c8 n=1e6", c6.astype(np.complex64), (), {}, 1),
        ("2d c16 1000x1000 all axes", c6.reshape(1000, 1000), (), {}, 1),
        ("1d M8[s] n=1e6", t6, (), {}, 1),
        ("1d M8[s] n=1e6 coordinates", t6, (x6,), {}, 1),
        ("1d f16 n=1e6", c6.real.astype(np.float16), (), {}, 1),
        ("1d f16 n=1e6 h=0.1 edge_order=2", c6.real.astype(np.float16), (0.1,),
         {"edge_order": 2}, 1),
    ]
    print("| workload | np.gradient | numgrad.gradient | numpy/numgrad |")
    print("| --- | ---: | ---: | ---: |")
    for name, f, args, kw, inner in workloads:
        assert same(numgrad.gradient(f, *args, **kw), np.gradient(f, *args, **kw)), name
        ours, theirs = [], []
        for _ in range(rounds):  # interleaved
            theirs.append(median_seconds(lambda: np.gradient(f, *args, **kw), 1, inner))
            ours.append(median_seconds(lambda: numgrad.gradient(f, *args, **kw), 1, inner))
        a, b = statistics.median(theirs), statistics.median(ours)
        print(f"| {name} | {fmt(a)} | {fmt(b)} | {a / b:.1f}x |")
        sys.stdout.flush()


def fmt(s):
    return f"{s * 1e6:.1f} us" if s < 1e-3 else f"{s * 1e3:.1f} ms"


def with_dask(rounds):
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    import numgrad.dask

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      memory_limit="2GiB", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        print("\n| dask workload (2 worker processes) | dask.array.gradient | numgrad.dask.gradient | ratio |")
        print("| --- | ---: | ---: | ---: |")
        cases = [
            ("8192x8192 f64, chunks 1024x1024, all axes", (8192, 8192), (1024, 1024), ()),
            ("8192x8192 f64, chunks 2048x2048, all axes", (8192, 8192), (2048, 2048), ()),
            ("1d 4e7 f64 + coordinates, chunks 4e6", (4 * 10**7,), (4 * 10**6,), "x"),
        ]
        for name, shape, chunks, spacing in cases:
            x = da.random.default_rng(1).standard_normal(shape, chunks=chunks).persist()
            args = ()
            if spacing == "x":
                args = (np.cumsum(np.random.default_rng(2).random(shape[0]) + 0.01),)

            def run(fn):
                # A reduction, so only a few numbers come back: the gradient runs on the
                # workers, the client is not the bottleneck.
                g = fn(x, *args)
                g = g if isinstance(g, (tuple, list)) else (g,)
                dask.compute(*(a.sum() for a in g))

            ours, theirs = [], []
            for _ in range(rounds):
                theirs.append(median_seconds(lambda: run(da.gradient), 1))
                ours.append(median_seconds(lambda: run(numgrad.dask.gradient), 1))
            a, b = statistics.median(theirs), statistics.median(ours)
            print(f"| {name} | {fmt(a)} | {fmt(b)} | {a / b:.2f}x |")
            sys.stdout.flush()
            del x
            client.run(lambda: None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--rounds", type=int, default=7)
    opts = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "?")
    print(f"CPU: {cpu}; numpy {np.__version__}\n")
    in_process(opts.rounds)
    if not opts.no_dask:
        with_dask(max(3, opts.rounds // 2))


if __name__ == "__main__":
    main()
