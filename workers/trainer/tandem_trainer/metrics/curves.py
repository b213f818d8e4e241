"""ROC and precision-recall: exact (rank-based) for image scores, histogram-based for pixels.

Pixel counts run to millions per fold, so pixel probabilities are accumulated into
fixed bins; the AUC of the binned scores is the same Mann-Whitney statistic computed
on scores quantised to 1/BINS.
"""
from __future__ import annotations

import numpy as np

BINS = 1000
THRESHOLDS = np.round(np.arange(0, 101) / 100, 2)  # curve points reported in metrics.json


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing the average of their positions."""
    order = np.argsort(values, kind="mergesort")
    sorted_vals = values[order]
    _, first, counts = np.unique(sorted_vals, return_index=True, return_counts=True)
    avg = first + (counts + 1) / 2.0
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(avg, counts)
    return ranks


def roc_auc(scores, labels) -> float | None:
    """Probability that a random positive scores above a random negative (ties count 1/2)."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels).astype(bool).ravel()
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = _average_ranks(scores)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def curve_counts(scores, labels, thresholds=THRESHOLDS) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(tp, fp) per threshold, predicting positive where score >= threshold; plus totals."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels).astype(bool).ravel()
    pos, neg = np.sort(scores[labels]), np.sort(scores[~labels])
    tp = len(pos) - np.searchsorted(pos, thresholds, side="left")
    fp = len(neg) - np.searchsorted(neg, thresholds, side="left")
    return tp, fp, len(pos), len(neg)


def average_precision(scores, labels) -> float | None:
    """Area under the PR curve as the step sum  sum_k (R_k - R_{k-1}) P_k  over all scores."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels).astype(bool).ravel()
    if not labels.any():
        return None
    thresholds = np.unique(scores)[::-1]
    tp, fp, n_pos, _ = curve_counts(scores, labels, thresholds)
    return _step_area(tp, fp, n_pos)


def _step_area(tp: np.ndarray, fp: np.ndarray, n_pos: int) -> float | None:
    """tp/fp ordered from the strictest threshold to the loosest."""
    if n_pos == 0:
        return None
    predicted = tp + fp
    precision = np.divide(tp, predicted, out=np.ones(len(tp)), where=predicted > 0)
    recall = tp / n_pos
    steps = np.diff(np.concatenate([[0.0], recall]))
    return float(np.sum(steps * precision))


def curves_from_counts(tp, fp, n_pos: int, n_neg: int) -> dict:
    """ROC and PR points; an undefined precision (nothing predicted positive) is null."""
    tp, fp = np.asarray(tp, dtype=np.float64), np.asarray(fp, dtype=np.float64)
    predicted = tp + fp
    return {
        "thresholds": THRESHOLDS.tolist(),
        "tpr": (tp / n_pos).tolist() if n_pos else None,
        "fpr": (fp / n_neg).tolist() if n_neg else None,
        "precision": [None if d == 0 else t / d for t, d in zip(tp, predicted)],
    }


class ScoreHistogram:
    """Streaming per-bin counts of positive and negative pixels' probabilities."""

    def __init__(self, bins: int = BINS):
        self.bins = bins
        # One extra slot so that a probability of exactly 1.0 has its own bin.
        self.pos = np.zeros(bins + 1, dtype=np.int64)
        self.neg = np.zeros(bins + 1, dtype=np.int64)

    def add(self, probs, labels) -> None:
        probs = np.asarray(probs, dtype=np.float32).ravel()
        labels = np.asarray(labels).astype(bool).ravel()
        idx = np.clip((probs * self.bins).astype(np.int64), 0, self.bins)
        self.pos += np.bincount(idx[labels], minlength=self.bins + 1)
        self.neg += np.bincount(idx[~labels], minlength=self.bins + 1)

    def roc_auc(self) -> float | None:
        n_pos, n_neg = int(self.pos.sum()), int(self.neg.sum())
        if n_pos == 0 or n_neg == 0:
            return None
        below = np.cumsum(self.neg) - self.neg  # negatives in strictly lower bins
        return float(np.sum(self.pos * (below + 0.5 * self.neg)) / (n_pos * n_neg))

    def _counts_at_or_above(self, first_bins: np.ndarray):
        tp_tail = np.cumsum(self.pos[::-1])[::-1]
        fp_tail = np.cumsum(self.neg[::-1])[::-1]
        tail = np.concatenate([tp_tail, [0]]), np.concatenate([fp_tail, [0]])
        return tail[0][first_bins], tail[1][first_bins]

    def average_precision(self) -> float | None:
        tp, fp = self._counts_at_or_above(np.arange(self.bins, -1, -1))
        return _step_area(tp, fp, int(self.pos.sum()))

    def curves(self) -> dict:
        first_bins = np.ceil(THRESHOLDS * self.bins - 1e-9).astype(np.int64)
        tp, fp = self._counts_at_or_above(first_bins)
        return curves_from_counts(tp, fp, int(self.pos.sum()), int(self.neg.sum()))
