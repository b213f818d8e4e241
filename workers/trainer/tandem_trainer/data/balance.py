"""Epoch plans: which samples an epoch visits and which of them get augmented.

The paper augments COVID-19 images up to the number of controls; controls are not
augmented. Modes: "balance" (the paper), "all" (augment every sample), "none".
"""
from __future__ import annotations

import random

from .samples import Sample

AUGMENT_MODES = ("balance", "all", "none")


def epoch_plan(samples: list[Sample], mode: str, rng: random.Random) -> list[tuple[int, bool]]:
    """Shuffled list of (sample index, augment?)."""
    if mode not in AUGMENT_MODES:
        raise ValueError(f"augment must be one of {AUGMENT_MODES}")
    plan = [(i, mode == "all") for i in range(len(samples))]
    if mode == "balance":
        covid = [i for i, s in enumerate(samples) if s.positive]
        controls = len(samples) - len(covid)
        if covid and controls > len(covid):
            plan += [(rng.choice(covid), True) for _ in range(controls - len(covid))]
    rng.shuffle(plan)
    return plan
