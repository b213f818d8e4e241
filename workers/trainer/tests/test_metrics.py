import math

import numpy as np
import pytest

from tandem_trainer.metrics import (
    Confusion,
    Evaluation,
    ScoreHistogram,
    accuracy,
    average_precision,
    ci_population,
    confidence_radius,
    confusion_counts,
    curve_counts,
    f1,
    f2,
    precision,
    roc_auc,
    scores_with_ci,
    sensitivity,
    specificity,
)

C = Confusion(tp=8, fp=2, tn=85, fn=5)


def test_confusion_counts():
    predicted = np.array([1, 1, 0, 0, 1, 0], dtype=bool)
    actual = np.array([1, 0, 0, 1, 1, 0], dtype=bool)
    assert confusion_counts(predicted, actual) == Confusion(tp=2, fp=1, tn=2, fn=1)


def test_scores_by_hand():
    assert sensitivity(C) == pytest.approx(8 / 13)
    assert specificity(C) == pytest.approx(85 / 87)
    assert precision(C) == pytest.approx(8 / 10)
    assert accuracy(C) == pytest.approx(93 / 100)
    p, r = 0.8, 8 / 13
    assert f1(C) == pytest.approx(2 * p * r / (p + r))
    assert f2(C) == pytest.approx(5 * p * r / (4 * p + r))


def test_undefined_and_degenerate_scores():
    nothing_predicted = Confusion(tp=0, fp=0, tn=10, fn=3)
    assert precision(nothing_predicted) is None
    assert f1(nothing_predicted) == 0.0
    assert f1(Confusion(0, 0, 10, 0)) is None


def test_confidence_radius_equation_13():
    assert confidence_radius(0.9, 100) == pytest.approx(1.96 * math.sqrt(0.9 * 0.1 / 100))
    assert confidence_radius(None, 10) is None
    assert confidence_radius(0.5, 0) is None


def test_ci_populations_reproduce_paper_table3():
    # U-Net CheXNet frozen, Table 3: 2951 COVID-19 and 12544 controls.
    c = Confusion(tp=2879, fn=72, tn=11428, fp=1116)
    assert ci_population("sensitivity", c) == 2951 and ci_population("specificity", c) == 12544
    assert round(confidence_radius(0.9756, ci_population("sensitivity", c)), 4) == 0.0056
    assert round(confidence_radius(0.9110, ci_population("specificity", c)), 4) == 0.0050
    assert round(confidence_radius(0.7207, ci_population("precision", c)), 4) == 0.0071
    out = scores_with_ci(c)
    assert out["accuracy"]["ci"] == pytest.approx(confidence_radius(accuracy(c), 15495))


def test_roc_auc_rank_based_with_ties():
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert roc_auc([0.5, 0.5], [0, 1]) == pytest.approx(0.5)
    assert roc_auc([0.2, 0.3], [1, 1]) is None


def test_average_precision_by_hand():
    # ranked: + - + -  -> precision 1 at recall 0.5, 2/3 at recall 1
    assert average_precision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]) == pytest.approx(0.5 + 0.5 * 2 / 3)


def test_histogram_matches_exact_on_bin_aligned_scores():
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 9, 500) / 8  # exact multiples of 1/1000's bins
    labels = rng.random(500) < scores
    hist = ScoreHistogram()
    hist.add(scores[:200], labels[:200])
    hist.add(scores[200:], labels[200:])
    assert hist.roc_auc() == pytest.approx(roc_auc(scores, labels), abs=1e-12)
    assert hist.average_precision() == pytest.approx(average_precision(scores, labels), abs=1e-12)
    tp, fp, n_pos, n_neg = curve_counts(scores, labels)
    curves = hist.curves()
    assert curves["tpr"] == pytest.approx((tp / n_pos).tolist())
    assert curves["fpr"] == pytest.approx((fp / n_neg).tolist())


def test_evaluation_pixel_and_image_level():
    probs = np.zeros((3, 2, 2), dtype=np.float32)
    masks = np.zeros((3, 2, 2), dtype=np.uint8)
    probs[0, 0, 0], masks[0, 0, 0] = 0.9, 1  # covid, detected
    probs[1, 1, 1] = 0.5  # control, one pixel at exactly 0.5 -> positive image
    masks[2, 0, 1] = 1  # covid, missed
    evaluation = Evaluation()
    evaluation.add(probs, masks, np.array([True, False, True]))
    summary = evaluation.summary()
    assert summary["pixel"]["confusion"] == {"tp": 1, "fp": 1, "tn": 9, "fn": 1}
    assert summary["image"]["confusion"] == {"tp": 1, "fp": 1, "tn": 0, "fn": 1}
    assert summary["image"]["sensitivity"]["value"] == pytest.approx(0.5)
    assert summary["image"]["sensitivity"]["ci"] == pytest.approx(1.96 * math.sqrt(0.25 / 2))
    assert len(summary["pixel"]["curves"]["tpr"]) == 101
