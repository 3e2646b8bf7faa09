"""Velocity from positions: a 50 Hz position log with timing jitter, differentiated against its
timestamps (numpy's non-uniform formulas), equal bit for bit to np.gradient.

    python examples/velocity.py
"""

import numpy as np

import numgrad


def main():
    rng = np.random.default_rng(42)
    # Timestamps 20 ms apart with +-2 ms of jitter; a position x(t) = 3 sin(2t) metres.
    t = np.arange(500) * 0.02 + rng.uniform(-0.002, 0.002, 500)
    x = 3.0 * np.sin(2.0 * t)
    v = numgrad.gradient(x, t, edge_order=2)
    assert np.array_equal(v, np.gradient(x, t, edge_order=2))
    err = np.max(np.abs(v - 6.0 * np.cos(2.0 * t)))
    print(f"velocity of {len(t)} samples: max |v - 6 cos 2t| = {err:.2e} m/s (bit-equal to numpy)")
    assert err < 1e-2


if __name__ == "__main__":
    main()
