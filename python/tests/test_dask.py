"""numgrad.dask.gradient on a real multi-process dask.distributed cluster: equal to np.gradient
of the whole array bit for bit for chunkings that break per-chunk approaches (chunks of length 1
and 2, uneven chunks, coordinates evenly spaced inside one chunk only), for real data and for
the value dtypes (complex, float16, datetime64, timedelta64), and on an array larger than one
worker's memory limit."""

import dask
import dask.array as da
import numpy as np
import pytest
from distributed import Client, LocalCluster

import numgrad.dask
from support import same_results

# Each worker may hold 300 MiB; the large test's input alone is 320 MiB.
WORKER_MEMORY = 300 * 2**20


@pytest.fixture(scope="module")
def client():
    with LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        memory_limit=WORKER_MEMORY,
        dashboard_address=None,
    ) as cluster, Client(cluster) as client:
        yield client


RNG = np.random.default_rng(7)
F2 = RNG.standard_normal((9, 7))
# Uneven coordinates along axis 0; along axis 1 even steps except the last one, so a chunk that
# sees only the even part would (wrongly) take numpy's uniform formulas.
X0 = np.cumsum(RNG.random(9) + 0.05)
X1 = np.arange(7) * 3.0
X1[-1] += 1.0

CHUNKINGS = [
    ((1,) * 9, (1,) * 7),  # every chunk one point
    ((2,) * 4 + (1,), (2,) * 3 + (1,)),  # length 2
    ((1, 2, 4, 1, 1), (3, 1, 1, 2)),  # uneven, short chunks at the ends and inside
    ((8, 1), (1, 6)),  # one point alone at an end
    ((9,), (5, 2)),  # evenly spaced coordinates inside the first chunk of axis 1 only
]

SPACINGS = [(), (0.3,), (X0, X1), (X0, 2.0), (np.arange(9) * 3, X1)]


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("edge_order", [1, 2])
def test_any_chunking_equals_numpy(client, chunks, edge_order):
    cases = []  # (lazy result, numpy's), computed in one go: one graph for the cluster

    def case(data, *spacing, **kw):
        lazy = numgrad.dask.gradient(da.from_array(data, chunks=chunks), *spacing,
                                     edge_order=edge_order, **kw)
        cases.append((lazy, np.gradient(data, *spacing, edge_order=edge_order, **kw)))

    for spacing in SPACINGS:
        case(F2, *spacing)
    # One axis, chosen by a negative index; float32 data with a Python-float spacing (numpy's
    # float64-rounded edge coefficients) and with float32 coordinates; integer data.
    f32 = F2.astype(np.float32)
    for spacing in [(1e-3,), (7.0 / 3.0,), (X1.astype(np.float32),)]:
        case(f32, *spacing, axis=-1)
    case((F2 * 1000).astype(np.int16), X0, axis=0)
    got = dask.compute(*(lazy for lazy, _ in cases))
    for g, (_, want) in zip(got, cases):
        assert same_results(tuple(g) if isinstance(want, tuple) else g, want)


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("edge_order", [1, 2])
def test_value_dtypes_any_chunking_equals_numpy(client, chunks, edge_order):
    """complex128/complex64, float16, datetime64 and timedelta64 data through the block API of
    the value types, with each kind of spacing numgrad runs on the crate for them (numpy's own
    edges included: a Python float with complex64 and float16 data, an integer with datetime
    data), infinities and NaT among the samples."""
    cases = []

    def case(data, *spacing, **kw):
        lazy = numgrad.dask.gradient(da.from_array(data, chunks=chunks), *spacing,
                                     edge_order=edge_order, **kw)
        with np.errstate(all="ignore"):  # inf and NaT among the samples
            cases.append((lazy, np.gradient(data, *spacing, edge_order=edge_order, **kw)))

    z = F2 + 1j * RNG.standard_normal((9, 7))
    z[4, 3] = complex(np.inf, 0.0)
    for spacing in [(), (0.3,), (X0, X1), (X0, 2.0)]:
        case(z, *spacing)
    z64 = z.astype(np.complex64)
    case(z64, 0.3, axis=1)
    case(z64, X1.astype(np.float32), axis=-1)
    h16 = (F2 * 8).astype(np.float16)
    case(h16, np.float16(0.3))
    case(h16, X0.astype(np.float16), X1.astype(np.float16))
    case(h16, 0.1, axis=0)
    days = (F2 * 1e4).astype(np.int64).astype("datetime64[D]")
    days[2, 5] = np.datetime64("NaT")
    case(days)
    # Differences beyond 2**53: numpy's integer-divided first-order edges differ from a float
    # division there.
    case((F2 * 1e17).astype(np.int64).astype("datetime64[ns]"), 3, axis=0)
    case(days, X0, X1)
    case((F2 * 1e9).astype(np.int64).astype("timedelta64[ns]"), 0.7, X1)
    got = dask.compute(*(lazy for lazy, _ in cases))
    for k, (g, (_, want)) in enumerate(zip(got, cases)):
        assert same_results(tuple(g) if isinstance(want, tuple) else g, want), k


