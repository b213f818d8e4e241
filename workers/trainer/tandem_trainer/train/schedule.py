"""Learning-rate schedule: linear warm-up, then constant or cosine decay to a floor."""
from __future__ import annotations

import math

COSINE_FLOOR = 0.02  # fraction of the peak learning rate at the last step


def lr_factor(step: int, total: int, warmup: int, schedule: str) -> float:
    """Multiplier of the peak learning rate for optimizer step `step` (0-based)."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    if schedule == "constant":
        return 1.0
    span = max(1, total - warmup - 1)
    progress = min(1.0, (step - warmup) / span)
    return COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + math.cos(math.pi * progress))
