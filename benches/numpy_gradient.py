#!/usr/bin/env python3
"""numpy.gradient on the workloads of benches/workloads.rs: prints `name<TAB>median seconds`.

Feed the output to the report:
    python3 benches/numpy_gradient.py > /tmp/numpy.tsv
    cargo run --release --example perf_report -- --numpy /tmp/numpy.tsv
Same inputs as the Rust side (same signal, coordinates, views); medians of 7 runs, each run
timing np.gradient once (repeated enough to last ~2 ms for the small ones).
"""
import sys
import time

import numpy as np


def signal(n):
    i = np.arange(n, dtype=np.float64)
    return np.sin(i * 1e-3 * 1.7) * 100.0 + (np.arange(n) % 97)


def coords(n, dtype=np.float64):
    i = np.arange(n, dtype=np.float64)
    return (i * 0.01 + ((np.arange(n) * 7) % 5) * 1e-4).astype(dtype)


def workloads(quick):
    big = 100_000 if quick else 10_000_000
    side = 256 if quick else 2048
    cube = 48 if quick else 256
    f64 = lambda n: signal(n)
    f32 = lambda n: signal(n).astype(np.float32)
    i16 = lambda n: (signal(n) * 50.0).astype(np.int16)
    w = []
    for n, tag in ((1000, "1e3"), (100_000, "1e5"), (big, "1e7")):
        w.append(("1d f64 n=" + tag, f64(n), (), {}))
        w.append(("1d f32 n=" + tag, f32(n), (np.float32(1.0),), {}))
        w.append(("1d coords n=" + tag, f64(n), (coords(n),), {}))
        # numpy turns integers into float64; our row is f32 output.
        w.append(("1d i16->f32 n=" + tag, i16(n), (), {}))
    for n, tag in ((100_000, "1e5"), (big, "1e7")):
        w.append(("1d f32 coords n=" + tag, f32(n), (coords(n, np.float32),), {}))
    w.append(("1d edge2 n=1e7", f64(big), (), {"edge_order": 2}))
    sq = f64(side * side).reshape(side, side)
    w.append(("2d 2048^2 axis 0", sq, (), {"axis": 0}))
    w.append(("2d 2048^2 axis 1", sq, (), {"axis": 1}))
    w.append(("2d 2048^2 all", sq, (), {}))
    w.append(("3d 256^3 all", f64(cube ** 3).reshape(cube, cube, cube), (), {}))
    w.append(("2d transposed all", sq.T, (), {}))
    # Our outputs of these two are C order: numpy's (order K) are copied into C order.
    w.append(("2d transposed all, C-order out", sq.T, (), {"c_out": True}))
    planes, rows, points = (12, 20, 250) if quick else (150, 200, 2500)
    cube3 = f64(planes * rows * points).reshape(planes, rows, points)
    w.append(("3d 150x200x2500 coords, axes (2, 0)", cube3, (coords(points), coords(planes)),
              {"axis": (2, 0)}))
    w.append(("3d 150x200x2500 coords, axis 2", cube3, (coords(points),), {"axis": 2}))
    w.append(("3d 150x200x2500 coords, axis 0", cube3, (coords(planes),), {"axis": 0}))
    tall, wide = (300, 250) if quick else (3000, 2500)
    fo = f64(tall * wide).reshape(wide, tall).T
    w.append(("2d 3000x2500 F-order all, C-order out", fo, (), {"c_out": True}))
    small = 64 if quick else 128
    fs = f64(small * small).reshape(small, small).T
    w.append(("2d 128x128 F-order all, C-order out", fs, (), {"c_out": True}))
    w.append(("2d step-2 all", f64(side * side * 2).reshape(side, 2 * side)[:, ::2], (), {}))
    # The value types (examples/perf_report.rs, `value_types`): always 1e6 samples.
    n = 1_000_000
    i = np.arange(n + 7)
    wave = np.sin(i * 1e-3 * 1.7) * 100.0 + (i % 97)
    c128 = wave[:n] + 1j * wave[7:]
    w.append(("values complex128 n=1e6", c128, (), {}))
    w.append(("values complex128 coords n=1e6", c128, (coords(n),), {}))
    td = (wave[:n] * 1e3).astype(np.int64).view("m8[ns]")
    w.append(("values timedelta64 n=1e6", td, (), {}))
    # float16 with float16 spacing (the crate's contract); coordinates in steps of 1/64 wrapping
    # every 2,048 points (exact in float16, never a repeated point).
    f16 = wave[:n].astype(np.float16)
    w.append(("values float16 n=1e6", f16, (), {}))
    w.append(("values float16 coords n=1e6", f16, (((i[:n] % 2048) / 64.0).astype(np.float16),),
              {}))
    return w


def main():
    quick = "--quick" in sys.argv
    for name, f, args, kw in workloads(quick):
        runs = 7
        reps = max(1, int(2e6 // max(f.size, 1))) if f.size < 1_000_000 else 1
        times = []
        c_out = kw.pop("c_out", False)
        for _ in range(runs):
            t = time.perf_counter()
            for _ in range(reps):
                out = np.gradient(f, *args, **kw)
                if c_out:
                    [np.ascontiguousarray(o) for o in out]
            times.append((time.perf_counter() - t) / reps)
        times.sort()
        print("%s\t%.9g" % (name, times[len(times) // 2]), flush=True)


if __name__ == "__main__":
    main()
