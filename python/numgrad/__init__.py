"""numgrad: ``numpy.gradient``, bit for bit, on the numgrad Rust kernel (SIMD, no copies).

``gradient(f, *varargs, axis=None, edge_order=1, out=None)`` is numpy 2.x's ``np.gradient``:
the same arguments, return conventions, dtypes, exception types and bits. Two deliberate
differences, as in the Rust crate: ``edge_order`` must be 1 or 2 (numpy silently treats 0 and
negative orders as 2), and a coordinate array of length 1 is a ``ValueError`` (numpy raises
``IndexError`` from ``diffx[0]``). ``out=`` is an addition: caller arrays written in place.

What runs where (each selected axis decides for itself, see ``_route``):

- float64 and integer data (integers become float64, as numpy does), float32 data with float32
  spacing, and float32 data with Python-float spacing (numpy's NEP 50 "weak" scalar) run on the
  Rust kernel, reading the input in place through its strides, with the GIL released;
- float16 data with float16 spacing (none, ``np.float16``, float16 coordinates) and with a
  Python-float spacing (as for float32) runs on the crate's ``gradient_values``, every operation
  rounded to float16 as numpy's float16 loops round it (results float16);
- complex128 data with the spacings of float64 data, and complex64 data with those of float32
  data, run on the crate's ``gradient_values`` (numpy's complex division and products; but
  complex64 data with a negative stride, where products are involved, see
  ``_products_fused``);
- datetime64 and timedelta64 data (results timedelta64 of the same unit) with a float spacing
  (none, a Python float, ``np.float64``, float64 or integer coordinates) run on
  ``gradient_values`` as int64 counts (numpy's truncation, NaT and wrapping); with an integer
  spacing and ``edge_order=1`` the two edge planes are then recomputed by numpy's own
  expression (numpy divides them as integers);
- every other combination numpy accepts -- object and bool data (which numpy rejects with
  TypeError), non-native byte order, subclasses such as masked arrays, mixed precision
  (float32, float16 or complex64 data with float64 coordinates or a float64 scalar, whose
  operations numpy runs in float64; float16 data with float32 spacing, or integer coordinates,
  which numpy converts to float64; float64 or complex128 data with float32 spacing; float16
  data with a Python float in float16's subnormal range, below), complex spacing,
  timedelta64 spacing, and float16/float32 spacing of datetime data -- is handed to
  ``np.gradient`` itself, so its bits, dtypes and exceptions are numpy's by construction, at
  numpy's speed.

The crate follows numpy 2.4's arithmetic as it runs on x86-64 CPUs with FMA (fused complex
products in numpy's vectorized loops, NaT from an out-of-range float-to-count cast, wrapping
count sums). The first call with complex or datetime data checks it against the numpy it runs
with, on a few small cases (``_agreement``); where numpy computes otherwise (a CPU without FMA,
aarch64's saturating float-to-int casts, another numpy release), those cases go to numpy.
"""

import functools
import warnings

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from . import _numgrad

__all__ = ["gradient"]

_F16, _F32, _F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)

# What the crate computes a dtype as.
_REAL = "real"  # float64, float32, integers: numgrad::gradient
_COMPLEX = "complex"  # complex128, complex64: numgrad::gradient_values
_HALF = "float16"  # float16: numgrad::gradient_values, routed as float32 data
_TIME = "time"  # datetime64, timedelta64 (as int64 counts): numgrad::gradient_values

# A route per selected axis.
_NATIVE = "native"  # the Rust kernel with the spacing numpy effectively uses
_WEAK_EDGES = "native+weak-edges"  # the kernel, then numpy's float64 edge coefficients
_INT_EDGES = "native+integer-edges"  # the kernel, then numpy's integer-divided edges
_NUMPY = "numpy"  # np.gradient on this axis

_INT64 = np.iinfo(np.int64)


def _is_python_real(s):
    """A Python int or float (not bool): NEP 50's weak scalars, which take the array's dtype."""
    return type(s) in (int, float)


