"""numgrad.gradient against np.gradient, bit for bit (NaN-aware), on random arrays, views
(negative, stepped, transposed), dtypes, axes, spacings (none, one scalar of each Python and
numpy type, per axis: scalars and coordinates, uneven, evenly spaced, integer, float32) and edge
orders. When numpy raises, numgrad must raise the same exception type (except the documented
deliberate differences, which the strategies avoid and test_numpy_testgradient checks)."""

import warnings

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import numgrad
from support import same_results

SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -2.2e-308, 1e-45, 3.4e38, 1e308, -1e308]
DTYPES = ["f8", "f4", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "c16", ">f8", "?"]


@st.composite
def data(draw):
    """An array (often a view: negative and stepped strides, transposed) and its dtype."""
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    rank = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(1, 7), min_size=rank, max_size=rank))
    steps = [draw(st.sampled_from([1, 1, 2, -1, -2, 3])) for _ in shape]
    base_shape = [n * abs(s) + draw(st.integers(0, 2)) for n, s in zip(shape, steps)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = int(np.prod(base_shape))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        base = rng.integers(info.min, info.max, size=size, endpoint=True, dtype=dtype)
    elif dtype.kind == "b":
        base = rng.integers(0, 2, size=size).astype(bool)
    else:
        values = rng.standard_normal(size) * 10.0 ** rng.integers(-3, 4, size=size)
        special = rng.random(size) < draw(st.sampled_from([0.0, 0.1, 0.3]))
        values[special] = rng.choice(SPECIAL, size=int(special.sum()))
        with np.errstate(all="ignore"):
            base = values.astype(dtype)
        if dtype.kind == "c":
            base = base + 1j * rng.standard_normal(size)
    base = base.reshape(base_shape)
    view = base[tuple(slice(None, n * abs(s), s) if s > 0 else slice(None, None, s)
                      for n, s in zip(shape, steps))]
    view = view[tuple(slice(0, n) for n in shape)]
    if rank > 1 and draw(st.booleans()):
        view = view.transpose(draw(st.permutations(range(rank))))
    return view


def scalar(draw):
    h = draw(st.sampled_from([1.0, 0.5, 0.1, 3.0, -2.5, 1e-3, 7.0 / 3.0]))
    kind = draw(st.sampled_from(["float", "int", "f32", "f64", "i64"]))
    if kind == "int":
        return int(h * 4) or 1
    if kind == "f32":
        return np.float32(h)
    if kind == "f64":
        return np.float64(h)
    if kind == "i64":
        return np.int64(int(h * 4) or 1)
    return h


def coordinates(draw, n):
    kind = draw(st.sampled_from(["uneven", "even", "even-int", "int", "f32", "f32-even", "list",
                                 "even-one-part"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "uneven":
        return np.cumsum(rng.random(n) + 0.01) - 1.0
    if kind == "even":
        return np.arange(n) * draw(st.sampled_from([0.1, 0.25, 1.0, -0.3]))
    if kind == "even-int":
        return np.arange(n, dtype=np.int64) * 3 - 2
    if kind == "int":
        return np.cumsum(rng.integers(1, 5, size=n)).astype(draw(st.sampled_from(["i2", "u1", "i8"])))
    if kind == "f32":
        return (np.cumsum(rng.random(n) + 0.01)).astype(np.float32)
    if kind == "f32-even":
        return np.arange(n, dtype=np.float32) * np.float32(0.1)
    if kind == "list":
        return list(np.cumsum(rng.random(n) + 0.1))
    # Even steps on part of the axis only.
    x = np.arange(n) * 0.5
    if n > 3:
        x[-1] += 0.125
    return x


@st.composite
def calls(draw):
    f = draw(data())
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
    if spacing_kind == "none":
        varargs = ()
    elif spacing_kind == "scalar":
        varargs = (scalar(draw),)
    else:
        varargs = tuple(
            coordinates(draw, f.shape[a]) if f.shape[a] > 1 and draw(st.booleans())
            else scalar(draw)
            for a in axes
        )
    edge_order = draw(st.sampled_from([1, 2]))
    return f, varargs, axis, edge_order


def outcome(fn, f, varargs, axis, edge_order):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(f, *varargs, axis=axis, edge_order=edge_order), None
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return None, type(e)


@given(calls())
def test_same_bits_as_numpy(call):
    f, varargs, axis, edge_order = call
    want, want_error = outcome(np.gradient, f, varargs, axis, edge_order)
    got, got_error = outcome(numgrad.gradient, f, varargs, axis, edge_order)
    assert got_error is want_error, (got_error, want_error)
    if want_error is None:
        assert same_results(got, want)


@given(calls())
def test_out_gets_the_same_bits(call):
    """out= arrays of any layout (C, Fortran, stepped, reversed) hold what numpy returns."""
    f, varargs, axis, edge_order = call
    want, want_error = outcome(np.gradient, f, varargs, axis, edge_order)
    assume(want_error is None and f.dtype.kind in "fiuc" and f.dtype.isnative)
    wants = want if isinstance(want, tuple) else (want,)
    outs = []
    for k, w in enumerate(wants):
        big = np.full(tuple(2 * n for n in f.shape), 12345.0, dtype=w.dtype)
        layout = k % 3
        if layout == 0:
            o = big[tuple(slice(None, None, 2) for _ in f.shape)]
        elif layout == 1:
            o = np.asfortranarray(np.zeros(f.shape, w.dtype))
        else:
            o = big[tuple(slice(None, None, -2) for _ in f.shape)]
        outs.append(o)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        got = numgrad.gradient(f, *varargs, axis=axis, edge_order=edge_order, out=tuple(outs))
    got = got if isinstance(got, tuple) else (got,)
    assert all(g is o for g, o in zip(got, outs))
    assert same_results(tuple(outs), tuple(wants))
