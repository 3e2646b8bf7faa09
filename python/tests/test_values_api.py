"""numgrad.gradient on complex, float16, datetime64 and timedelta64 data beyond the random
comparison:
which calls the crate computes (np.gradient never called), the cases numpy computes otherwise
and which therefore go to numpy (complex64 through negative strides, integer spacing of
datetime data at the first-order edges), the one-time check of numpy's arithmetic and the cases
it is made of, numpy's exceptions in numpy's order, and out=."""

import warnings
from unittest import mock

import numpy as np
import pytest

import numgrad
from numgrad import (
    _COMPLEX,
    _HALF,
    _INT_EDGES,
    _NATIVE,
    _NUMPY,
    _TIME,
    _WEAK_EDGES,
    _agreement,
    _probe_cases,
    _route,
)
from support import same_bits, same_results

F64, F32, F16 = np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.float16)
NAT = np.iinfo(np.int64).min


def numpy_quiet(*args, **kwargs):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return np.gradient(*args, **kwargs)


def crate_only(*args, **kwargs):
    """numgrad.gradient with np.gradient replaced by a function that raises."""
    _agreement(_COMPLEX), _agreement(_TIME)  # the one-time check runs np.gradient: before

    def boom(*a, **k):
        raise AssertionError("np.gradient called")

    with mock.patch.object(np, "gradient", boom), warnings.catch_warnings():
        warnings.simplefilter("error")  # and no floating-point warnings from the crate
        return numgrad.gradient(*args, **kwargs)


def complex_sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype).reshape(shape)


