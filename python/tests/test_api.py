"""numgrad.gradient beyond the comparison with numpy: which cases run on the kernel (so the
bit-for-bit suites really test it), NEP 50's float32 cases, layouts the kernel cannot read in
place, out= validation, and the GIL released during the computation."""

import threading
import time
from unittest import mock

import numpy as np
import pytest

import numgrad
from numgrad import _NATIVE, _NUMPY, _WEAK_EDGES, _route
from support import same_bits, same_results

F64, F32 = np.dtype(np.float64), np.dtype(np.float32)


@pytest.mark.parametrize(
    "otype, spacing, order, route",
    [
        (F64, None, 1, _NATIVE),
        (F64, 0.1, 2, _NATIVE),
        (F64, 3, 1, _NATIVE),
        (F64, np.float64(0.1), 2, _NATIVE),
        (F64, np.int64(3), 2, _NATIVE),
        (F64, np.array([0.0, 1.0, 3.0]), 2, _NATIVE),
        (F64, np.array([0, 1, 3], dtype=np.uint8), 2, _NATIVE),
        (F32, None, 2, _NATIVE),
        (F32, np.float32(0.1), 2, _NATIVE),
        (F32, np.array([0.0, 1.0, 3.0], dtype=np.float32), 2, _NATIVE),
        (F32, 0.1, 1, _NATIVE),
        (F32, 0.1, 2, _NATIVE),
        (F32, 1e-3, 2, _WEAK_EDGES),
        # Mixed precision: numpy computes in float64 (or float32 coefficients on float64 data).
        (F32, np.float64(0.1), 1, _NUMPY),
        (F32, np.array([0.0, 1.0, 3.0]), 1, _NUMPY),
        (F64, np.float32(0.1), 1, _NUMPY),
        (F64, np.array([0.0, 1.0, 3.0], dtype=np.float32), 1, _NUMPY),
        # float32(2h) != 2 * float32(h): h is subnormal in float32.
        (F32, 1e-45, 1, _NUMPY),
    ],
)
def test_routes(otype, spacing, order, route):
    assert _route(otype, spacing, order)[0] == route


@pytest.mark.parametrize("h", [1e-3, 7.0 / 3.0, 0.1, 3, -2.5, 1e-30, 3e38, 1e-40])
@pytest.mark.parametrize("edge_order", [1, 2])
def test_float32_data_python_float_spacing(h, edge_order):
    """NEP 50: with a Python float, numpy's edge coefficients are rounded once from float64;
    1e-3 and 7/3 are spacings where that differs from computing them in float32."""
    rng = np.random.default_rng(3)
    f = rng.standard_normal((40, 33)).astype(np.float32)
    with np.errstate(all="ignore"):
        want = np.gradient(f, h, edge_order=edge_order)
        got = numgrad.gradient(f, h, edge_order=edge_order)
    assert same_results(got, want)
    if h in (1e-3, 7.0 / 3.0) and edge_order == 2:
        # The case is real: float32 coefficients would give other bits.
        assert not same_results(np.gradient(f, np.float32(h), edge_order=2), want)


def layouts():
    rng = np.random.default_rng(5)
    base = rng.standard_normal((12, 10))
    yield "C", base
    yield "F", np.asfortranarray(base)
    yield "reversed", base[::-1, ::-2]
    yield "transposed", base.T
    yield "broadcast (zero strides)", np.broadcast_to(base[3], (6, 10))
    # Byte strides that are not a multiple of the item size: read through a copy.
    raw = np.zeros(12 * 10 * 8 + 12 * 3, dtype=np.uint8)
    packed = np.ndarray((12, 10), dtype=np.float64, buffer=raw, offset=3, strides=(83, 8))
    packed[...] = base
    yield "unaligned, stride 83 bytes", packed
    # C-contiguous but misaligned: copied (aligned) first, as for any layout it cannot read.
    raw = np.zeros(12 * 10 * 8 + 1, dtype=np.uint8)
    shifted = np.ndarray((12, 10), dtype=np.float64, buffer=raw, offset=1)
    shifted[...] = base
    yield "unaligned, C-contiguous", shifted
    yield "big-endian", base.astype(">f8")
    yield "int16, stepped", (base * 100).astype(np.int16)[::3]


@pytest.mark.parametrize("name, f", list(layouts()), ids=lambda v: v if isinstance(v, str) else "")
def test_layouts(name, f):
    for edge_order in (1, 2):
        want = np.gradient(f, 0.7, edge_order=edge_order)
        assert same_results(numgrad.gradient(f, 0.7, edge_order=edge_order), want), name


def test_out_written_in_place():
    f = np.random.default_rng(1).standard_normal((8, 9))
    big = np.full((16, 9), -7.0)
    o0 = big[::2]  # stepped
    o1 = np.empty((9, 8)).T  # Fortran order
    got = numgrad.gradient(f, 2.0, out=(o0, o1))
    assert got[0] is o0 and got[1] is o1
    assert same_results((o0, o1), np.gradient(f, 2.0))
    assert np.all(big[1::2] == -7.0)  # nothing written between the rows
    one = np.empty(8)
    assert numgrad.gradient(np.arange(8.0) ** 2, out=one) is one
    # Through the crate's float16 route, and the numpy route (non-native float16), too.
    for dtype in ("f2", ">f2"):
        h = np.empty(5, dtype=np.float16)
        numgrad.gradient(np.arange(5, dtype=dtype) ** 2, out=(h,))
        assert same_bits(h, np.gradient(np.arange(5, dtype=dtype) ** 2))


