"""Paper eq. 8-13. A score whose denominator is zero is undefined: None."""
from __future__ import annotations

import math

from .confusion import Confusion

Z_95 = 1.96


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def sensitivity(c: Confusion) -> float | None:  # eq. 8 (recall)
    return _ratio(c.tp, c.tp + c.fn)


def specificity(c: Confusion) -> float | None:  # eq. 9
    return _ratio(c.tn, c.tn + c.fp)


def precision(c: Confusion) -> float | None:  # eq. 10
    return _ratio(c.tp, c.tp + c.fp)


def accuracy(c: Confusion) -> float | None:  # eq. 11
    return _ratio(c.tp + c.tn, c.total)


def f_score(c: Confusion, beta: float) -> float | None:
    """Eq. 12 written with counts, (1+b^2)TP / ((1+b^2)TP + b^2 FN + FP): equal to eq. 12
    where precision and sensitivity exist, and 0 (not undefined) when TP = 0 but FN or FP > 0."""
    b2 = beta * beta
    return _ratio((1 + b2) * c.tp, (1 + b2) * c.tp + b2 * c.fn + c.fp)


def f1(c: Confusion) -> float | None:
    return f_score(c, 1.0)


def f2(c: Confusion) -> float | None:
    return f_score(c, 2.0)


def confidence_radius(metric: float | None, n: int, z: float = Z_95) -> float | None:
    """Eq. 13: r = z sqrt(metric (1 - metric) / N)."""
    if metric is None or n <= 0:
        return None
    return z * math.sqrt(max(0.0, metric * (1 - metric)) / n)


# N used for each metric's CI. Back-computed from the paper's Table 3: sensitivity uses the
# positive samples, specificity the negatives, every other metric all samples.
def ci_population(name: str, c: Confusion) -> int:
    if name == "sensitivity":
        return c.positives
    if name == "specificity":
        return c.negatives
    return c.total


SCORES = {
    "sensitivity": sensitivity,
    "specificity": specificity,
    "precision": precision,
    "f1": f1,
    "f2": f2,
    "accuracy": accuracy,
}


def scores_with_ci(c: Confusion) -> dict[str, dict[str, float | None]]:
    out = {}
    for name, fn in SCORES.items():
        value = fn(c)
        out[name] = {"value": value, "ci": confidence_radius(value, ci_population(name, c))}
    return out
