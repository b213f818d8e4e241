"""Accumulate held-out predictions batch by batch; summarise pixel- and image-level metrics."""
from __future__ import annotations

import numpy as np

from .confusion import Confusion, confusion_counts
from .curves import ScoreHistogram, average_precision, curve_counts, curves_from_counts, roc_auc
from .components import largest_component_fraction
from .detection import THRESHOLDS as DETECTION_THRESHOLDS
from .intervals import bootstrap_confusion_scores, bootstrap_mean, resample_counts
from .scores import scores_with_ci

THRESHOLD = 0.5


class Evaluation:
    def __init__(self, components: bool = True):
        self.components = components  # largest connected components for detection (costs time)
        self.pixel_confusion = Confusion(0, 0, 0, 0)
        self.pixel_histogram = ScoreHistogram()
        self.image_scores: list[float] = []
        self.image_labels: list[bool] = []
        self.image_confusions: list[list[int]] = []  # per image (tp, fp, tn, fn) at 0.5
        self.image_dice: list[float | None] = []  # None where the mask and prediction are empty
        self.largest: list[list[float]] = []  # per image, largest component per detection threshold
        self.presence: list[float] = []  # per image, the presence head's probability (empty without a head)

    def add(self, probs: np.ndarray, masks: np.ndarray, labels: np.ndarray, presence=None) -> None:
        """probs/masks: N x H x W (or N x 1 x H x W); labels: N booleans (COVID-19 = True);
        presence: N presence-head probabilities, or None for a network without the head."""
        if presence is not None:
            self.presence.extend(float(v) for v in np.asarray(presence).ravel())
        probs = np.asarray(probs, dtype=np.float32).reshape(len(labels), -1)
        masks = np.asarray(masks).astype(bool).reshape(len(labels), -1)
        self.pixel_confusion += confusion_counts(probs >= THRESHOLD, masks)
        self.pixel_histogram.add(probs, masks)
        # An image is COVID-19 positive when any pixel reaches the threshold: score = max.
        self.image_scores.extend(probs.max(axis=1).tolist())
        self.image_labels.extend(bool(v) for v in np.asarray(labels).ravel())
        predicted = probs >= THRESHOLD
        tp = np.count_nonzero(predicted & masks, axis=1)
        fp = np.count_nonzero(predicted & ~masks, axis=1)
        fn = np.count_nonzero(~predicted & masks, axis=1)
        tn = masks.shape[1] - tp - fp - fn
        self.image_confusions.extend([int(a), int(b), int(c), int(d)] for a, b, c, d in zip(tp, fp, tn, fn))
        self.image_dice.extend(None if 2 * t + p + n == 0 else 2 * t / (2 * t + p + n) for t, p, n in zip(tp, fp, fn))
        side = int(round(probs.shape[1] ** 0.5))
        if self.components and side * side == probs.shape[1]:
            maps = probs.reshape(len(probs), side, side)
            self.largest.extend(largest_component_fraction(maps, DETECTION_THRESHOLDS).tolist())

    def extend(self, other: "Evaluation") -> None:
        """Pool another evaluation's images into this one (out-of-fold predictions)."""
        self.pixel_confusion += other.pixel_confusion
        self.pixel_histogram.pos += other.pixel_histogram.pos
        self.pixel_histogram.neg += other.pixel_histogram.neg
        for name in ("image_scores", "image_labels", "image_confusions", "image_dice", "largest", "presence"):
            getattr(self, name).extend(getattr(other, name))

    @property
    def presence_scores(self) -> list[float] | None:
        """The presence probabilities when every image has one, else None."""
        return self.presence if self.presence and len(self.presence) == len(self.image_labels) else None

    def per_image(self) -> dict:
        """What pooling across folds needs, as plain lists (stored in metrics.json)."""
        return {
            "labels": self.image_labels,
            "scores": self.image_scores,
            "confusion": self.image_confusions,
            "dice": self.image_dice,
            "largest": self.largest,
            "detection_thresholds": list(DETECTION_THRESHOLDS),
            "presence": self.presence_scores,
        }

    @classmethod
    def from_per_image(cls, data: dict) -> "Evaluation":
        out = cls()
        out.image_labels = [bool(v) for v in data["labels"]]
        out.image_scores = list(data["scores"])
        out.image_confusions = [list(c) for c in data["confusion"]]
        out.image_dice = list(data["dice"])
        out.largest = [list(r) for r in data["largest"]]
        out.presence = [float(v) for v in data.get("presence") or []]
        total = np.asarray(out.image_confusions, dtype=np.int64).reshape(-1, 4).sum(axis=0)
        out.pixel_confusion = Confusion(*(int(v) for v in total))
        return out

    def intervals(self) -> dict:
        """Image-level bootstrap intervals for the pixel metrics, per-image Dice, detection."""
        n = len(self.image_labels)
        counts = resample_counts(n) if n else None
        labels = np.asarray(self.image_labels, dtype=bool)
        dice = np.asarray([np.nan if d is None else d for d in self.image_dice], dtype=np.float64)
        covid_dice = dice[labels & np.isfinite(dice)] if n else np.zeros(0)
        covid_counts = resample_counts(len(covid_dice), seed=1) if covid_dice.size else None
        predicted = np.asarray(self.image_scores, dtype=np.float64) >= THRESHOLD
        image_level = np.stack(
            [predicted & labels, predicted & ~labels, ~predicted & ~labels, ~predicted & labels], axis=1
        ).astype(np.float64)
        return {
            "n_images": n,
            "pixel": bootstrap_confusion_scores(np.asarray(self.image_confusions).reshape(-1, 4), counts) if n else {},
            "image": bootstrap_confusion_scores(image_level, counts) if n else {},
            "dice": {
                "n": int(covid_dice.size),
                "mean": float(covid_dice.mean()) if covid_dice.size else None,
                "median": float(np.median(covid_dice)) if covid_dice.size else None,
                "mean_interval": bootstrap_mean(covid_dice, covid_counts) if covid_dice.size else None,
            },
        }

    @property
    def image_confusion(self) -> Confusion:
        scores = np.asarray(self.image_scores)
        return confusion_counts(scores >= THRESHOLD, np.asarray(self.image_labels, dtype=bool))

    def pixel_summary_f1(self) -> float | None:
        c = self.pixel_confusion
        denom = 2 * c.tp + c.fp + c.fn
        return 2 * c.tp / denom if denom else None

    def summary(self, curves: bool = True, intervals: bool = True) -> dict:
        pixel = pixel_summary(self.pixel_confusion, self.pixel_histogram, curves)
        image = image_summary(self.image_scores, self.image_labels, curves)
        if intervals and self.image_labels:
            attach_intervals(pixel, image, self.intervals())
        return {"pixel": pixel, "image": image}