def half_sample(shape, seed=0):
    """float16 values of several scales, with float16's special values among them."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    values = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, size=n)
    mask = rng.random(n) < 0.2
    values[mask] = rng.choice(HALF_SPECIALS, size=int(mask.sum()))
    return values.astype(np.float16).reshape(shape)


# float16's special values: signed zeros, infinities, NaN, its largest finite value (whose
# differences overflow to inf), the least normal, subnormals down to the smallest (6e-8).
HALF_SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, -65504.0, 6.1035e-5, 6e-8,
                 -6e-8, 1.2e-7, -3e-5]


def counts_sample(dtype, shape, seed=0, magnitude=10**12):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return rng.integers(-magnitude, magnitude, size=n).view(dtype).reshape(shape)


@pytest.mark.parametrize(
    "data, ftype, spacing, order, route",
    [
        # complex128: float64 spacing.
        (_COMPLEX, F64, None, 2, _NATIVE),
        (_COMPLEX, F64, 0.1, 2, _NATIVE),
        (_COMPLEX, F64, 3, 1, _NATIVE),
        (_COMPLEX, F64, np.float64(0.1), 2, _NATIVE),
        (_COMPLEX, F64, np.int64(3), 2, _NATIVE),
        (_COMPLEX, F64, np.array([0.0, 1.0, 3.0]), 2, _NATIVE),
        (_COMPLEX, F64, np.array([0, 1, 3], dtype=np.uint8), 1, _NATIVE),
        (_COMPLEX, F64, np.float32(0.1), 1, _NUMPY),
        (_COMPLEX, F64, np.array([0.0, 1.0, 3.0], dtype=np.float32), 1, _NUMPY),
        (_COMPLEX, F64, np.array([0.0, 1.0, 3.0]) + 0j, 1, _NUMPY),
        (_COMPLEX, F64, 0.5 + 0j, 1, _NUMPY),
        (_COMPLEX, F64, np.int64(2**53 + 1), 1, _NUMPY),  # not exact in float64
        # complex64: float32 spacing, and Python floats as for float32 data.
        (_COMPLEX, F32, np.float32(0.1), 2, _NATIVE),
        (_COMPLEX, F32, np.array([0.0, 1.0, 3.0], dtype=np.float32), 2, _NATIVE),
        (_COMPLEX, F32, 0.1, 2, _NATIVE),
        (_COMPLEX, F32, 7, 2, _NATIVE),
        (_COMPLEX, F32, 1e-3, 2, _WEAK_EDGES),
        (_COMPLEX, F32, 1e-45, 1, _NUMPY),
        (_COMPLEX, F32, np.float64(0.1), 1, _NUMPY),
        (_COMPLEX, F32, np.int64(3), 1, _NUMPY),
        (_COMPLEX, F32, np.array([0.0, 1.0, 3.0]), 1, _NUMPY),
        (_COMPLEX, F32, np.array([0, 1, 3]), 1, _NUMPY),
        # float16: float16 spacing, and Python floats as for float32 data.
        (_HALF, F16, None, 2, _NATIVE),
        (_HALF, F16, np.float16(0.1), 2, _NATIVE),
        (_HALF, F16, np.float16(1e-7), 2, _NATIVE),  # a subnormal np.float16: float16 throughout
        (_HALF, F16, np.array([0.0, 1.0, 3.0], dtype=np.float16), 2, _NATIVE),
        (_HALF, F16, np.array([0.0, 0.5, 1.0], dtype=np.float16), 1, _NATIVE),
        (_HALF, F16, 0.1, 2, _NATIVE),
        (_HALF, F16, 7, 2, _NATIVE),
        (_HALF, F16, 0.3, 1, _NATIVE),
        (_HALF, F16, 0.3, 2, _WEAK_EDGES),  # float16(-1.5/0.3) != float16(-1.5)/float16(0.3)
        (_HALF, F16, 1e-3, 2, _WEAK_EDGES),
        (_HALF, F16, 1e5, 2, _WEAK_EDGES),  # float16(1e5) is inf; float16(-1.5/1e5) is not 0
        (_HALF, F16, 1e-7, 1, _NUMPY),  # float16's subnormal range: float16(2h) checked
        (_HALF, F16, 3e-5, 1, _NUMPY),
        (_HALF, F16, np.float32(0.1), 1, _NUMPY),
        (_HALF, F16, np.float64(0.1), 1, _NUMPY),
        (_HALF, F16, np.int64(3), 1, _NUMPY),
        (_HALF, F16, np.array([0.0, 1.0, 3.0], dtype=np.float32), 1, _NUMPY),
        (_HALF, F16, np.array([0.0, 1.0, 3.0]), 1, _NUMPY),
        (_HALF, F16, np.array([0, 1, 3]), 1, _NUMPY),
        # datetime64 / timedelta64: float64 spacing; integers with numpy's edges.
        (_TIME, F64, None, 1, _NATIVE),
        (_TIME, F64, 0.3, 2, _NATIVE),
        (_TIME, F64, np.float64(0.3), 1, _NATIVE),
        (_TIME, F64, np.array([0.0, 1.0, 3.0]), 2, _NATIVE),
        (_TIME, F64, np.array([0, 1, 3], dtype=np.int16), 1, _NATIVE),
        (_TIME, F64, 3, 1, _INT_EDGES),
        (_TIME, F64, np.int32(3), 1, _INT_EDGES),
        (_TIME, F64, 3, 2, _NATIVE),
        (_TIME, F64, 2**63, 1, _NUMPY),  # numpy's OverflowError
        (_TIME, F64, np.float32(0.3), 1, _NUMPY),
        (_TIME, F64, np.array([0.0, 1.0, 3.0], dtype=np.float32), 1, _NUMPY),
        (_TIME, F64, np.timedelta64(1, "s"), 1, _NUMPY),
        (_TIME, F64, np.arange(3).astype("m8[s]"), 1, _NUMPY),
        (_TIME, F64, True, 1, _NUMPY),
    ],
)
def test_routes(data, ftype, spacing, order, route):
    assert _route(ftype, spacing, order, data)[0] == route


def test_numpy_agrees_here():
    """numpy 2.4.6 on this CPU (x86-64 with FMA) computes every probed case as the crate does,
    so every complex, datetime64 and timedelta64 route above is the crate's."""
    assert _agreement(_COMPLEX) == {"division": True, "products": True}
    assert _agreement(_TIME) == {"time": True}


