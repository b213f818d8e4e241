"""Image-level detection rules and their calibration on held-out predictions.

The paper's rule: an image is COVID-19 positive when any pixel has prob >= 0.5. On small
data almost every control has some such pixel. The calibrated rule: positive when the
largest connected component with prob >= threshold covers at least `min_area` of the
image; (threshold, min_area) is chosen on out-of-fold predictions as the pair with the
highest specificity among those reaching the target sensitivity.
"""
from __future__ import annotations

import numpy as np

from .intervals import wilson

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MIN_AREAS = (0.0, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05)
PAPER_RULE = {"threshold": 0.5, "min_area": 0.0}


def _positive(largest: np.ndarray, j: int, min_area: float) -> np.ndarray:
    column = largest[:, j]
    return column >= min_area if min_area > 0 else column > 0


def _rates(predicted: np.ndarray, labels: np.ndarray) -> dict:
    pos, neg = labels, ~labels
    tp, fn = int(np.sum(predicted & pos)), int(np.sum(~predicted & pos))
    tn, fp = int(np.sum(~predicted & neg)), int(np.sum(predicted & neg))
    return {
        "confusion": {"tp": tp, "fp": fp, "tn": tn, "fn": fn},
        "sensitivity": {"value": tp / (tp + fn) if tp + fn else None, "interval": wilson(tp, tp + fn)},
        "specificity": {"value": tn / (tn + fp) if tn + fp else None, "interval": wilson(tn, tn + fp)},
    }


def apply_rule(largest: np.ndarray, labels, rule: dict, thresholds=THRESHOLDS) -> dict:
    largest, labels = np.asarray(largest, dtype=np.float64), np.asarray(labels, dtype=bool)
    j = list(thresholds).index(rule["threshold"])
    return _rates(_positive(largest, j, rule["min_area"]), labels)


def calibrate(
    largest, labels, target_sensitivity: float = 0.95, thresholds=THRESHOLDS, min_areas=MIN_AREAS
) -> dict | None:
    """largest: N x len(thresholds) largest-component fractions; labels: N booleans (COVID)."""
    largest, labels = np.asarray(largest, dtype=np.float64), np.asarray(labels, dtype=bool)
    if not labels.any() or labels.all():
        return None
    best = None
    for j, t in enumerate(thresholds):
        for a in min_areas:
            predicted = _positive(largest, j, a)
            sens = float(np.mean(predicted[labels]))
            spec = float(np.mean(~predicted[~labels]))
            if sens + 1e-12 < target_sensitivity:
                continue
            key = (spec, sens, -a, -t)
            if best is None or key > best[0]:
                best = (key, t, a)
    if best is None:  # no pair reaches the target: the most sensitive rule there is
        best = (None, thresholds[0], 0.0)
    rule = {
        "threshold": float(best[1]),
        "min_area": float(best[2]),
        "target_sensitivity": target_sensitivity,
        "reached": best[0] is not None,
        "n": int(len(labels)),
        "positives": int(labels.sum()),
        "negatives": int((~labels).sum()),
    }
    return {**rule, **apply_rule(largest, labels, rule, thresholds)}


def threshold_table(largest, labels, min_area: float, thresholds=THRESHOLDS) -> list[dict]:
    """DeepCovid-style table: sensitivity and specificity (Wilson 95% CI) at each threshold."""
    largest, labels = np.asarray(largest, dtype=np.float64), np.asarray(labels, dtype=bool)
    return [
        {"threshold": float(t), "min_area": float(min_area), **_rates(_positive(largest, j, min_area), labels)}
        for j, t in enumerate(thresholds)
    ]


def detection_report(largest, labels, target_sensitivity: float, source: str) -> dict:
    calibrated = calibrate(largest, labels, target_sensitivity)
    return {
        "source": source,
        "paper_rule": {**PAPER_RULE, **apply_rule(largest, labels, PAPER_RULE)},
        "calibrated": calibrated,
        "table": threshold_table(largest, labels, calibrated["min_area"] if calibrated else 0.0),
    }
