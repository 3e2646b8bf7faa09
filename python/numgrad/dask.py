"""``numgrad.dask.gradient``: ``np.gradient`` of a whole dask array, bit for bit, for any chunking.

``dask.array.gradient`` calls ``np.gradient`` on each chunk with an overlap of one point: it
needs every chunk longer than ``edge_order + 1`` and decides numpy's evenly-spaced-coordinates
reduction per chunk, so with coordinates its bits can depend on the chunking. Here each output
block is computed by the crate's block API (``WholeArray::gradient_block``) from a window of the
input: the block plus the halo its stencils read (one point inside the axis, up to two beyond a
short block at either end of the axis with second-order edges), with the decisions numpy makes
on the whole axis (the coordinates' reduction) made for the whole axis. Chunks of any length,
down to one point, give the whole call's bits. Real data (float64, float32, integers) through
``gradient_block``; complex128/complex64, float16 and datetime64/timedelta64 data through
``gradient_values_block``, with numpy's arithmetic for each dtype as :func:`numgrad.gradient`
computes it.

The graph has one task per output block. It reads its own input chunk and, from each neighbour
its window reaches, the few planes it needs (sliced off by a small task, so only halos move
between workers), assembles the window, and returns one array per selected axis.
"""

import itertools
import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from . import (
    _INT_EDGES,
    _NUMPY,
    _TIME,
    _WEAK_EDGES,
    _check_edge_order,
    _computed_as,
    _numgrad,
    _parse_varargs,
    _python_errors,
    _route,
)

__all__ = ["gradient"]


def _halo(start, end, n, edge_order):
    """The points of an axis of ``n`` points that the block ``start:end`` reads (the crate's
    ``WholeArray::window``)."""
    lo = max(start - 1, 0)
    hi = n if end == n else end + 1
    if edge_order == 2:
        if end == n:
            lo = min(lo, n - 3)
        if start == 0:
            hi = max(hi, 3)
    return lo, hi


def _block(pieces, piece_starts, window, block, whole_shape, axes, spacing, edge_order, weak,
           otype, counts=None, integer=()):
    """One output block: assembles the window from the input chunks ``pieces`` (each starting
    at ``piece_starts[i]`` in the whole array) and differentiates it with the block API
    (``counts``: datetime64/timedelta64 data, passed as int64 counts); then numpy's own edges
    where the route says so (``weak``, ``integer``: ``(k, h)`` pairs)."""
    w0 = [lo for lo, _ in window]
    wshape = tuple(hi - lo for lo, hi in window)
    win = np.empty(wshape, dtype=pieces[0].dtype)
    for piece, start in zip(pieces, piece_starts):
        dst, src = [], []
        for (lo, hi), s, n in zip(window, start, piece.shape):
            a, b = max(lo, s), min(hi, s + n)
            dst.append(slice(a - lo, b - lo))
            src.append(slice(a - s, b - s))
        win[tuple(dst)] = piece[tuple(src)]
    bshape = tuple(hi - lo for lo, hi in block)
    outs = [np.empty(bshape, dtype=otype) for _ in axes]
    b0 = [lo for lo, _ in block]
    if counts:
        _numgrad.gradient_block(win.view(np.int64), [o.view(np.int64) for o in outs],
                                list(whole_shape), w0, b0, list(axes), spacing, edge_order,
                                counts)
    else:
        _numgrad.gradient_block(win, outs, list(whole_shape), w0, b0, list(axes), spacing,
                                edge_order)
    for k, h in weak:
        _weak_edge_planes(win, outs[k], axes[k], h, window, block, whole_shape)
    for k, h in integer:
        _integer_edge_planes(win, outs[k], axes[k], h, window, block, whole_shape)
    return tuple(outs)