def test_probe_cases_tell_the_arithmetic_apart():
    """Each probed aspect has cases where another arithmetic gives other bits, so a numpy that
    computes otherwise is caught: a plain `re / d` division, unfused array products, fused
    scalar products, a saturating float-to-count cast."""
    cases = list(_probe_cases(_COMPLEX))
    for ftype in (np.float64, np.float32):
        # numpy's division is a multiplication by 1/d: a plain division differs somewhere.
        differs = False
        for aspect, f, h, axis, order, numpy_h in cases:
            if aspect != "division" or f.dtype.type(0).real.dtype != ftype or h == 0.0:
                continue
            want = numpy_quiet(f, numpy_h, axis=axis, edge_order=order)
            with np.errstate(all="ignore"):
                d = np.diff(f, axis=axis).real
                plain = d / ftype(h)
            edge = np.take(want.real, [0], axis=axis)
            ok = ~np.isnan(edge) & ~np.isnan(np.take(plain, [0], axis=axis))
            differs |= bool(np.any(edge[ok] != np.take(plain, [0], axis=axis)[ok]))
        assert differs, ftype
    products = [c for c in cases if c[0] == "products"]
    assert len(products) == 10
    for aspect, f, h, axis, order, numpy_h in products:
        want = numpy_quiet(f, numpy_h, axis=axis, edge_order=order)
        part = want.imag if np.all(np.abs(f.imag) < 1e-30) else want.real
        if order == 2:
            # Every edge term is a negative underflow: -0 only if numpy fuses the products,
            # which it does for arrays (2-D), not for the numpy scalars of a 1-D input.
            edges = np.take(part, [0, -1], axis=axis)
            assert np.all(edges == 0)
            assert np.all(np.signbit(edges)) == (f.ndim == 2), (f.dtype, f.ndim)
        else:
            # Coordinates: the interior point 1's three terms are negative underflows (fused).
            assert part[1] == 0 and np.signbit(part[1])
    for aspect, f, h, axis, order, numpy_h in _probe_cases(_TIME):
        if h == 0.25 and f.ndim == 1:
            # Products beyond int64 are NaT here, where a saturating cast gives +-(2**63 - 1).
            got = numpy_quiet(f, numpy_h, axis=axis, edge_order=order).view(np.int64)
            assert got[0] == NAT and f.view(np.int64)[0] != NAT
            assert not np.any(np.abs(got[got != NAT]) == np.iinfo(np.int64).max)


def test_agreement_routes_to_numpy_when_numpy_computes_otherwise():
    """A numpy whose products or time casts differ (a CPU without FMA, another release) makes
    those calls numpy's: here simulated by the check's outcome."""
    f = complex_sample(np.complex128, (6,))
    t = counts_sample("M8[s]", (6,))
    with mock.patch.object(numgrad, "_agreement",
                           lambda data: {"division": True, "products": False, "time": False}):
        assert _route(F64, 0.5, 1, _COMPLEX)[0] == _NATIVE  # divisions only
        assert _route(F64, 0.5, 2, _COMPLEX)[0] == _NUMPY
        assert _route(F64, np.arange(6.0) ** 2, 1, _COMPLEX)[0] == _NUMPY
        assert _route(F64, 0.5, 1, _TIME)[0] == _NUMPY
        assert same_results(numgrad.gradient(f, 0.5, edge_order=2),
                            np.gradient(f, 0.5, edge_order=2))
        assert same_results(numgrad.gradient(t, 0.5), np.gradient(t, 0.5))
    with mock.patch.object(numgrad, "_agreement",
                           lambda data: {"division": False, "products": True}):
        assert _route(F64, 0.5, 1, _COMPLEX)[0] == _NUMPY


def layouts(f):
    """The same values in several layouts (views)."""
    yield "C", f
    yield "F", np.asfortranarray(f)
    big = np.zeros(tuple(2 * n for n in f.shape), f.dtype)
    big[::2, ::2] = f
    yield "stepped", big[::2, ::2]
    yield "broadcast", np.broadcast_to(f[:1], f.shape)
    rev = np.empty_like(f)
    rev[::-1, ::-1] = f
    yield "reversed", rev[::-1, ::-1]
    raw = np.zeros(f.nbytes + 1, np.uint8)
    unaligned = np.ndarray(f.shape, f.dtype, buffer=raw, offset=1)
    unaligned[...] = f
    yield "unaligned", unaligned


CALLS = [
    ((), {}),
    ((0.7,), {"edge_order": 2}),
    ((np.float64(-2.5), 3), {"edge_order": 1}),
    ((np.array([0.0, 0.5, 2.0, 2.25, 4.0, 7.0]), np.arange(5) * 3), {"edge_order": 2}),
    ((1.5,), {"axis": -1}),
]


