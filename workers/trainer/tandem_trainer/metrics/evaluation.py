"""Accumulate held-out predictions batch by batch; summarise pixel- and image-level metrics."""
from __future__ import annotations

import numpy as np

from .confusion import Confusion, confusion_counts
from .curves import ScoreHistogram, average_precision, curve_counts, curves_from_counts, roc_auc
from .scores import scores_with_ci

THRESHOLD = 0.5


class Evaluation:
    def __init__(self):
        self.pixel_confusion = Confusion(0, 0, 0, 0)
        self.pixel_histogram = ScoreHistogram()
        self.image_scores: list[float] = []
        self.image_labels: list[bool] = []

    def add(self, probs: np.ndarray, masks: np.ndarray, labels: np.ndarray) -> None:
        """probs/masks: N x H x W (or N x 1 x H x W); labels: N booleans (COVID-19 = True)."""
        probs = np.asarray(probs, dtype=np.float32).reshape(len(labels), -1)
        masks = np.asarray(masks).astype(bool).reshape(len(labels), -1)
        self.pixel_confusion += confusion_counts(probs >= THRESHOLD, masks)
        self.pixel_histogram.add(probs, masks)
        # An image is COVID-19 positive when any pixel reaches the threshold: score = max.
        self.image_scores.extend(probs.max(axis=1).tolist())
        self.image_labels.extend(bool(v) for v in np.asarray(labels).ravel())

    @property
    def image_confusion(self) -> Confusion:
        scores = np.asarray(self.image_scores)
        return confusion_counts(scores >= THRESHOLD, np.asarray(self.image_labels, dtype=bool))

    def summary(self, curves: bool = True) -> dict:
        return {
            "pixel": pixel_summary(self.pixel_confusion, self.pixel_histogram, curves),
            "image": image_summary(self.image_scores, self.image_labels, curves),
        }


def pixel_summary(confusion: Confusion, histogram: ScoreHistogram, curves: bool = True) -> dict:
    out = {"n": confusion.total, "confusion": confusion.as_dict(), **scores_with_ci(confusion),
           "roc_auc": histogram.roc_auc(), "pr_auc": histogram.average_precision()}
    if curves:
        out["curves"] = histogram.curves()
    return out


def image_summary(scores, labels, curves: bool = True) -> dict:
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    confusion = confusion_counts(scores >= THRESHOLD, labels)
    out = {"n": confusion.total, "confusion": confusion.as_dict(), **scores_with_ci(confusion),
           "roc_auc": roc_auc(scores, labels), "pr_auc": average_precision(scores, labels)}
    if curves:
        out["curves"] = curves_from_counts(*curve_counts(scores, labels))
    return out
