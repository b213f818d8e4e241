from .confusion import Confusion, confusion_counts
from .curves import ScoreHistogram, average_precision, curve_counts, roc_auc
from .evaluation import Evaluation, image_summary, pixel_summary
from .scores import (
    SCORES,
    accuracy,
    ci_population,
    confidence_radius,
    f1,
    f2,
    f_score,
    precision,
    scores_with_ci,
    sensitivity,
    specificity,
)

__all__ = [
    "Confusion",
    "Evaluation",
    "SCORES",
    "ScoreHistogram",
    "accuracy",
    "average_precision",
    "ci_population",
    "confidence_radius",
    "confusion_counts",
    "curve_counts",
    "f1",
    "f2",
    "f_score",
    "image_summary",
    "pixel_summary",
    "precision",
    "roc_auc",
    "scores_with_ci",
    "sensitivity",
    "specificity",
]