@pytest.mark.parametrize("dtype", ["c16", "c8", "M8[ms]", "m8[D]"])
@pytest.mark.parametrize("args, kw", CALLS)
def test_crate_computes_these_calls(dtype, args, kw):
    """Every layout, without np.gradient, numpy's bits (complex64 data with float32 spacing)."""
    if dtype[0] == "c":
        f = complex_sample(dtype, (6, 5))
        if dtype == "c8":
            args = tuple(np.float32(a) if np.ndim(a) == 0 else a.astype(np.float32)
                         for a in args)
    else:
        f = counts_sample(dtype, (6, 5))
    for name, g in layouts(f):
        want = numpy_quiet(g, *args, **kw)
        reversed_c8 = dtype == "c8" and name == "reversed" and (
            kw.get("edge_order") == 2 or any(np.ndim(a) == 1 for a in args))
        got = (numgrad.gradient if reversed_c8 else crate_only)(g, *args, **kw)
        assert same_results(got, want), (dtype, name)


def test_complex64_negative_strides_go_to_numpy():
    """numpy's complex64 products through a negative stride are not fused: the same values laid
    out backwards give other bits (the sign of an underflowing product's zero), which the crate
    does not follow; such calls with products are numpy's, the others the crate's."""
    tiny = np.finfo(np.float32).smallest_subnormal
    f = np.empty(6, np.complex64)
    f.real = np.arange(1, 7)
    f.imag = tiny * np.array([1, -1, -1, 1, 1, -1], np.float32)
    rev = np.empty_like(f)
    rev[::-1] = f
    rev = rev[::-1]
    assert np.array_equal(rev.view(np.uint64), f.view(np.uint64))  # the same values
    x = np.array([0.0, 4.0, 9.0, 13.0, 18.0, 22.0], np.float32)
    forward, backward = numpy_quiet(f, x), numpy_quiet(rev, x)
    assert not same_bits(forward, backward)  # numpy's own layout dependence
    assert same_bits(crate_only(f, x), forward)
    assert same_bits(numgrad.gradient(rev, x), backward)
    assert not numgrad._products_fused(rev) and numgrad._products_fused(f)
    # Without products (uniform spacing, first-order edges): divisions only, the crate's.
    assert same_bits(crate_only(rev, np.float32(4.0)), numpy_quiet(rev, np.float32(4.0)))
    # complex128 fuses through negative strides too: the crate's.
    f16, rev16 = f.astype(np.complex128), rev.astype(np.complex128)[::-1][::-1]
    f16.imag = rev16.imag = 5e-324 * np.array([1, -1, -1, 1, 1, -1])
    rev16 = np.ascontiguousarray(rev16[::-1])[::-1]
    x16 = x.astype(np.float64)
    assert rev16.strides[0] < 0 and numgrad._products_fused(rev16)
    assert same_bits(crate_only(rev16, x16), numpy_quiet(rev16, x16))
    assert same_bits(numpy_quiet(rev16, x16), numpy_quiet(f16, x16))


