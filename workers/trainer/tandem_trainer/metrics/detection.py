"""Image-level detection rules and their calibration on held-out predictions.

The paper's rule: an image is COVID-19 positive when any pixel has prob >= 0.5. On small
data almost every control has some such pixel. Two calibrated rules:
- "component": positive when the largest connected component with prob >= threshold covers at
  least `min_area` of the image; (threshold, min_area) is the pair with the highest
  specificity among those reaching the target sensitivity;
- "presence" (networks with a presence head): positive when the head's probability reaches a
  threshold, the highest one that keeps the target sensitivity.
Both are chosen on out-of-fold predictions. The model's rule ("calibrated") is the one of the
two with the higher specificity at the target sensitivity (the presence rule on a tie; the
component rule alone for a network without the head). With fold ids, the report also scores
each fold with the rule chosen and calibrated on the other folds only ("nested": kind and
threshold), so the operating point is never fitted on the images it is scored on.
"""
from __future__ import annotations

import numpy as np

from .intervals import wilson

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MIN_AREAS = (0.0, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05)
PAPER_RULE = {"threshold": 0.5, "min_area": 0.0}
# The presence threshold is fitted to the target plus this margin: fitted at exactly the target,
# the rule keeps it on new images only about half the time (nested figures of 0.946-0.949 at 0.95).
PRESENCE_MARGIN = 0.005
PRESENCE_TABLE = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


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


def apply_rule(largest: np.ndarray, labels, rule: dict, thresholds=THRESHOLDS, presence=None) -> dict:
    """Sensitivity and specificity of a rule of either kind (presence rules need `presence`)."""
    labels = np.asarray(labels, dtype=bool)
    return _rates(rule_calls(largest, rule, thresholds, presence), labels)


def rule_calls(largest, rule: dict, thresholds=THRESHOLDS, presence=None) -> np.ndarray:
    """Each image's call (True = COVID-19) under the rule."""
    if rule.get("kind") == "presence":
        if presence is None:
            raise ValueError("a presence rule needs the presence head's probabilities")
        return np.asarray(presence, dtype=np.float64) >= rule["threshold"]
    largest = np.asarray(largest, dtype=np.float64)
    j = list(thresholds).index(rule["threshold"])
    return _positive(largest, j, rule["min_area"])


def _described(rule: dict, calls: np.ndarray, labels: np.ndarray, target: float, reached: bool) -> dict:
    return {
        **rule,
        "target_sensitivity": target,
        "reached": reached,
        "n": int(len(labels)),
        "positives": int(labels.sum()),
        "negatives": int((~labels).sum()),
        **_rates(calls, labels),
    }