def _edge_index(out, axis, window, block):
    """``(at, out_at)``: the index of plane ``i`` of ``axis`` in the window (the block's extent
    along every other axis) and in the block's output."""
    inner = [slice(b0 - w0, b1 - w0) for (w0, _), (b0, b1) in zip(window, block)]

    def at(i):
        index = list(inner)
        index[axis] = i - window[axis][0]
        return tuple(index)

    def out_at(i):
        index = [slice(None)] * out.ndim
        index[axis] = i - block[axis][0]
        return tuple(index)

    return at, out_at


def _integer_edge_planes(win, out, axis, h, window, block, whole_shape):
    """numpy's first-order edges for an integer spacing on datetime64/timedelta64 data (an
    integer division of the differences, ``numgrad._integer_edges``), on the block's planes at
    either end of ``axis``."""
    n = whole_shape[axis]
    at, out_at = _edge_index(out, axis, window, block)
    if win.dtype.kind == "M":
        win = win.view(out.dtype)
    with np.errstate(all="ignore"):
        if block[axis][0] == 0:
            out[out_at(0)] = (win[at(1)] - win[at(0)]) / h
        if block[axis][1] == n:
            out[out_at(n - 1)] = (win[at(n - 1)] - win[at(n - 2)]) / h


def _weak_edge_planes(win, out, axis, h, window, block, whole_shape):
    """numpy's second-order edges for a Python-float spacing on float32, float16 or complex64
    data (coefficients rounded once from float64), on the block's planes at either end of
    ``axis``."""
    n = whole_shape[axis]
    at, out_at = _edge_index(out, axis, window, block)

    with np.errstate(all="ignore"):
        if block[axis][0] == 0:
            a, b, c = -1.5 / h, 2.0 / h, -0.5 / h
            out[out_at(0)] = a * win[at(0)] + b * win[at(1)] + c * win[at(2)]
        if block[axis][1] == n:
            a, b, c = 0.5 / h, -2.0 / h, 1.5 / h
            out[out_at(n - 1)] = a * win[at(n - 3)] + b * win[at(n - 2)] + c * win[at(n - 1)]


