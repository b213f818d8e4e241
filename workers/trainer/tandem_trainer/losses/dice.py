"""Dice loss, paper eq. 7: D(p, q) = 1 - 2 sum(p q) / (sum p + sum q).

Sums run over the whole batch (not per image), so a batch of control images with empty
masks does not produce 0/0; `smooth` only guards the all-empty case.
"""
from __future__ import annotations

from torch import Tensor

SMOOTH = 1e-5


def dice_loss(logits: Tensor, target: Tensor, smooth: float = SMOOTH) -> Tensor:
    q = logits.float().sigmoid()
    p = target.float()
    overlap = (p * q).sum()
    return 1 - (2 * overlap + smooth) / (p.sum() + q.sum() + smooth)
