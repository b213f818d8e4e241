"""Image-level classifier evaluation as Deep-COVID reports it.

Sensitivity and specificity at several probability thresholds (its threshold table), ROC and
precision-recall curves with their areas, the confusion matrix at each threshold, and two 95%
intervals per rate: the paper's own (eq. r = z sqrt(p (1 - p) / N), the normal approximation)
and an image-level bootstrap (Wilson where a rate is 0 or 1 and the bootstrap collapses).
"""
from __future__ import annotations

import math

import numpy as np

from .curves import average_precision, curve_counts, curves_from_counts, roc_auc
from .intervals import BOOTSTRAP_RESAMPLES, wilson
from .scores import Z_95

TABLE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def paper_interval(successes: int, n: int, z: float = Z_95) -> list[float] | None:
    if n <= 0:
        return None
    p = successes / n
    r = z * math.sqrt(p * (1 - p) / n)
    return [max(0.0, p - r), min(1.0, p + r)]


def _percentile(values: np.ndarray) -> list[float] | None:
    values = values[np.isfinite(values)]
    return None if values.size == 0 else [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def _rate(successes: int, n: int, boot: np.ndarray) -> dict:
    value = successes / n if n else None
    interval, method = _percentile(boot), "bootstrap"
    if value in (0.0, 1.0):
        interval, method = wilson(successes, n), "wilson"
    return {"value": value, "n": n, "paper": paper_interval(successes, n), "boot": interval, "boot_method": method}


def classification_report(
    probs, labels, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0, thresholds=TABLE_THRESHOLDS
) -> dict:
    """probs: P(COVID-19) per image; labels: 1 = COVID-19, 0 = control."""
    probs = np.asarray(probs, dtype=np.float64).ravel()
    labels = np.asarray(labels).astype(bool).ravel()
    n = len(probs)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(resamples, n)) if n else np.zeros((0, 0), dtype=np.int64)
    boot_labels = labels[draws] if n else np.zeros((0, 0), bool)
    boot_pos = boot_labels.sum(axis=1)
    boot_neg = n - boot_pos
    table = []
    for t in thresholds:
        predicted = probs >= t
        tp, fn = int(np.sum(predicted & labels)), int(np.sum(~predicted & labels))
        tn, fp = int(np.sum(~predicted & ~labels)), int(np.sum(predicted & ~labels))
        bp = predicted[draws] if n else np.zeros((0, 0), bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            boot_sens = np.sum(bp & boot_labels, axis=1) / boot_pos
            boot_spec = np.sum(~bp & ~boot_labels, axis=1) / boot_neg
        table.append(
            {
                "threshold": t,
                "confusion": {"tp": tp, "fp": fp, "tn": tn, "fn": fn},
                "sensitivity": _rate(tp, tp + fn, boot_sens),
                "specificity": _rate(tn, tn + fp, boot_spec),
            }
        )
    aucs = np.array([_nan(roc_auc(probs[d], labels[d])) for d in draws])
    aps = np.array([_nan(average_precision(probs[d], labels[d])) for d in draws])
    from .curves import THRESHOLDS

    tp, fp, n_pos, n_neg = curve_counts(probs, labels, THRESHOLDS)
    return {
        "n": n,
        "positives": int(labels.sum()),
        "negatives": int((~labels).sum()),
        "roc_auc": {"value": roc_auc(probs, labels), "boot": _percentile(aucs)},
        "average_precision": {"value": average_precision(probs, labels), "boot": _percentile(aps)},
        "curves": curves_from_counts(tp, fp, n_pos, n_neg),
        "table": table,
        "resamples": resamples,
    }


def specificity_on(probs, labels, keep, threshold: float = 0.5) -> dict:
    """Specificity on a subset of controls (e.g. other lung disease), with both intervals."""
    probs, labels, keep = (np.asarray(a) for a in (probs, labels, keep))
    chosen = probs[keep.astype(bool) & ~labels.astype(bool)]
    tn = int(np.sum(chosen < threshold))
    return {
        "threshold": threshold,
        "n": int(chosen.size),
        "value": tn / chosen.size if chosen.size else None,
        "paper": paper_interval(tn, int(chosen.size)),
        "wilson": wilson(tn, int(chosen.size)),
    }


def _nan(value):
    return float("nan") if value is None else value