def _is_integer(s):
    """A numpy integer scalar (not a ``np.timedelta64``, which numpy derives from
    ``np.signedinteger``: numpy divides by it as a time, to float results)."""
    return isinstance(s, np.integer) and not isinstance(s, np.timedelta64)


def _bits_equal(a, b, ftype):
    """Whether two values of the float type ``ftype`` are the same number (any NaN equals any
    NaN)."""
    a, b = np.dtype(ftype).type(a), np.dtype(ftype).type(b)
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return a.tobytes() == b.tobytes()


def _route(ftype, spacing, edge_order, data=_REAL, fused=True):
    """How one axis is computed: ``(route, spacing for the kernel)``.

    ``data`` is what the crate computes the data as (``_REAL``, ``_HALF``, ``_COMPLEX`` or
    ``_TIME``); ``ftype`` is the spacing type: the data's dtype after numpy's integer conversion
    (float64 or float32) for real data, float16 for float16 data, the component type for
    complex data, float64 for datetime64 and timedelta64; ``spacing`` is ``None`` (no varargs:
    numpy's Python float 1.0), the scalar as given, or the coordinate array (already
    ``np.asanyarray``'d and checked for shape).
    ``fused``: for complex data, whether numpy's products of weights and these samples are
    fused as the crate's (``_products_fused``).
    """
    if data == _TIME:
        return _route_time(spacing, edge_order)
    route, h = _route_real(ftype, spacing, edge_order)
    if data == _COMPLEX and route != _NUMPY:
        agree = _agreement(_COMPLEX)
        if not agree["division"]:
            return _NUMPY, None
        # Products (weights times samples) make the second-order edges and the interior with
        # coordinates; numpy's are the crate's only where they were checked to be, and where
        # numpy's loop for this layout fuses them.
        products = edge_order == 2 or isinstance(h, np.ndarray)
        if products and not (agree["products"] and fused):
            return _NUMPY, None
    return route, h


def _products_fused(f):
    """Whether numpy multiplies weights by the complex samples ``f`` as the crate does.

    numpy 2.4's vectorized complex64 multiply handles non-negative strides only: a view with a
    negative stride reaches its scalar loop, which does not fuse (the sign of an underflowing
    product's zero differs), for 1-D views and for some N-d ones (those its iterator does not
    turn around): ``np.gradient(f[::-1], edge_order=2)`` is then not ``np.gradient`` of the
    same values laid out forwards. complex128's loop fuses for every layout. So complex64 data
    with a negative stride goes to numpy wherever products are involved."""
    return f.dtype != np.complex64 or all(s >= 0 for s in f.strides)