def test_where_dask_array_gradient_depends_on_the_chunking(client):
    """The case this module exists for: dask.array.gradient with coordinates evenly spaced
    inside one chunk takes the uniform formula there, numpy's whole-array call does not."""
    x = da.from_array(F2, chunks=(9, (5, 2)))
    want = np.gradient(F2, X1, axis=1)
    theirs = da.gradient(x, X1, axis=1).compute()
    assert not same_results(theirs, want)
    assert same_results(numgrad.dask.gradient(x, X1, axis=1).compute(), want)


def test_rejects_what_numgrad_rejects(client):
    x = da.from_array(F2, chunks=(4, 4))
    with pytest.raises(ValueError, match="must be 1 or 2"):
        numgrad.dask.gradient(x, edge_order=0)
    with pytest.raises(TypeError):
        numgrad.dask.gradient(x, 1.0, 2.0, 3.0)
    with pytest.raises(NotImplementedError):
        numgrad.dask.gradient(x.astype(np.float32), X0, X1)  # float64 coordinates
    with pytest.raises(NotImplementedError):
        numgrad.dask.gradient(x.astype(np.float16), 0.3, np.float32(2.0))  # float32 spacing
    with pytest.raises(NotImplementedError):
        numgrad.dask.gradient(x > 0)  # bool: numpy's


def gather_rows(client, arrays, row):
    """The chunks of chunk-row ``row`` of each 2-D array in ``arrays``, computed together and
    gathered to this process chunk by chunk (no worker ever assembles a row), assembled here."""
    delayed = [list(a.to_delayed()[row]) for a in arrays]
    parts = client.gather(client.compute(delayed))
    return [np.concatenate(p, axis=1) for p in parts]


def test_larger_than_a_worker(client):
    """320 MiB of float64 (more than one worker's 300 MiB limit), second-order edges, both
    axes, uneven chunks; gathered chunk-row by chunk-row and compared with np.gradient of the
    gathered input."""
    shape = (5120, 8192)
    chunks = ((1024, 1000, 1024, 1048, 1024), 2048)
    x = da.random.default_rng(11).standard_normal(shape, chunks=chunks)
    assert x.nbytes > WORKER_MEMORY
    rows = range(len(x.chunks[0]))
    whole = np.concatenate([gather_rows(client, [x], r)[0] for r in rows])
    want = np.gradient(whole, 0.5, edge_order=2)
    got = numgrad.dask.gradient(x, 0.5, edge_order=2)
    lo = 0
    for r in rows:
        hi = lo + x.chunks[0][r]
        for g, w in zip(gather_rows(client, got, r), want):
            assert same_results(g, w[lo:hi])
        lo = hi