@pytest.mark.parametrize("dtype", ["M8[s]", "m8[us]"])
@pytest.mark.parametrize("h", [3, -7, np.int64(3), np.int8(-2), np.uint64(5), 0])
def test_integer_spacing_first_order_edges(dtype, h):
    """numpy divides the first-order edges by an integer spacing as integers (truncating the
    exact quotient); the crate divides in float64, which differs for differences beyond 2**53.
    The kernel computes the rest and numpy's expressions the two edge planes."""
    f = np.array([[0, 2**62 - 1, 5, -(2**62), 9, 2**60 + 1],
                  [3, NAT, 1, 2**53 + 3, 2, -(2**61) - 1]], np.int64).T.copy().view(dtype)
    for axis in (0, 1, None):
        want = numpy_quiet(f, h, axis=axis)
        assert same_results(crate_only(f, h, axis=axis), want)
    # The case is real: the float64 quotient of 2**62 - 1 by 3 is not numpy's.
    if h == 3:
        edge = numpy_quiet(f, h, axis=0)[:1, 0].view(np.int64)[0]
        assert edge == (2**62 - 1) // 3 != int((2**62 - 1) / 3.0)
        assert numgrad._route(F64, h, 1, _TIME)[0] == _INT_EDGES


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, on its way to the exception
@pytest.mark.parametrize("dtype", ["f8", "f4", "f2", "c16", "c8", "M8[s]", "m8[s]"])
def test_numpy_exceptions_in_numpys_order(dtype):
    """Python's own errors on a Python scalar spacing (ZeroDivisionError from `-1.5 / 0` with
    second-order edges, OverflowError from `2. * h`) and an axis's numpy error come where numpy
    raises them: before a later axis's length check."""
    f = np.zeros((4, 1)).astype(dtype)
    for h in (0.0, 0, -0.0):
        with pytest.raises(ZeroDivisionError):
            np.gradient(f[:, :1].repeat(3, 1), h, edge_order=2)
        with pytest.raises(ZeroDivisionError):
            numgrad.gradient(f[:, :1].repeat(3, 1), h, edge_order=2)
        # Axis 0 raises before axis 1's length check (1 point).
        with pytest.raises(ZeroDivisionError):
            np.gradient(f, h, edge_order=2)
        with pytest.raises(ZeroDivisionError):
            numgrad.gradient(f, h, edge_order=2)
    with pytest.raises(OverflowError):
        np.gradient(f, 10**400)
    with pytest.raises(OverflowError):
        numgrad.gradient(f, 10**400)
    # A numpy-routed axis's TypeError (a timedelta spacing) before axis 1's length check.
    bad = 1j if dtype[0] in "mM" else np.timedelta64(1, "s")
    with pytest.raises(TypeError):
        np.gradient(f, bad, 1.0, edge_order=2)
    with pytest.raises(TypeError):
        numgrad.gradient(f, bad, 1.0, edge_order=2)
    # A zero NumPy scalar is no Python error: inf/NaN, as numpy (silently here).
    g = np.arange(5.0).astype(dtype)
    assert same_results(numgrad.gradient(g, np.float64(0.0), edge_order=2),
                        numpy_quiet(g, np.float64(0.0), edge_order=2))


def test_generic_and_multiple_units():
    for f in [np.array(["NaT", "NaT", "NaT"], "M8"), np.array([1, 2, 4], "m8"),
              np.array([1, 2, 4, 9], "M8[10s]"), np.array([1, 2, 4, 9], "m8[3W]")]:
        for kw in ({}, {"edge_order": 2}):
            want = numpy_quiet(f, 0.3, **kw)
            got = crate_only(f, 0.3, **kw)
            assert got.dtype == want.dtype and same_bits(got, want), f.dtype


@pytest.mark.parametrize("dtype", ["c16", "c8", "f2", "M8[D]", "m8[s]"])
def test_out_written_in_place(dtype):
    if dtype == "f2":
        f = half_sample((8, 9), 1)
    else:
        f = (complex_sample(dtype, (8, 9), 1) if dtype[0] == "c"
             else counts_sample(dtype, (8, 9), 1))
    otype = np.dtype(f.dtype.name.replace("datetime", "timedelta"))
    big = np.zeros((16, 9), otype)
    o0 = big[::2]  # stepped
    o1 = np.zeros((9, 8), otype).T  # Fortran order
    got = crate_only(f, out=(o0, o1))
    assert got[0] is o0 and got[1] is o1
    assert same_results((o0, o1), numpy_quiet(f))
    assert np.all(big[1::2].view(np.uint8) == 0)  # nothing written between the rows
    # Misaligned: computed into a scratch array, copied in.
    raw = np.zeros(f[0].nbytes + 1, np.uint8)
    o = np.ndarray(f[0].shape, otype, buffer=raw, offset=1)
    assert not o.flags.aligned
    assert crate_only(f[0], out=o) is o
    assert same_bits(o, numpy_quiet(f[0]))
    # Interleaved with the input (disjoint): through a scratch array too.
    both = np.zeros((2 * 9,), f.dtype)
    both[::2] = f[0]
    o = both[1::2].view(otype)
    assert crate_only(both[::2], out=o) is o
    assert same_bits(o, numpy_quiet(f[0]))
    assert same_bits(both[::2], f[0])