def _route_real(ftype, spacing, edge_order):
    """``_route`` for real data, for float16 data (``ftype`` float16: numpy's float16
    operations take their operands as float32 data does, each rounded to float16), and for
    complex data whose component type is ``ftype``: numpy promotes a real spacing or weight to
    ``h + 0j`` of the data's precision exactly as it converts it to a float of that precision
    for real data."""
    if spacing is None:
        # numpy's Python float 1.0: 2h and every edge weight exact in either precision.
        return _NATIVE, 1.0
    if isinstance(spacing, np.ndarray) and spacing.ndim == 1:
        if type(spacing) is not np.ndarray:
            return _NUMPY, None
        if ftype == np.float64:
            if spacing.dtype == np.float64 or spacing.dtype.kind in "iu":
                # numpy converts integer coordinates to float64 before np.diff.
                return _NATIVE, _contiguous(spacing, np.float64)
        elif spacing.dtype == ftype:
            # float32 (float16) data and coordinates: every numpy operation is a float32
            # (float16) one. Integer coordinates numpy converts to float64: mixed precision.
            return _NATIVE, _contiguous(spacing, ftype)
        return _NUMPY, None
    if ftype == np.float64:
        # float64 data: a Python real, a float64 or integer scalar all act as float64(h).
        if _is_python_real(spacing) or isinstance(spacing, np.float64) or _is_integer(spacing):
            try:
                h = float(spacing)
            except OverflowError:  # a Python int beyond float64: numpy's error, from numpy
                return _NUMPY, None
            if _is_integer(spacing) and int(h) != int(spacing):
                return _NUMPY, None  # not exact in float64
            return _NATIVE, h
        return _NUMPY, None
    # float32 or float16 data (`ftype`): the same rules, in that precision.
    narrow = np.dtype(ftype).type
    if isinstance(spacing, narrow):
        return _NATIVE, float(spacing)
    if _is_python_real(spacing):
        # NEP 50: numpy computes `2. * h` and `-1.5 / h` as Python floats (float64) and casts
        # the result to float32 (float16) when it meets the array. The interior divides by
        # float32(2h), the first-order edges by float32(h): the kernel's float32 `2 * h32`
        # and `h32` are the same numbers whenever float32(2h) == 2 * float32(h) (always, but
        # for spacings in the type's subnormal range: float32's, or float16's below 6.1e-5).
        # The second-order edge coefficients may differ (rounded once from float64 vs
        # computed in the narrow type): then the kernel computes the interior and
        # `_weak_edges` recomputes the two edge planes with numpy's expressions.
        try:
            h = float(spacing)
        except OverflowError:
            return _NUMPY, None
        with np.errstate(all="ignore"):
            hn = narrow(h)
            if not _bits_equal(narrow(2.0 * h), narrow(2) * hn, ftype):
                return _NUMPY, None
            # The kernel's second-order edges are numpy's when each coefficient computed in
            # the narrow type is the float64 one rounded (true for h = 1, 0.5, 0.1, ...).
            same = edge_order == 1 or all(
                _bits_equal(narrow(c / h), narrow(c) / hn, ftype)
                for c in (-1.5, 2.0, -0.5, 0.5, -2.0, 1.5)
            )
        return (_NATIVE if same else _WEAK_EDGES), float(hn)
    return _NUMPY, None


def _route_time(spacing, edge_order):
    """``_route`` for datetime64 and timedelta64 data: every spacing numpy uses as a float64
    (numpy's default 1.0, a Python float, ``np.float64``, float64 coordinates or integer ones,
    which numpy converts to float64) runs on the crate; an integer scalar too, but for the
    first-order edges, which numpy divides as integers (truncating an int64 quotient, where the
    crate divides in float64: they differ for differences beyond 2**53) and which
    ``_integer_edges`` recomputes. Anything else -- float16/float32 scalars or coordinates
    (numpy computes ``2.*h`` and the weights in that precision), timedelta64 spacing (float
    results), complex, bool, 0-d arrays, a Python int beyond int64 (numpy's OverflowError) --
    is numpy's."""
    if not _agreement(_TIME)["time"]:
        return _NUMPY, None
    if spacing is None:
        return _NATIVE, 1.0
    if isinstance(spacing, np.ndarray) and spacing.ndim == 1:
        if type(spacing) is np.ndarray and (
            spacing.dtype == np.float64 or spacing.dtype.kind in "iu"
        ):
            return _NATIVE, _contiguous(spacing, np.float64)
        return _NUMPY, None
    if type(spacing) is float or isinstance(spacing, np.float64):
        return _NATIVE, float(spacing)
    if type(spacing) is int and not _INT64.min <= spacing <= _INT64.max:
        return _NUMPY, None
    if type(spacing) is int or _is_integer(spacing):
        # `2. * h` and `-1.5 / h` are float64 operations on float64(h), as the crate's.
        return (_INT_EDGES if edge_order == 1 else _NATIVE), float(spacing)
    return _NUMPY, None


