"""Binary focal loss, paper eq. 5:
F(p, q) = -a (1-q)^g p log q - (1-a) q^g (1-p) log(1-q), with q = sigmoid(z), mean over pixels.
"""
from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

ALPHA = 0.25
GAMMA = 2.0


def focal_loss(logits: Tensor, target: Tensor, alpha: float = ALPHA, gamma: float = GAMMA) -> Tensor:
    logits, target = logits.float(), target.float()
    q = logits.sigmoid()
    # log q and log(1-q) from logits directly: stable where q saturates at 0 or 1.
    log_q, log_not_q = F.logsigmoid(logits), F.logsigmoid(-logits)
    positive = -alpha * (1 - q) ** gamma * target * log_q
    negative = -(1 - alpha) * q**gamma * (1 - target) * log_not_q
    return (positive + negative).mean()
