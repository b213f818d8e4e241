"""Intervals that do not pretend pixels are independent.

Pixels of one image are strongly correlated, so the paper's eq. 13 radius with N = all
pixels is far too narrow. The image-level bootstrap resamples whole images (their pixel
confusion counts) and recomputes the metric. A proportion at 0 or 1 gets the Wilson
score interval (the bootstrap would collapse to a point there).
"""
from __future__ import annotations

import math

import numpy as np

from .confusion import Confusion
from .scores import SCORES, Z_95

BOOTSTRAP_RESAMPLES = 1000
PROPORTIONS = {
    "sensitivity": lambda c: (c.tp, c.tp + c.fn),
    "specificity": lambda c: (c.tn, c.tn + c.fp),
    "precision": lambda c: (c.tp, c.tp + c.fp),
    "accuracy": lambda c: (c.tp + c.tn, c.total),
}


def wilson(successes: int, n: int, z: float = Z_95) -> list[float] | None:
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return [max(0.0, centre - half), min(1.0, centre + half)]


def resample_counts(n: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> np.ndarray:
    """resamples x n: how often each image is drawn in each bootstrap sample."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(resamples, n))
    counts = np.zeros((resamples, n), dtype=np.float64)
    np.add.at(counts, (np.arange(resamples)[:, None], draws), 1)
    return counts


def _percentile(values: np.ndarray) -> list[float] | None:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def bootstrap_confusion_scores(per_image: np.ndarray, counts: np.ndarray | None = None) -> dict:
    """per_image: N x 4 (tp, fp, tn, fn) per image. Returns metric -> {"interval", "method"}."""
    per_image = np.asarray(per_image, dtype=np.float64).reshape(-1, 4)
    n = len(per_image)
    if n == 0:
        return {name: {"interval": None, "method": None} for name in SCORES}
    counts = resample_counts(n) if counts is None else counts
    sums = counts @ per_image  # resamples x 4
    total = Confusion(*(int(v) for v in per_image.sum(axis=0)))
    out = {}
    for name, fn in SCORES.items():
        values = np.array([_nan(fn(Confusion(*row))) for row in sums])
        interval, method = _percentile(values), "bootstrap"
        value = fn(total)
        if name in PROPORTIONS and value in (0.0, 1.0):
            interval, method = wilson(*PROPORTIONS[name](total)), "wilson"
        out[name] = {"interval": interval, "method": method}
    return out


def bootstrap_mean(values, counts: np.ndarray | None = None) -> list[float] | None:
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return None
    counts = resample_counts(len(values)) if counts is None else counts
    return _percentile(counts @ values / counts.sum(axis=1))


def _nan(value):
    return float("nan") if value is None else value