def test_out_interleaved():
    """Outputs interleaved with each other or with the input (disjoint, same buffer)."""
    big = np.zeros((12, 5))
    f = big[::2]
    f[...] = np.random.default_rng(4).standard_normal((6, 5))
    other = np.zeros((12, 5))
    got = numgrad.gradient(f, out=(big[1::2], other[::2]))
    assert same_results(got, np.gradient(f))
    assert same_results(numgrad.gradient(f, out=(other[::2], other[1::2])), np.gradient(f))


def test_out_unaligned_written_through_scratch():
    f = np.random.default_rng(2).standard_normal(10)
    raw = np.zeros(8 * 10 + 1, dtype=np.uint8)
    o = np.ndarray((10,), dtype=np.float64, buffer=raw, offset=1)
    assert not o.flags.aligned
    numgrad.gradient(f, out=(o,))
    assert same_bits(o, np.gradient(f))


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda f: np.empty((8, 9)), TypeError, "tuple of 2"),
        (lambda f: (np.empty((8, 9)),), ValueError, "1 arrays; 2 axes"),
        (lambda f: (np.empty((8, 9)), [0.0]), TypeError, "not a numpy array"),
        (lambda f: (np.empty((8, 9)), np.empty((9, 8))), ValueError, "shape"),
        (lambda f: (np.empty((8, 9)), np.empty((8, 9), np.float32)), TypeError, "dtype"),
        (lambda f: (np.empty((8, 9)), np.broadcast_to(0.0, (8, 9))), ValueError, "read-only"),
        (lambda f: (np.empty((8, 9)), f), ValueError, "shares memory with the input"),
        (lambda f: (lambda o: (o, o[:, :]))(np.empty((8, 9))), ValueError, "out\\[0\\]"),
        (lambda f: 3, TypeError, "tuple"),
    ],
)
def test_out_rejected_untouched(make, error, match):
    f = np.random.default_rng(1).standard_normal((8, 9))
    out = make(f)
    before = [np.array(o, copy=True) for o in out] if isinstance(out, tuple) else None
    with pytest.raises(error, match=match):
        numgrad.gradient(f, out=out)
    if before is not None:
        for o, b in zip(out, before):
            if isinstance(o, np.ndarray):
                assert same_bits(o, b) or o is f


def test_unsupported_dtypes_are_numpys():
    for f in [np.arange(5, dtype=">f2"), (np.arange(5) * (1 + 2j)).astype(">c16"),
              np.array(["2024-01-01", "2024-01-03", "2024-01-08"], dtype=">M8[D]"),
              np.ma.masked_array(np.arange(5) * (1 + 2j))]:
        with mock.patch.object(numgrad, "_numgrad", None):  # the extension is not called
            assert same_results(numgrad.gradient(f), np.gradient(f))
    with pytest.raises(TypeError):  # numpy: boolean subtract
        np.gradient(np.array([True, False, True]))
    with pytest.raises(TypeError):
        numgrad.gradient(np.array([True, False, True]))


@pytest.mark.parametrize("dtype", ["f8", "c16", "f2", "M8[s]"])
def test_gil_released(dtype):
    """A second Python thread keeps counting while a large gradient runs: with the GIL held it
    would count only in the few milliseconds of Python around the call."""
    f = np.random.default_rng(0).standard_normal((3000, 3000))
    if dtype == "c16":
        f = f + 1j * f[::-1]
    elif dtype == "f2":
        f = f.astype(np.float16)
    elif dtype == "M8[s]":
        f = (f * 1e9).astype(np.int64).view(dtype)
    count = [0]
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            count[0] += 1

    thread = threading.Thread(target=counter)
    thread.start()
    try:
        time.sleep(0.2)
        # The counter's rate alone.
        c0, t0 = count[0], time.perf_counter()
        time.sleep(0.2)
        rate = (count[0] - c0) / (time.perf_counter() - t0)
        c0, t0 = count[0], time.perf_counter()
        for _ in range(5):
            numgrad.gradient(f)
        during = (count[0] - c0) / (time.perf_counter() - t0)
    finally:
        stop.set()
        thread.join()
    # Held, the GIL would let it run ~1% of the time (the 5 ms switch interval per call).
    assert during > 0.2 * rate, (during, rate)


@pytest.mark.parametrize(
    "f, kw",
    [
        (np.zeros((0, 3)), {"axis": 1}),
        (np.zeros((4, 0)), {"axis": 0}),
        (np.float64(3.0), {}),
        (np.zeros((3, 4)), {"axis": ()}),
    ],
)
def test_empty_and_no_axes(f, kw):
    """Empty arrays along an axis not differentiated, 0-d input, no selected axis: numpy's
    results (empty arrays, or an empty tuple)."""
    assert same_results(numgrad.gradient(f, **kw), np.gradient(f, **kw))
