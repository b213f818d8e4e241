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
    """Per row of f (rows x n, squared distances along the other axis): min_k f[k] + (i-k)^2.

    Exact: offsets d = |i-k| are tried in increasing order and the search stops once d^2 is no
    smaller than every row's current minimum (no farther k can lower it). Error regions are
    shallow, so this stops after a few dozen vectorised passes instead of an n x n search."""
    out = f.copy()
    for d in range(1, f.shape[1]):
        dd = float(d * d)
        if dd >= out.max():
            break
        np.minimum(out[:, d:], f[:, :-d] + dd, out=out[:, d:])
        np.minimum(out[:, :-d], f[:, d:] + dd, out=out[:, :-d])
    return out


def _column_distance_squared(padded: np.ndarray) -> np.ndarray:
    """Squared distance of each pixel to the nearest background pixel in its column (the padding
    puts background at both ends): the nearer of the last background above and the next below."""
    h = padded.shape[0]
    idx = np.arange(h)[:, None]
    above = np.maximum.accumulate(np.where(padded, -h, idx), axis=0)
    below = np.minimum.accumulate(np.where(padded, 2 * h, idx)[::-1], axis=0)[::-1]
    return np.minimum(idx - above, below - idx).astype(np.float64) ** 2


def distance_transform(region: np.ndarray) -> np.ndarray:
    """Euclidean distance of each region pixel to the nearest non-region pixel; the image border
    counts as outside (the mask is padded by one background pixel). 0 outside the region."""
    padded = np.pad(region.astype(bool), 1)
    dist = np.sqrt(_edt_1d_squared(_column_distance_squared(padded)))
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
