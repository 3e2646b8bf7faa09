"""numgrad.gradient against np.gradient, bit for bit (NaN- and NaT-aware), for the dtypes the
crate computes with an arithmetic of their own (``gradient_values``): complex128, complex64,
float16, datetime64 and timedelta64. Random shapes, units, axes, layouts (reversed, stepped,
transposed views), spacings (none; scalars of each Python and numpy type, special values among them;
coordinates uneven, evenly spaced, integer, evenly spaced on part of the axis), both edge orders,
and values with specials (signed zeros, infinities, NaN, subnormals, products that underflow,
float16's overflow at 65520, NaT, counts whose differences wrap or whose products leave int64).

Each example also knows, from this file's own list of what the crate must compute (not from
numgrad's routing), whether the call may fall back to numpy; when it may not, numgrad.gradient
runs with ``np.gradient`` replaced by a function that raises, so an example that passes
computed every axis on the crate (or with numpy's edge expressions, never ``np.gradient``)."""

import contextlib
import warnings
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import numgrad
from numgrad import _COMPLEX, _TIME, _agreement
from support import same_results

NAT = np.iinfo(np.int64).min
TOP = np.iinfo(np.int64).max

# Special components per precision: signed zeros, infinities, NaN, the smallest subnormal and
# other tiny values (their products with the weights underflow: signed zeros that show how
# numpy's products are formed), huge values whose differences overflow.
COMPONENTS = {
    np.float64: [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e-320, -2.5e-310,
                 1e308, -1.7e308, 1.0, -3.5],
    np.float32: [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3e-44, -3e-39, 3e38,
                 -3.3e38, 1.0, -3.5],
    # float16: its smallest subnormal (6e-8) and others, its largest finite value (65504, whose
    # differences and sums overflow), the least normal.
    np.float16: [0.0, -0.0, np.inf, -np.inf, np.nan, 6e-8, -6e-8, 1.2e-7, -3e-5, 6.1e-5,
                 65504.0, -65504.0, 6e4, 1.0, -3.5],
}
# Counts that matter: NaT, the edges of exact float64 conversion, the wrap points.
COUNTS = [NAT, 2**53, 2**53 + 1, -(2**53) - 1, 2**62, -(2**62), TOP, -TOP, 0, 1, -1, 7]
UNITS = ["s", "D", "ms", "ns", "h", "10s"]


def component_type(dtype):
    return np.float32 if dtype == np.complex64 else np.float64


def narrow(family):
    """The float type of a family whose spacing is narrower than float64, else None."""
    return {"complex64": np.float32, "float16": np.float16}.get(family)