def _same_bits(a, b):
    """Whether two results are the same, bit for bit: NaN-aware for floats and each part of a
    complex (any NaN equals any NaN), counts compared as int64 (so NaT equals NaT)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "c":
        real = _same_bits(a.real.copy(), b.real.copy())
        return real and _same_bits(a.imag.copy(), b.imag.copy())
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        if not np.array_equal(nan, np.isnan(b)):
            return False
        bits = np.dtype(f"u{a.dtype.itemsize}")
        return np.array_equal(a[~nan].view(bits), b[~nan].view(bits))
    return np.array_equal(a.view(np.int64), b.view(np.int64))


def _crate_matches_numpy(f, h, axis, edge_order, numpy_h):
    """Whether the crate's gradient of ``f`` along ``axis`` (spacing ``h``: a float or float
    coordinates of the spacing type) has numpy's bits (numpy given ``numpy_h``); False if numpy
    raises."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            want = np.gradient(f, numpy_h, axis=axis, edge_order=edge_order)
        except Exception:  # noqa: BLE001 - a numpy that raises here computes otherwise
            return False
    got = np.empty(f.shape, want.dtype)
    if f.dtype.kind in "mM":
        counts = "datetime64" if f.dtype.kind == "M" else "timedelta64"
        _numgrad.gradient(f.view(np.int64), [got.view(np.int64)], [axis], [h], edge_order,
                          counts)
    else:
        _numgrad.gradient(f, [got], [axis], [h], edge_order)
    return _same_bits(got, want)


def _probe_cases(data):
    """The small calls ``_agreement`` checks, as ``(aspect, f, h, axis, edge_order, numpy_h)``:
    the crate's spacing ``h`` and numpy's ``numpy_h`` (a scalar of the spacing type, or the same
    coordinates)."""
    if data == _COMPLEX:
        for ctype, ftype in ((np.complex128, np.float64), (np.complex64, np.float32)):
            # Real parts whose quotients by 2h and h differ from `re / d` in the last bit (numpy
            # scales by 1/d; for h = 0.7 and -2.5, in either precision), an inf + 0j and a NaN
            # beside them, and a zero spacing (numpy's zero-divisor branch).
            root = np.sqrt(np.arange(1, 17, dtype=ftype))
            f = (root * ftype(3.7) + 1j * root).astype(ctype)
            f[[3, 9]] = [complex(np.inf, 0.0), complex(np.nan, 1.0)]
            for h in (0.7, -2.5, 0.0):
                for g, axis in ((f, 0), (f.reshape(4, 4), 1), (f.reshape(4, 4), 0)):
                    yield "division", g, h, axis, 1, ftype(h)
            # Tiny parts whose products with the weights underflow, of signs that make every
            # term of an edge (h = 4, second order) negative: -0 when fused, +0 otherwise.
            tiny = np.finfo(ftype).smallest_subnormal * np.array([1, -1, 1, -1, 1, -1], ftype)
            for part in ("imag", "real"):
                f = np.empty(6, ctype)
                if part == "imag":
                    f.real, f.imag = np.arange(1, 7), tiny
                else:
                    f.real, f.imag = tiny, -np.arange(1, 7)
                # 1-D: numpy scalars at the edges; 2-D: arrays.
                for g, axis in ((f, 0), (np.stack([f, f]), 1)):
                    yield "products", g, 4.0, axis, 2, ftype(4.0)
            # The same through the interior weights of coordinates (products of arrays): at
            # point 1, a < 0, b > 0, c > 0 meet parts +, -, -.
            x = np.array([0.0, 4.0, 9.0, 13.0, 18.0, 22.0], ftype)
            f = np.empty(6, ctype)
            f.real = np.arange(1, 7)
            f.imag = np.finfo(ftype).smallest_subnormal * np.array([1, -1, -1, 1, 1, -1], ftype)
            yield "products", f, x, 0, 1, x
        return
    # Counts whose differences wrap (top - -top), whose products and quotients leave int64 or
    # are not finite (h = 0.25 weights -6, 8, -2; h = 0 and a subnormal-scale h), and NaT.
    nat, top = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    counts = np.array([2**62, -(2**62), 2**62 + 12345, 7, top, -top, nat, 3, 0, -5], np.int64)
    for dtype in ("m8[s]", "M8[D]"):
        f = counts.view(dtype)
        for h, order in ((0.25, 2), (0.0, 1), (0.3, 1), (-1e-300, 2)):
            for g, axis in ((f, 0), (f.reshape(2, 5), 1), (f.reshape(5, 2), 0)):
                yield "time", g, h, axis, order, np.float64(h)


