"""Edges of an image: the gradient magnitude np.hypot(dy, dx) of a synthetic 8-bit image (a
bright disc on a dark background), equal bit for bit to numpy's.

    python examples/edges.py
"""

import numpy as np

import numgrad


def main():
    yy, xx = np.mgrid[0:240, 0:320]
    image = np.where((yy - 120) ** 2 + (xx - 160) ** 2 < 80**2, 200, 30).astype(np.uint8)
    dy, dx = numgrad.gradient(image)  # uint8 data: differentiated in float64, never wrapping
    edges = np.hypot(dy, dx)
    want = np.hypot(*np.gradient(image))
    assert np.array_equal(edges, want)
    ring = edges > 50
    radius = np.hypot(yy[ring] - 120, xx[ring] - 160)
    print(f"edge pixels: {ring.sum()}, at radius {radius.min():.1f}..{radius.max():.1f} "
          "(the disc's is 80; bit-equal to numpy)")
    assert 78 < radius.min() and radius.max() < 82


if __name__ == "__main__":
    main()
