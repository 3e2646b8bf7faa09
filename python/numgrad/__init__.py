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
- every other combination numpy accepts -- float16, complex, datetime64/timedelta64, object and
  bool data (which numpy rejects with TypeError), subclasses such as masked arrays, and mixed
  precision (float32 data with float64 coordinates or a float64 scalar, whose operations numpy
  runs in float64) -- is handed to ``np.gradient`` itself, so its bits, dtypes and exceptions
  are numpy's by construction, at numpy's speed.
"""

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from . import _numgrad

__all__ = ["gradient"]

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)

# A route per selected axis.
_NATIVE = "native"  # the Rust kernel with the spacing numpy effectively uses
_WEAK_EDGES = "native+weak-edges"  # the kernel, then numpy's float64 edge coefficients
_NUMPY = "numpy"  # np.gradient on this axis


def _is_python_real(s):
    """A Python int or float (not bool): NEP 50's weak scalars, which take the array's dtype."""
    return type(s) in (int, float)


def _bits_equal32(a, b):
    """Whether two float32 values are the same number (any NaN equals any NaN)."""
    a, b = np.float32(a), np.float32(b)
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return a.tobytes() == b.tobytes()


def _route(ftype, spacing, edge_order):
    """How one axis is computed: ``(route, spacing for the kernel)``.

    ``ftype`` is the data's dtype after numpy's integer conversion (float64 or float32);
    ``spacing`` is ``None`` (no varargs: numpy's Python float 1.0), the scalar as given, or the
    coordinate array (already ``np.asanyarray``'d and checked for shape).
    """
    if spacing is None:
        # numpy's Python float 1.0: 2h and every edge weight exact in either precision.
        return _NATIVE, 1.0
    if isinstance(spacing, np.ndarray) and spacing.ndim == 1:
        if type(spacing) is not np.ndarray:
            return _NUMPY, None
        if ftype == np.float64:
            if spacing.dtype == np.float64 or spacing.dtype.kind in "iu":
                # numpy converts integer coordinates to float64 before np.diff.
                return _NATIVE, np.ascontiguousarray(spacing, dtype=np.float64)
        elif spacing.dtype == np.float32:
            # float32 data and coordinates: every numpy operation is a float32 one.
            return _NATIVE, np.ascontiguousarray(spacing)
        return _NUMPY, None
    if ftype == np.float64:
        # float64 data: a Python real, a float64 or integer scalar all act as float64(h).
        if _is_python_real(spacing) or isinstance(spacing, (np.float64, np.integer)):
            try:
                h = float(spacing)
            except OverflowError:  # a Python int beyond float64: numpy's error, from numpy
                return _NUMPY, None
            if isinstance(spacing, np.integer) and int(h) != int(spacing):
                return _NUMPY, None  # not exact in float64
            return _NATIVE, h
        return _NUMPY, None
    # float32 data.
    if isinstance(spacing, np.float32):
        return _NATIVE, float(spacing)
    if _is_python_real(spacing):
        # NEP 50: numpy computes `2. * h` and `-1.5 / h` as Python floats (float64) and casts
        # the result to float32 when it meets the float32 array. The interior divides by
        # float32(2h), the first-order edges by float32(h): the kernel's float32 `2 * h32`
        # and `h32` are the same numbers whenever float32(2h) == 2 * float32(h) (always, but
        # for spacings in float32's subnormal range). The second-order edge coefficients
        # may differ (rounded once from float64 vs computed in float32): then the kernel
        # computes the interior and `_weak_edges` recomputes the two edge planes with numpy's
        # expressions.
        try:
            h = float(spacing)
        except OverflowError:
            return _NUMPY, None
        with np.errstate(all="ignore"):
            h32 = np.float32(h)
            if not _bits_equal32(np.float32(2.0 * h), np.float32(2) * h32):
                return _NUMPY, None
            # The kernel's second-order edges are numpy's when each float32 coefficient
            # computed in float32 is the float64 one rounded (true for h = 1, 0.5, 0.1, ...).
            same = edge_order == 1 or all(
                _bits_equal32(np.float32(c / h), np.float32(c) / h32)
                for c in (-1.5, 2.0, -0.5, 0.5, -2.0, 1.5)
            )
        return (_NATIVE if same else _WEAK_EDGES), float(h32)
    return _NUMPY, None


def _weak_edges(f, out, axis, h):
    """numpy's second-order uniform edges with a Python-float spacing ``h`` on float32 data,
    written into ``out``: numpy's own expressions, so numpy's own bits."""
    n = f.ndim

    def at(i):
        index = [slice(None)] * n
        index[axis] = i
        return tuple(index)

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
        One array per selected axis, of the input's shape and of the result's dtype (float64,
        or float32 for float32 data), any layout; written in place and returned. They must not
        share memory with ``f`` or with each other.

    Differences from numpy, deliberate: ``edge_order`` other than 1 or 2 and a coordinate
    array of length 1 raise ``ValueError``; no floating-point warnings (division by a zero
    spacing gives inf/nan silently).
    """
    f = np.asanyarray(f)
    ndim = f.ndim
    axes = tuple(range(ndim)) if axis is None else normalize_axis_tuple(axis, ndim)
    spacing, originals = _parse_varargs(f, varargs, axes)
    order = _check_edge_order(edge_order)

    kind = f.dtype.kind
    native_dtype = (
        type(f) is np.ndarray
        and f.dtype.isnative
        and (kind in "iu" or (kind == "f" and f.dtype.itemsize in (4, 8)))
    )
    if not native_dtype:
        result = np.gradient(f, *varargs, axis=axis, edge_order=order)
        if out is None:
            return result
        results = [result] if len(axes) == 1 else list(result)
        outs = _check_out(out, f, results[0].dtype if results else f.dtype, len(axes))
        for o, r in zip(outs, results):
            o[...] = r
        return outs[0] if len(axes) == 1 else tuple(outs)

    otype = _F32 if f.dtype.char == "f" else _F64
    for ax in axes:
        if f.shape[ax] < order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, "
                "at least (edge_order + 1) elements are required."
            )
    if out is None:
        outs = [np.empty_like(f, dtype=otype) for _ in axes]
    else:
        outs = _check_out(out, f, otype, len(axes))

    routes = [_route(otype, s, order) for s in spacing]
    native = [k for k, (route, _) in enumerate(routes) if route != _NUMPY]
    if native:
        source = f if _readable_in_place(f) else np.ascontiguousarray(f)
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
        _numgrad.gradient(
            source,
            targets,
            [axes[k] for k in native],
            [routes[k][1] for k in native],
            order,
        )
        for k, t in zip(native, targets):
            if t is not outs[k]:
                outs[k][...] = t
            if routes[k][0] == _WEAK_EDGES:
                h = 1.0 if originals[k] is None else float(originals[k])
                _weak_edges(f, outs[k], axes[k], h)
    for k, (route, _) in enumerate(routes):
        if route == _NUMPY:
            args = () if originals[k] is None else (originals[k],)
            outs[k][...] = np.gradient(f, *args, axis=axes[k], edge_order=order)

    if len(axes) == 1:
        return outs[0]
    return tuple(outs)