def gradient(x, *varargs, axis=None, edge_order=1):
    """``np.gradient`` of the whole dask array ``x``, as dask arrays chunked like ``x``: one
    array for one selected axis, a tuple otherwise, equal bit for bit to ``np.gradient`` of the
    computed array whatever the chunking.

    Arguments, dtypes and errors as :func:`numgrad.gradient`, for the data and spacings it
    runs on the crate: float64, float32 and integer data (integers as float64), complex128 and
    complex64, float16, datetime64 and timedelta64 (results timedelta64 of the data's unit).
    What :func:`numgrad.gradient` hands to numpy (bool and object data, non-native byte order,
    mixed precisions, and where the numpy it runs with computes complex or datetime data
    otherwise than the crate) raises ``NotImplementedError`` here: a per-chunk ``np.gradient``
    would not give the whole array's bits.
    """
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    x = da.asarray(x)
    ndim = x.ndim
    axes = tuple(range(ndim)) if axis is None else normalize_axis_tuple(axis, ndim)
    spacing, originals = _parse_varargs(x, varargs, axes)
    order = _check_edge_order(edge_order)
    computed = _computed_as(np.empty(0, x.dtype))
    if computed is None:
        raise NotImplementedError(f"numgrad.dask.gradient: dtype {x.dtype} is not supported")
    data, otype, stype = computed
    for ax, s in zip(axes, spacing):
        if x.shape[ax] < order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, "
                "at least (edge_order + 1) elements are required."
            )
        _python_errors(s, order)  # numpy's ZeroDivisionError/OverflowError, in its order
    # Windows are assembled into new C-order arrays: numpy's complex products fuse there.
    routes = [_route(stype, s, order, data, fused=True) for s in spacing]
    for k, (route, _) in enumerate(routes):
        if route == _NUMPY:
            raise NotImplementedError(
                f"numgrad.dask.gradient: numpy computes the spacing {originals[k]!r} of axis "
                f"{axes[k]} with {x.dtype} data in a way the crate does not (mixed precisions, "
                "or this numpy's complex or datetime arithmetic); convert the data or the "
                "spacing to one precision"
            )
    weak = [(k, 1.0 if originals[k] is None else float(originals[k]))
            for k, (route, _) in enumerate(routes) if route == _WEAK_EDGES]
    integer = [(k, originals[k]) for k, (route, _) in enumerate(routes) if route == _INT_EDGES]
    counts = None
    if data == _TIME:
        counts = "datetime64" if x.dtype.kind == "M" else "timedelta64"
    if not axes:
        return ()

    token = tokenize(x, varargs, axes, order)
    name = "numgrad-gradient-" + token
    halo_name = "numgrad-halo-" + token
    layer = {}
    picks = [{} for _ in axes]
    # Coordinates once in the graph, referenced by key from every task.
    spacing_args = []
    for k, (_, s) in enumerate(routes):
        if isinstance(s, np.ndarray):
            key = ("numgrad-coordinates-" + token, k)
            layer[key] = s
            spacing_args.append(key)
        else:
            spacing_args.append(s)

    whole = x.shape
    starts = [np.concatenate(([0], np.cumsum(c))).astype(int).tolist() for c in x.chunks]
    selected = set(axes)
    for idx in itertools.product(*(range(len(c)) for c in x.chunks)):
        block = [(starts[a][i], starts[a][i + 1]) for a, i in enumerate(idx)]
        window = [
            _halo(lo, hi, whole[a], order) if a in selected else (lo, hi)
            for a, (lo, hi) in enumerate(block)
        ]
        # The input chunks the window intersects, along each axis.
        ranges = []
        for a, (lo, hi) in enumerate(window):
            first = int(np.searchsorted(starts[a], lo, side="right")) - 1
            last = int(np.searchsorted(starts[a], hi, side="left")) - 1
            ranges.append(range(first, last + 1))
        keys, piece_starts = [], []
        for cidx in itertools.product(*ranges):
            if cidx == idx:
                keys.append((x.name,) + cidx)
                piece_starts.append([lo for lo, _ in block])
                continue
            # A neighbour: only the part of it in the window (a few planes) moves between
            # workers, sliced by a task of its own, shared by the blocks that read the same part.
            part, origin = [], []
            for a, i in enumerate(cidx):
                lo, hi = max(window[a][0], starts[a][i]), min(window[a][1], starts[a][i + 1])
                part.append((lo - starts[a][i], hi - starts[a][i]))
                origin.append(lo)
            key = (halo_name,) + cidx + tuple(itertools.chain(*part))
            if key not in layer:
                layer[key] = (operator.getitem, (x.name,) + cidx,
                              tuple(slice(a, b) for a, b in part))
            keys.append(key)
            piece_starts.append(origin)
        layer[(name,) + idx] = (
            _block, keys, piece_starts, window, block, whole, axes, spacing_args, order, weak,
            otype, counts, integer,
        )
        for k in range(len(axes)):
            picks[k][(f"{name}-{k}",) + idx] = (operator.getitem, (name,) + idx, k)

    # One layer of blocks (each a tuple of arrays), one layer per output picking its part: an
    # array's layer must carry the array's name (dask culls and slices by it).
    blocks = HighLevelGraph.from_collections(name, layer, dependencies=[x])
    layers = dict(blocks.layers)
    dependencies = dict(blocks.dependencies)
    for k in range(len(axes)):
        layers[f"{name}-{k}"] = picks[k]
        dependencies[f"{name}-{k}"] = {name}
    graph = HighLevelGraph(layers, dependencies)
    meta = np.empty((0,) * ndim, dtype=otype)
    results = tuple(
        da.Array(graph, f"{name}-{k}", chunks=x.chunks, dtype=otype, meta=meta)
        for k in range(len(axes))
    )
    return results[0] if len(axes) == 1 else results