@functools.cache
def _agreement(data):
    """Whether the numpy this runs with computes as the crate does, per aspect, on the few
    small cases of ``_probe_cases`` that tell the ways numpy's arithmetic for these dtypes
    depends on the CPU or the release:

    - complex: ``"division"``, numpy's complex division by ``h + 0j`` (Smith's method with a
      reciprocal scale, its NaN/inf/zero branches); ``"products"``, its products of a real
      weight by a complex sample, fused in its vectorized loops on CPUs with FMA (a product that
      underflows keeps its sign: ``-0``) but not for the numpy scalars at the edges of a 1-D
      input (``+0``), as the crate computes them;
    - time: ``"time"``, a float result outside int64 (or not finite) cast to NaT, as x86-64's
      conversion does (C leaves it undefined; aarch64 saturates), and count sums and
      differences that wrap (numpy 2.4; later releases raise OverflowError).

    Computed once per process, on first use (a few dozen calls on arrays of 6 to 16 points)."""
    agree = {}
    for aspect, f, h, axis, order, numpy_h in _probe_cases(data):
        ok = agree.get(aspect, True) and _crate_matches_numpy(f, h, axis, order, numpy_h)
        agree[aspect] = ok
    return agree


def _at(ndim, axis, i):
    """The index of plane ``i`` of ``axis``, as numpy's gradient spells it (an integer, so a
    1-D input gives numpy scalars, as in numpy)."""
    index = [slice(None)] * ndim
    index[axis] = i
    return tuple(index)


def _integer_edges(f, out, axis, h):
    """numpy's first-order edges for an integer spacing ``h`` on datetime64/timedelta64 data
    ``f`` (viewed as timedelta64, as numpy does), written into ``out``: numpy's own
    expressions, so numpy's own bits."""
    if f.dtype.kind == "M":
        f = f.view(out.dtype)
    n = f.ndim
    with np.errstate(all="ignore"):
        out[_at(n, axis, 0)] = (f[_at(n, axis, 1)] - f[_at(n, axis, 0)]) / h
        out[_at(n, axis, -1)] = (f[_at(n, axis, -1)] - f[_at(n, axis, -2)]) / h


def _contiguous(x, dtype):
    """Coordinates as the kernel reads them: C-contiguous, aligned, of ``dtype`` (a copy only
    when ``x`` is not already)."""
    return np.require(x, dtype=dtype, requirements=["C", "A"])


def _weak_edges(f, out, axis, h):
    """numpy's second-order uniform edges with a Python-float spacing ``h`` on float32, float16
    or complex64 data, written into ``out``: numpy's own expressions, so numpy's own bits."""
    n = f.ndim

    def at(i):
        return _at(n, axis, i)

    with np.errstate(all="ignore"):
        a, b, c = -1.5 / h, 2.0 / h, -0.5 / h
        out[at(0)] = a * f[at(0)] + b * f[at(1)] + c * f[at(2)]
        a, b, c = 0.5 / h, -2.0 / h, 1.5 / h
        out[at(-1)] = a * f[at(-3)] + b * f[at(-2)] + c * f[at(-1)]


def _readable_in_place(a):
    """Whether the kernel can read (or write) ``a`` through its strides: aligned, native byte
    order, byte strides a multiple of the item size."""
    flags = a.flags
    if flags.c_contiguous:  # the common case, checked first (strides are then multiples)
        return flags.aligned
    item = a.dtype.itemsize
    return flags.aligned and all(s % item == 0 for s in a.strides)


def _shares_memory(a, b):
    """Whether two arrays share memory (conservatively: yes if numpy cannot tell quickly)."""
    if not np.may_share_memory(a, b):
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=100_000))
    except np.exceptions.TooHardError:
        return True