@pytest.mark.parametrize(
    "f, out, error",
    [
        (np.zeros(5, "c16"), np.zeros(5, "c8"), TypeError),
        (np.zeros(5, "c16"), np.zeros(5, "f8"), TypeError),
        (np.zeros(5, "c8"), np.zeros(5, "c16"), TypeError),
        (np.zeros(5, "c16"), np.zeros(5, ">c16"), TypeError),
        (np.zeros(5, "M8[D]"), np.zeros(5, "M8[D]"), TypeError),  # numpy's: timedelta64[D]
        (np.zeros(5, "M8[D]"), np.zeros(5, "m8[s]"), TypeError),
        (np.zeros(5, "m8[D]"), np.zeros(5, "i8"), TypeError),
        (np.zeros(5, "m8[D]"), np.zeros(6, "m8[D]"), ValueError),
        (np.zeros(5, "f2"), np.zeros(5, "f4"), TypeError),
        (np.zeros(5, "f2"), np.zeros(5, "f8"), TypeError),
        (np.zeros(5, "f2"), np.zeros(5, ">f2"), TypeError),
    ],
)
def test_out_dtype_is_numpys_result_dtype(f, out, error):
    before = out.copy()
    with pytest.raises(error):
        numgrad.gradient(f, out=out)
    assert same_bits(out, before)


def test_dask_takes_these_dtypes_and_refuses_what_numpy_computes():
    """numgrad.dask on the crate's block API of the value types, in-process (the cluster
    tests are in test_dask.py): np.gradient's bits and dtype for each, chunks of 1 to 3; a
    spacing numgrad.gradient hands to numpy raises NotImplementedError."""
    import dask.array as da

    import numgrad.dask

    for x in (np.arange(6.0) ** 2 + 1j, (np.arange(6.0) ** 2 + 1j).astype("c8"),
              np.arange(6.0, dtype="f2") ** 2, (np.arange(6) ** 2).astype("M8[D]"),
              (np.arange(6) ** 2).astype("m8[s]")):
        for chunks in (1, 2, 3):
            for edge_order in (1, 2):
                got = numgrad.dask.gradient(da.from_array(x, chunks=chunks),
                                            edge_order=edge_order)
                want = np.gradient(x, edge_order=edge_order)
                assert same_bits(got.compute(scheduler="synchronous"), want), (x.dtype, chunks)
    with pytest.raises(NotImplementedError, match="convert the data or the spacing"):
        numgrad.dask.gradient(da.from_array(np.arange(6.0, dtype="f2"), chunks=3),
                              np.float32(0.5))


HALF_CALLS = [
    ((), {}),
    ((), {"edge_order": 2}),
    ((np.float16(0.7),), {"edge_order": 2}),
    ((np.float16(-2.5), np.float16(1e-3)), {"edge_order": 1}),
    ((0.1,), {"edge_order": 2}),
    ((0.3,), {"edge_order": 2}),  # the kernel and numpy's edge expressions
    ((1e-3,), {"edge_order": 1}),
    ((3,), {"edge_order": 2}),
    ((np.array([0.0, 0.5, 2.0, 2.25, 4.0, 7.0], np.float16),
      np.arange(5, dtype=np.float16) * np.float16(0.3)), {"edge_order": 2}),
    ((np.array([0.0, 0.1, 0.3, 0.35, 0.6, 1.0], np.float16), 0.3), {"edge_order": 1}),
    ((np.float16(1.5),), {"axis": -1}),
    ((0.3,), {"axis": 0, "edge_order": 2}),
]


@pytest.mark.parametrize("args, kw", HALF_CALLS)
def test_float16_crate_computes_these_calls(args, kw):
    """float16 data with float16 spacing or Python floats: every layout, without np.gradient,
    numpy's bits and dtype."""
    f = half_sample((6, 5), 3)
    f[0, 0], f[1, 1], f[2, 2], f[3, 3] = np.inf, np.nan, -0.0, 65504.0
    f[4, 4], f[5, 0], f[2, 1] = 6e-8, -65504.0, -6e-8
    for name, g in layouts(f):
        want = numpy_quiet(g, *args, **kw)
        got = crate_only(g, *args, **kw)
        assert same_results(got, want), name
        assert all(r.dtype == np.float16 for r in (got if isinstance(got, tuple) else (got,)))


