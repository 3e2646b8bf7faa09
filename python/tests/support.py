"""Comparison helpers shared by the test modules."""

import numpy as np


def same_bits(a, b):
    """Whether two results are equal bit for bit, NaN-aware (any NaN equals any NaN; the sign
    and payload of a NaN are not part of the contract; complex parts compared each on its own),
    with the same dtype and shape; datetime64/timedelta64 values by their int64 counts (so NaT
    equals NaT, which ``==`` denies)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "c":
        return same_bits(a.real.copy(), b.real.copy()) and same_bits(a.imag.copy(), b.imag.copy())
    if a.dtype.kind == "f":
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        if not np.array_equal(nan_a, nan_b):
            return False
        ints = np.dtype(f"u{a.dtype.itemsize}")
        return np.array_equal(a.view(ints)[~nan_a], b.view(ints)[~nan_a])
    if a.dtype.kind in "mM":
        return np.array_equal(a.view(np.int64), b.view(np.int64))
    return np.array_equal(a, b)


def same_results(got, want):
    """Same return convention (array or tuple of the same length) and bits."""
    if isinstance(want, tuple):
        return isinstance(got, tuple) and len(got) == len(want) and all(
            same_bits(g, w) for g, w in zip(got, want)
        )
    return isinstance(got, np.ndarray) and same_bits(got, want)