def _computed_as(f):
    """``(data, result dtype, spacing type)`` for an array whose dtype the crate computes, else
    ``None`` (numpy computes it: other dtypes, non-native byte order, ndarray subclasses)."""
    if type(f) is not np.ndarray or not f.dtype.isnative:
        return None
    kind, size = f.dtype.kind, f.dtype.itemsize
    if kind in "iu":
        return _REAL, _F64, _F64
    if kind == "f" and size in (4, 8):
        return _REAL, f.dtype, f.dtype
    if kind == "f" and size == 2:
        return _HALF, f.dtype, f.dtype
    if kind == "c" and size in (8, 16):
        return _COMPLEX, f.dtype, _F32 if size == 8 else _F64
    if kind in "mM":
        # numpy's result: the timedelta64 of the data's unit (its own spelling of it).
        return _TIME, np.dtype(f.dtype.name.replace("datetime", "timedelta")), _F64
    return None


def _check_out(out, f, otype, count):
    """The caller's output arrays, validated: numpy-style exceptions, nothing written."""
    if isinstance(out, np.ndarray):
        if count != 1:
            raise TypeError(f"out must be a tuple of {count} arrays, one per selected axis")
        out = (out,)
    if not isinstance(out, (tuple, list)):
        raise TypeError("out must be a tuple of arrays, one per selected axis")
    if len(out) != count:
        raise ValueError(f"out has {len(out)} arrays; {count} axes are selected")
    for k, o in enumerate(out):
        if not isinstance(o, np.ndarray):
            raise TypeError(f"out[{k}] is a {type(o).__name__}, not a numpy array")
        if o.shape != f.shape:
            raise ValueError(f"out[{k}] has shape {o.shape}; the input has shape {f.shape}")
        if o.dtype != otype:
            raise TypeError(f"out[{k}] has dtype {o.dtype}; the gradient's dtype is {otype}")
        if not o.flags.writeable:
            raise ValueError(f"out[{k}] is read-only")
        if _shares_memory(o, f):
            raise ValueError(f"out[{k}] shares memory with the input")
        for j in range(k):
            if _shares_memory(o, out[j]):
                raise ValueError(f"out[{k}] shares memory with out[{j}]")
    return list(out)


def _parse_varargs(f, varargs, axes):
    """numpy's spacing arguments, in numpy's order and with its exceptions: one entry per
    selected axis, ``None`` (no spacing), the scalar as given, or a checked 1-D array."""
    n = len(varargs)
    if n == 0:
        return [None] * len(axes), [None] * len(axes)
    if n == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * len(axes), [varargs[0]] * len(axes)
    if n != len(axes):
        raise TypeError("invalid number of arguments")
    parsed = []
    for i, given in enumerate(varargs):
        distances = np.asanyarray(given)
        if distances.ndim == 0:
            parsed.append(given)
            continue
        if distances.ndim != 1:
            raise ValueError("distances must be either scalars or 1d")
        if len(distances) != f.shape[axes[i]]:
            raise ValueError(
                "when 1d, distances must match the length of the corresponding dimension"
            )
        if len(distances) < 2:
            # Deliberate difference: numpy raises IndexError from `diffx[0]` here.
            raise ValueError(
                f"axis {axes[i]} has {len(distances)} coordinate(s): too short to calculate "
                "a numerical gradient"
            )
        parsed.append(distances)
    return parsed, list(varargs)


def _python_errors(h, edge_order):
    """Raises what numpy's gradient raises from Python's own arithmetic on a Python scalar
    spacing ``h``, by the same expressions, at the same point (after its axis's length check,
    before the next axis's): ``2. * h`` (OverflowError for an int beyond float64) and, with
    second-order edges, ``-1.5 / h`` (ZeroDivisionError for a zero spacing)."""
    if type(h) in (int, float, bool):
        2.0 * h
        if edge_order == 2:
            -1.5 / h


def _check_edge_order(edge_order):
    """numpy's check, then ours: 1 or 2 (numpy silently computes order 2 for 0 or less)."""
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    if edge_order == 1:
        return 1
    if edge_order == 2:
        return 2
    raise ValueError(f"'edge_order' must be 1 or 2, not {edge_order!r}")