def attach_intervals(pixel: dict, image: dict, intervals: dict) -> None:
    """Adds "boot" ([lo, hi], image-level bootstrap or Wilson) beside each eq. 13 "ci", and the
    per-image Dice (COVID-19 images) to the pixel level."""
    for level, target in (("pixel", pixel), ("image", image)):
        for name, found in intervals.get(level, {}).items():
            if name in target:
                target[name]["boot"] = found["interval"]
                target[name]["boot_method"] = found["method"]
    pixel["dice"] = intervals["dice"]


def pixel_summary(confusion: Confusion, histogram: ScoreHistogram, curves: bool = True) -> dict:
    out = {
        "n": confusion.total,
        "confusion": confusion.as_dict(),
        **scores_with_ci(confusion),
        "roc_auc": histogram.roc_auc(),
        "pr_auc": histogram.average_precision(),
    }
    if curves:
        out["curves"] = histogram.curves()
    return out


def image_summary(scores, labels, curves: bool = True) -> dict:
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    confusion = confusion_counts(scores >= THRESHOLD, labels)
    out = {
        "n": confusion.total,
        "confusion": confusion.as_dict(),
        **scores_with_ci(confusion),
        "roc_auc": roc_auc(scores, labels),
        "pr_auc": average_precision(scores, labels),
    }
    if curves:
        out["curves"] = curves_from_counts(*curve_counts(scores, labels))
    return out