def score_threshold(scores, labels, target_sensitivity: float) -> float:
    """The highest threshold t with sensitivity (score >= t) >= target: the k-th highest COVID-19
    score, k = ceil(target x positives). Needs at least one COVID-19 image."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=bool)
    positive = np.sort(scores[labels])[::-1]
    k = max(1, int(np.ceil(target_sensitivity * len(positive) - 1e-9)))
    return float(positive[k - 1])


def calibrate_presence(presence, labels, target_sensitivity: float = 0.95) -> dict | None:
    """The presence rule for a target sensitivity; None without both classes."""
    presence, labels = np.asarray(presence, dtype=np.float64), np.asarray(labels, dtype=bool)
    if not labels.any() or labels.all():
        return None
    fitted = min(1.0, target_sensitivity + PRESENCE_MARGIN)
    rule = {"kind": "presence", "threshold": score_threshold(presence, labels, fitted), "min_area": 0.0}
    calls = presence >= rule["threshold"]
    return _described(rule, calls, labels, target_sensitivity, True)


def presence_table(presence, labels, extra=()) -> list[dict]:
    """DeepCovid-style table for the presence probability: sensitivity and specificity (Wilson 95%
    CI) at fixed thresholds and at the calibrated one(s)."""
    presence, labels = np.asarray(presence, dtype=np.float64), np.asarray(labels, dtype=bool)
    thresholds = sorted(set(PRESENCE_TABLE) | {float(t) for t in extra})
    return [{"threshold": float(t), **_rates(presence >= t, labels)} for t in thresholds]


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
    rule = {"kind": "component", "threshold": float(best[1]), "min_area": float(best[2])}
    return _described(rule, rule_calls(largest, rule, thresholds), labels, target_sensitivity, best[0] is not None)


def threshold_table(largest, labels, min_area: float, thresholds=THRESHOLDS) -> list[dict]:
    """DeepCovid-style table: sensitivity and specificity (Wilson 95% CI) at each threshold."""
    largest, labels = np.asarray(largest, dtype=np.float64), np.asarray(labels, dtype=bool)
    return [
        {"threshold": float(t), "min_area": float(min_area), **_rates(_positive(largest, j, min_area), labels)}
        for j, t in enumerate(thresholds)
    ]


def choose_rule(presence_rule: dict | None, component: dict | None) -> dict | None:
    """The rule with the higher specificity among those reaching the target (presence on a tie)."""
    candidates = [r for r in (presence_rule, component) if r is not None]
    if not candidates:
        return None
    reached = [r for r in candidates if r["reached"]] or candidates
    return max(reached, key=lambda r: (r["specificity"]["value"] or 0.0, r["kind"] == "presence"))


def _calibrate_kind(kind: str, largest, presence, labels, target: float) -> dict | None:
    if kind == "presence":
        return calibrate_presence(presence, labels, target)
    if kind == "best":
        return choose_rule(
            None if presence is None else calibrate_presence(presence, labels, target),
            calibrate(largest, labels, target),
        )
    return calibrate(largest, labels, target)


def nested_detection(largest, labels, folds, target_sensitivity: float, kind: str, presence=None) -> dict | None:
    """Each fold scored with the rule calibrated on the other folds' predictions only; the
    confusion pooled over folds. folds: each image's fold id; kind "best" also chooses the
    rule's kind on the other folds (choose_rule)."""
    labels, folds = np.asarray(labels, dtype=bool), np.asarray(folds)
    largest = np.asarray(largest, dtype=np.float64)
    presence = None if presence is None else np.asarray(presence, dtype=np.float64)
    calls, per_fold = np.zeros(len(labels), dtype=bool), []
    for fold in sorted(set(folds.tolist())):
        test = folds == fold
        rest = ~test
        rule = _calibrate_kind(
            kind, largest[rest], None if presence is None else presence[rest], labels[rest], target_sensitivity
        )
        if rule is None:
            return None
        rule = {k: rule[k] for k in ("kind", "threshold", "min_area")}
        calls[test] = rule_calls(largest[test], rule, presence=None if presence is None else presence[test])
        per_fold.append({"fold": int(fold), **rule, **_rates(calls[test], labels[test])})
    return {"kind": kind, "target_sensitivity": target_sensitivity, "folds": per_fold, **_rates(calls, labels)}


def detection_report(largest, labels, target_sensitivity: float, source: str, presence=None, folds=None) -> dict:
    """presence: the presence head's probabilities (None without a head); folds: each image's
    fold id, for the nested figure (out-of-fold predictions only)."""
    component = calibrate(largest, labels, target_sensitivity)
    presence_rule = None if presence is None else calibrate_presence(presence, labels, target_sensitivity)
    calibrated = choose_rule(presence_rule, component)
    report = {
        "source": source,
        "paper_rule": {**PAPER_RULE, **apply_rule(largest, labels, PAPER_RULE)},
        "calibrated": calibrated,
        "component": component,
        "presence_rule": presence_rule,
        "table": threshold_table(largest, labels, component["min_area"] if component else 0.0),
        "presence_table": None,
        "nested": None,
    }
    if presence_rule:
        report["presence_table"] = presence_table(presence, labels, [presence_rule["threshold"]])
    if calibrated and folds is not None and len(set(folds)) > 1:
        kind = "best" if presence_rule else "component"
        report["nested"] = nested_detection(largest, labels, folds, target_sensitivity, kind, presence)
    return report
