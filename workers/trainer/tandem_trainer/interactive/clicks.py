"""Simulated clicks, as the interactive-segmentation literature evaluates them.

The next click goes to the error region that is "largest" in the sense of RITM / Xu et al.:
the false-negative or false-positive pixel farthest from any correct pixel (the maximum of
the Euclidean distance transform of the padded error mask). A false negative gives a positive
click, a false positive a negative one. Ties go to the first pixel in row-major order, so the
evaluation is deterministic; training may jitter the choice with `rng`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLICK_RADIUS_FRACTION = 0.02  # disk radius as a fraction of the model input side
MIN_RADIUS = 2


@dataclass(frozen=True)
class Click:
    y: int
    x: int
    positive: bool


def click_radius(size: int) -> int:
    return max(MIN_RADIUS, int(round(size * CLICK_RADIUS_FRACTION)))


def _edt_1d_squared(f: np.ndarray) -> np.ndarray:
    """Per row of f (rows x n, squared distances along the other axis): min_k f[k] + (i-k)^2."""
    n = f.shape[1]
    idx = np.arange(n, dtype=np.float64)
    # rows x n x n is fine at model sizes (<= 256); brute force keeps the code obviously right.
    return (f[:, None, :] + (idx[:, None] - idx[None, :]) ** 2).min(axis=2)


def distance_transform(region: np.ndarray) -> np.ndarray:
    """Euclidean distance of each region pixel to the nearest non-region pixel; the image border
    counts as outside (the mask is padded by one background pixel). 0 outside the region."""
    padded = np.pad(region.astype(bool), 1)
    h, w = padded.shape
    big = float(h * h + w * w)
    # Column pass: squared distance to the nearest background pixel in the same column.
    col = np.where(padded, big, 0.0)
    col = _edt_1d_squared(col.T).T
    dist = np.sqrt(_edt_1d_squared(col))
    return dist[1:-1, 1:-1]


def next_click(gt: np.ndarray, pred: np.ndarray, rng: np.random.Generator | None = None) -> Click | None:
    """The click a simulated annotator makes given the truth and the current mask; None if equal."""
    gt, pred = gt.astype(bool), pred.astype(bool)
    fn, fp = gt & ~pred, pred & ~gt
    if not fn.any() and not fp.any():
        return None
    fn_dt = distance_transform(fn) if fn.any() else np.zeros(gt.shape)
    fp_dt = distance_transform(fp) if fp.any() else np.zeros(gt.shape)
    positive = fn_dt.max() >= fp_dt.max()
    dt = fn_dt if positive else fp_dt
    if rng is None:
        y, x = np.unravel_index(int(np.argmax(dt)), dt.shape)
    else:  # training: any pixel at least half as deep as the deepest one
        ys, xs = np.nonzero(dt >= max(dt.max() * 0.5, min(dt.max(), 1.0)))
        k = int(rng.integers(len(ys)))
        y, x = ys[k], xs[k]
    return Click(int(y), int(x), bool(positive))


def click_maps(clicks: list[Click], size: int, radius: int | None = None) -> np.ndarray:
    """2 x size x size float32: disks of `radius` around positive (0) and negative (1) clicks."""
    radius = click_radius(size) if radius is None else radius
    maps = np.zeros((2, size, size), dtype=np.float32)
    yy, xx = np.mgrid[0:size, 0:size]
    for c in clicks:
        disk = (yy - c.y) ** 2 + (xx - c.x) ** 2 <= radius * radius
        maps[0 if c.positive else 1][disk] = 1.0
    return maps


def dice(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(bool), b.astype(bool)
    total = a.sum() + b.sum()
    return 1.0 if total == 0 else float(2 * (a & b).sum() / total)