@pytest.mark.parametrize("h", [np.float16(1.0), np.float16(0.1), np.float16(6e-8),
                               np.float16(65504.0), np.float16(-0.0), np.float16(np.inf),
                               1.0, 0.1, 0.3, 1e-3, 65504.0, 1e5, -0.0, np.nan])
@pytest.mark.parametrize("edge_order", [1, 2])
def test_float16_special_values(h, edge_order):
    """float16 specials in the data and the spacing: overflow of differences and sums beyond
    65504 to inf, subnormal differences and quotients, signed zeros, inf and NaN, a zero or
    infinite spacing; 1-D (numpy's float16 scalars at the edges) and 2-D."""
    if edge_order == 2 and type(h) is float and h == 0.0:
        return  # numpy's ZeroDivisionError (test_numpy_exceptions_in_numpys_order)
    f = np.array([0.0, -0.0, 65504.0, -65504.0, 6e-8, -6e-8, 1.2e-7, 3e-5, np.inf, 1.0,
                  np.nan, 2.0, -np.inf, 6.1e-5, 0.0, 65504.0, 65504.0, 1e-3], np.float16)
    for g in (f, f.reshape(3, 6), f.reshape(6, 3).T):
        want = numpy_quiet(g, h, edge_order=edge_order)
        assert same_results(crate_only(g, h, edge_order=edge_order), want)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's own, from its float16 casts
@pytest.mark.parametrize("h", [1e-7, 3e-5, 2e-5, 6e-5, 4e-8])
def test_float16_subnormal_python_spacing_goes_to_numpy(h):
    """A Python float in float16's subnormal range: numpy's float16(2h) is not
    2 * float16(h), so numpy computes the call (and numgrad.gradient has its bits)."""
    h16 = np.float16(h)
    assert np.float16(2 * h) != np.float16(2) * h16
    assert _route(F16, h, 1, _HALF)[0] == _NUMPY
    f = half_sample((7,), 5)
    for edge_order in (1, 2):
        assert same_bits(numgrad.gradient(f, h, edge_order=edge_order),
                         numpy_quiet(f, h, edge_order=edge_order))
        # The crate with np.float16(h) computes numpy's np.float16(h) call instead.
        assert same_bits(crate_only(f, h16, edge_order=edge_order),
                         numpy_quiet(f, h16, edge_order=edge_order))


def test_float16_mixed_precision_goes_to_numpy():
    """float32/float64 spacing or coordinates (and integer coordinates, which numpy converts to
    float64) with float16 data: numpy computes in the wider type and rounds the results to
    float16; the crate does not offer that mixed precision, so numpy computes these."""
    f = half_sample((6,), 7)
    x = np.array([0.0, 0.1, 0.3, 0.35, 0.6, 1.0])
    for h in (np.float32(0.1), np.float64(0.1), np.int64(3), x, x.astype(np.float32),
              np.array([0, 1, 3, 4, 6, 9])):
        for edge_order in (1, 2):
            want = numpy_quiet(f, h, edge_order=edge_order)
            assert want.dtype == np.float16
            assert same_bits(numgrad.gradient(f, h, edge_order=edge_order), want)
    # And they do differ from the crate's all-float16 computation.
    assert not same_bits(numpy_quiet(f, x), numpy_quiet(f, x.astype(np.float16)))


def test_float16_python_float_edges_differ_from_float16_spacing():
    """The case _weak_edges exists for: with h = 0.3 numpy's second-order edge coefficients are
    rounded once from float64, not computed in float16, and the edges differ from those with
    np.float16(0.3); numgrad has numpy's bits for each, without np.gradient."""
    f = (np.sqrt(np.arange(1.0, 10.0)) * 3.7).astype(np.float16)
    weak, narrow = numpy_quiet(f, 0.3, edge_order=2), numpy_quiet(f, np.float16(0.3), edge_order=2)
    assert same_bits(weak[1:-1], narrow[1:-1]) and not same_bits(weak, narrow)
    assert same_bits(crate_only(f, 0.3, edge_order=2), weak)
    assert same_bits(crate_only(f, np.float16(0.3), edge_order=2), narrow)