@st.composite
def samples(draw, family):
    """An array of one of the family's dtypes (often a view: negative and stepped strides,
    transposed)."""
    if family == "complex128":
        dtype = np.dtype(np.complex128)
    elif family == "complex64":
        dtype = np.dtype(np.complex64)
    elif family == "float16":
        dtype = np.dtype(np.float16)
    else:
        kind = "M8" if family == "datetime64" else "m8"
        dtype = np.dtype(f"{kind}[{draw(st.sampled_from(UNITS))}]")
    rank = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(1, 7), min_size=rank, max_size=rank))
    steps = [draw(st.sampled_from([1, 1, 2, -1, -2, 3])) for _ in shape]
    base_shape = [n * abs(s) + draw(st.integers(0, 2)) for n, s in zip(shape, steps)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = int(np.prod(base_shape))
    special = draw(st.sampled_from([0.0, 0.1, 0.3, 0.7]))
    if dtype.kind == "c":
        ft = component_type(dtype)
        parts = []
        for _ in range(2):
            scale = 10.0 ** rng.integers(-3, 4, size=size)
            if draw(st.booleans()):
                scale = scale * draw(st.sampled_from([1e-300, 1e300, 1e-40, 1e30]))
            values = rng.standard_normal(size) * scale
            mask = rng.random(size) < special
            values[mask] = rng.choice(COMPONENTS[ft], size=int(mask.sum()))
            with np.errstate(all="ignore"):
                parts.append(values.astype(ft))
        base = np.empty(size, dtype)
        base.real, base.imag = parts
    elif dtype == np.float16:
        # Values of every float16 scale: subnormals, normals near 1, near the overflow.
        scale = 10.0 ** rng.integers(-3, 4, size=size)
        if draw(st.booleans()):
            scale = scale * draw(st.sampled_from([1e-5, 1e-8, 10.0, 1e3]))
        values = rng.standard_normal(size) * scale
        mask = rng.random(size) < special
        values[mask] = rng.choice(COMPONENTS[np.float16], size=int(mask.sum()))
        with np.errstate(all="ignore"):
            base = values.astype(np.float16)
    else:
        magnitude = draw(st.sampled_from([10, 10**6, 10**12, 10**17, 2**53, 2**62]))
        counts = rng.integers(-magnitude, magnitude, size=size, endpoint=True, dtype=np.int64)
        mask = rng.random(size) < special
        counts[mask] = rng.choice(np.array(COUNTS, dtype=np.int64), size=int(mask.sum()))
        base = counts.view(dtype)
    base = base.reshape(base_shape)
    view = base[tuple(slice(None, n * abs(s), s) if s > 0 else slice(None, None, s)
                      for n, s in zip(shape, steps))]
    view = view[tuple(slice(0, n) for n in shape)]
    if draw(st.integers(0, 9)) == 0:
        # A zero stride: one plane broadcast along an axis (a read-only view).
        a = draw(st.integers(0, rank - 1))
        view = np.broadcast_to(view[tuple(slice(0, 1) if k == a else slice(None)
                                          for k in range(rank))], view.shape)
    if rank > 1 and draw(st.booleans()):
        view = view.transpose(draw(st.permutations(range(rank))))
    return view


# Scalar spacings per family: (value, whether the crate must compute it). Python floats and
# ints, numpy scalars of the spacing type, special values; and spacings numpy computes in
# another precision or type (float32 for complex128 and time data, float64 for complex64,
# complex, timedelta64), which may go to numpy.
FLOATS64 = [1.0, 0.5, 0.1, 3.0, -2.5, 1e-3, 7.0 / 3.0, 0.0, -0.0, np.inf, -np.inf, np.nan,
            1e300, 1e-300, 5e-324]
FLOATS32 = [1.0, 0.5, 0.1, 3.0, -2.5, 1e-3, 7.0 / 3.0, 0.0, -0.0, np.inf, -np.inf, np.nan,
            3e38, 1.2e-38]
# float16: its overflow (65504 the largest finite, 1e5 beyond: an inf spacing), the values
# whose second-order coefficients numpy rounds once from float64 (0.3, 1e-3, 7/3), normal
# spacings near the least normal (6.2e-5).
FLOATS16 = [1.0, 0.5, 0.1, 0.3, 3.0, -2.5, 1e-3, 7.0 / 3.0, 0.0, -0.0, np.inf, -np.inf, np.nan,
            65504.0, 1e5, 6.2e-5, -1e4]
# Integers exact in float64, and one that is not (numpy rounds a Python int as float() does).
EXACT_INTS = [1, 3, -2, 0, 7, 2**40]
INTS = EXACT_INTS + [2**53 + 1]


def scalar(draw, family):
    if family == "complex128":
        kind = draw(st.sampled_from(["float", "int", "f64", "i64", "f32", "complex"]))
        pool = FLOATS64
    elif family == "complex64":
        kind = draw(st.sampled_from(["float", "int", "f32", "f64", "i64", "subnormal"]))
        pool = FLOATS32
    elif family == "float16":
        kind = draw(st.sampled_from(["float", "int", "f16", "f16", "f32", "f64", "i64",
                                     "subnormal"]))
        pool = FLOATS16
    else:
        kind = draw(st.sampled_from(["float", "int", "f64", "i64", "i8", "f32", "td"]))
        pool = FLOATS64
    h = draw(st.sampled_from(pool))
    i = draw(st.sampled_from(INTS))
    if kind == "float":
        return h, True
    if kind == "int":
        return i, True
    if kind == "f64":
        return np.float64(h), narrow(family) is None
    if kind == "f32":
        with np.errstate(over="ignore"):
            return np.float32(h), family == "complex64"
    if kind == "f16":
        with np.errstate(over="ignore"):
            return np.float16(h), True
    if kind == "i64":
        # complex64, float16: numpy divides by an int64 in float64 (mixed precision).
        # complex128: an int64 that float64 rounds is numpy's (the crate takes a float spacing).
        if family == "complex128":
            return np.int64(i), i in EXACT_INTS
        return np.int64(i), narrow(family) is None
    if kind == "i8":
        return np.int8(draw(st.sampled_from([1, 3, -2, 0, 127]))), True
    if kind == "subnormal":
        # float32(2h) != 2 * float32(h): numpy's `2.*h` rounds once, from float64 (float16:
        # spacings in its subnormal range, below 6.1e-5).
        if family == "float16":
            return draw(st.sampled_from([1e-7, 3e-5, 1e-6, 6e-8, 2e-5, 6e-5, 4e-8])), False
        return draw(st.sampled_from([1e-40, 1e-45, 3e-45])), False
    if kind == "complex":
        return complex(h, 0.5), False
    return np.timedelta64(draw(st.sampled_from([1, 3, -2])), "s"), False


def coordinates(draw, family, n):
    """A coordinate array of ``n`` points and whether the crate must compute it."""
    f32 = narrow(family) is not None  # float32 or float16 coordinates
    ft = narrow(family) or np.float64
    kind = draw(st.sampled_from(["uneven", "even", "int", "even-int", "even-one-part", "other",
                                 "special"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "uneven":
        scale = draw(st.sampled_from([1.0, 1e-3, 1e3, 1e-30, 1e-6]))
        return ((np.cumsum(rng.random(n) + 0.01) - 1.0) * scale).astype(ft), True
    if kind == "even":
        step = ft(draw(st.sampled_from([0.1, 0.25, 1.0, -0.3, 1e-20])))
        return np.arange(n, dtype=ft) * step + ft(draw(st.sampled_from([0.0, -2.0]))), True
    if kind in ("int", "even-int"):
        # numpy converts integer coordinates to float64: float32/float16 data mixes precisions.
        x = (np.cumsum(rng.integers(1, 5, size=n)) if kind == "int"
             else np.arange(n) * 3 - 2).astype(draw(st.sampled_from(["i2", "i8", "u1"])))
        return x, not f32
    if kind == "even-one-part":
        x = np.arange(n, dtype=ft) * ft(0.5)
        if n > 3:
            x[-1] += ft(0.125)
        return x, True
    if kind == "special":
        # Repeated points (zero steps), a NaN coordinate.
        x = np.arange(n, dtype=ft)
        if n > 2:
            x[1] = x[draw(st.sampled_from([0, 2]))] if draw(st.booleans()) else ft(np.nan)
        return x, True
    # Another precision or type: float32 for float64-spaced data, float64 for complex64,
    # float32 or float64 for float16, complex, timedelta64.
    other = draw(st.sampled_from(["precision", "complex", "td"]))
    x = np.cumsum(rng.random(n) + 0.01)
    if other == "precision":
        if family == "float16":
            return x.astype(draw(st.sampled_from([np.float32, np.float64]))), False
        return x.astype(np.float64 if f32 else np.float32), False
    if other == "complex":
        return x + 0.5j, False
    return np.arange(n).astype("m8[s]"), False


@st.composite
def calls(draw, family):
    """``(f, varargs, axis, edge_order, must_be_native)``."""
    f = draw(samples(family))
    rank = f.ndim
    axis_kind = draw(st.sampled_from(["none", "one", "tuple"]))
    if axis_kind == "none":
        axis, axes = None, list(range(rank))
    elif axis_kind == "one":
        a = draw(st.integers(-rank, rank - 1))
        axis, axes = a, [a % rank]
    else:
        axes = draw(st.permutations(range(rank)))[: draw(st.integers(1, rank))]
        axis = tuple(a - rank if draw(st.booleans()) else a for a in axes)
    spacing_kind = draw(st.sampled_from(["none", "scalar", "per-axis"]))
    native = True
    if spacing_kind == "none":
        varargs = ()
    elif spacing_kind == "scalar":
        h, native = scalar(draw, family)
        varargs = (h,)
    else:
        varargs = []
        for a in axes:
            if f.shape[a] > 1 and draw(st.booleans()):
                x, ok = coordinates(draw, family, f.shape[a])
            else:
                x, ok = scalar(draw, family)
            varargs.append(x)
            native = native and ok
        varargs = tuple(varargs)
    edge_order = draw(st.sampled_from([1, 2]))
    # numpy's complex64 products through a negative stride are not fused (its scalar loop):
    # such calls with products (second-order edges, coordinates) are numpy's.
    products = edge_order == 2 or any(np.ndim(x) == 1 for x in varargs)
    if family == "complex64" and products and any(s < 0 for s in f.strides):
        native = False
    return f, varargs, axis, edge_order, native


def outcome(fn, f, varargs, axis, edge_order, **kw):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(f, *varargs, axis=axis, edge_order=edge_order, **kw), None
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return None, type(e)


def no_numpy_gradient(*args, **kwargs):
    raise AssertionError("np.gradient called for a case the crate computes")


def check(call):
    f, varargs, axis, edge_order, native = call
    want, want_error = outcome(np.gradient, f, varargs, axis, edge_order)
    # Shown by --hypothesis-show-statistics: how many examples compared values on the crate.
    event("numpy raises" if want_error else "crate" if native else "may fall back")
    if native and want_error is None:
        # The crate's own route: np.gradient must not be called.
        with mock.patch.object(np, "gradient", no_numpy_gradient):
            got, got_error = outcome(numgrad.gradient, f, varargs, axis, edge_order)
    else:
        got, got_error = outcome(numgrad.gradient, f, varargs, axis, edge_order)
    assert got_error is want_error, (got_error, want_error)
    if want_error is None:
        assert same_results(got, want)


@pytest.fixture(autouse=True, scope="module")
def numpy_agrees():
    """The one-time check of numpy's arithmetic runs before np.gradient is replaced, and finds
    numpy 2.4 on this CPU computing as the crate does (so every listed case is the crate's)."""
    assert _agreement(_COMPLEX) == {"division": True, "products": True}
    assert _agreement(_TIME) == {"time": True}


@given(calls("complex128"))
def test_complex128_same_bits_as_numpy(call):
    check(call)


@given(calls("complex64"))
def test_complex64_same_bits_as_numpy(call):
    check(call)


@given(calls("datetime64"))
def test_datetime64_same_bits_as_numpy(call):
    check(call)


@given(calls("timedelta64"))
def test_timedelta64_same_bits_as_numpy(call):
    check(call)


@given(calls("float16"))
def test_float16_same_bits_as_numpy(call):
    check(call)


@given(st.sampled_from(["complex128", "complex64", "float16", "datetime64", "timedelta64"])
       .flatmap(calls))
def test_out_gets_the_same_bits(call):
    """out= arrays of any layout (C, Fortran, stepped, reversed) of numpy's result dtype hold
    what numpy returns, written by the crate where it computes the call."""
    f, varargs, axis, edge_order, native = call
    want, want_error = outcome(np.gradient, f, varargs, axis, edge_order)
    assume(want_error is None)
    wants = want if isinstance(want, tuple) else (want,)
    outs = []
    for k, w in enumerate(wants):
        fill = (np.zeros(1, w.dtype) if w.dtype.kind == "m" else np.full(1, 12345.0, w.dtype)
                if w.dtype.kind == "f" else np.full(1, 12345.0 - 3j, w.dtype))
        big = np.broadcast_to(fill, tuple(2 * n for n in f.shape)).copy()
        layout = k % 3
        if layout == 0:
            o = big[tuple(slice(None, None, 2) for _ in f.shape)]
        elif layout == 1:
            o = np.asfortranarray(np.zeros(f.shape, w.dtype))
        else:
            o = big[tuple(slice(None, None, -2) for _ in f.shape)]
        outs.append(o)
    guard = mock.patch.object(np, "gradient", no_numpy_gradient) if native else None
    with guard or contextlib.nullcontext():
        got, error = outcome(numgrad.gradient, f, varargs, axis, edge_order, out=tuple(outs))
    assert error is None, error
    got = got if isinstance(got, tuple) else (got,)
    assert all(g is o for g, o in zip(got, outs))
    assert same_results(tuple(outs), tuple(wants))
