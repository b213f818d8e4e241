"""The paper's hybrid loss: focal (eq. 5) + dice (eq. 7), summed."""
from __future__ import annotations

from torch import Tensor

from .dice import dice_loss
from .focal import ALPHA, focal_loss


def hybrid_loss(logits: Tensor, target: Tensor, alpha: float = ALPHA) -> Tensor:
    return focal_loss(logits, target, alpha=alpha) + dice_loss(logits, target)