def gradient(f, *varargs, axis=None, edge_order=1, out=None):
    """The gradient of an N-dimensional array: ``numpy.gradient``, bit for bit.

    Same arguments, return value (an array for one axis, a tuple otherwise), dtypes and
    exceptions as numpy 2.x's ``np.gradient``; see that function's documentation. Beyond it:

    out : tuple of ndarrays, optional
        One array per selected axis, of the input's shape and of the result's dtype (numpy's:
        float64, float32 for float32 data, float16 for float16 data, the data's complex dtype,
        timedelta64 of the data's unit for datetime64 and timedelta64 data), any layout;
        written in place and returned.
        They must not share memory with ``f`` or with each other.

    Differences from numpy, deliberate: ``edge_order`` other than 1 or 2 and a coordinate
    array of length 1 raise ``ValueError``; no floating-point warnings (division by a zero
    spacing gives inf/nan silently).
    """
    f = np.asanyarray(f)
    ndim = f.ndim
    axes = tuple(range(ndim)) if axis is None else normalize_axis_tuple(axis, ndim)
    spacing, originals = _parse_varargs(f, varargs, axes)
    order = _check_edge_order(edge_order)

    computed = _computed_as(f)
    if computed is None:
        result = np.gradient(f, *varargs, axis=axis, edge_order=order)
        if out is None:
            return result
        results = [result] if len(axes) == 1 else list(result)
        outs = _check_out(out, f, results[0].dtype if results else f.dtype, len(axes))
        for o, r in zip(outs, results):
            o[...] = r
        return outs[0] if len(axes) == 1 else tuple(outs)

    data, otype, stype = computed
    # Axis by axis, in numpy's order, numpy's exceptions: the length check, the errors of
    # Python's own arithmetic on a Python scalar spacing, and whatever np.gradient raises on an
    # axis handed to it, computed here (into its own array) so that its exception comes before
    # the next axis's checks, as in numpy, and before anything is written.
    routes, handed = [], {}
    fused = data != _COMPLEX or _products_fused(f)
    for k, (ax, s) in enumerate(zip(axes, spacing)):
        if f.shape[ax] < order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, "
                "at least (edge_order + 1) elements are required."
            )
        _python_errors(s, order)
        routes.append(_route(stype, s, order, data, fused))
        if routes[k][0] == _NUMPY:
            args = () if originals[k] is None else (originals[k],)
            handed[k] = np.gradient(f, *args, axis=ax, edge_order=order)
    if out is None:
        outs = [handed[k] if k in handed else np.empty_like(f, dtype=otype)
                for k in range(len(axes))]
    else:
        outs = _check_out(out, f, otype, len(axes))
        for k, r in handed.items():
            outs[k][...] = r

    native = [k for k, (route, _) in enumerate(routes) if route != _NUMPY]
    if native:
        # A copy (aligned: `np.ascontiguousarray` would keep a C-contiguous misaligned array).
        source = f if _readable_in_place(f) else np.array(f, order="C")
        targets = []
        for k in native:
            o = outs[k]
            # An output the kernel cannot write through its strides gets a scratch array; so
            # does one interleaved with the input or another output (checked disjoint above,
            # but rust-numpy's borrow tracking, which keeps the extension sound, judges memory
            # by its bounds and would refuse it).
            interleaved = out is not None and any(
                p is not o and np.may_share_memory(p, o) for p in [source, *outs]
            )
            in_place = _readable_in_place(o) and not interleaved
            targets.append(o if in_place else np.empty(f.shape, otype))
        counts = None
        if data == _TIME:
            # The counts, as int64 (the same memory): the crate's Datetime64/Timedelta64.
            counts = "datetime64" if f.dtype.kind == "M" else "timedelta64"
            source = source.view(np.int64)
        _numgrad.gradient(
            source,
            [t.view(np.int64) if counts else t for t in targets],
            [axes[k] for k in native],
            [routes[k][1] for k in native],
            order,
            counts,
        )
        for k, t in zip(native, targets):
            if t is not outs[k]:
                outs[k][...] = t
            if routes[k][0] == _WEAK_EDGES:
                h = 1.0 if originals[k] is None else float(originals[k])
                _weak_edges(f, outs[k], axes[k], h)
            elif routes[k][0] == _INT_EDGES:
                _integer_edges(f, outs[k], axes[k], originals[k])

    if len(axes) == 1:
        return outs[0]
    return tuple(outs)
