"""Largest connected component (8-connected) of thresholded probability maps, batched.

No scipy here: labels spread by 3x3 max-pooling restricted to the foreground until they
stop changing, so every pixel ends with the largest index of its component.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def largest_component_fraction(probs: np.ndarray, thresholds) -> np.ndarray:
    """probs: N x H x W. Returns N x len(thresholds): the largest component's area above each
    threshold (prob >= t) as a fraction of the image's pixels (0 when nothing reaches t)."""
    probs = np.asarray(probs, dtype=np.float32)
    n, h, w = probs.shape
    out = np.zeros((n, len(thresholds)), dtype=np.float64)
    tensor = torch.from_numpy(probs)
    for j, t in enumerate(thresholds):
        fg = tensor >= float(t)
        if not fg.any():
            continue
        out[:, j] = _largest(fg) / float(h * w)
    return out


def _largest(fg: torch.Tensor) -> np.ndarray:
    n, h, w = fg.shape
    index = torch.arange(1, h * w + 1, dtype=torch.float32).view(1, h, w).expand(n, h, w)
    labels = torch.where(fg, index, torch.zeros(()))
    fgf = fg.float().unsqueeze(1)
    labels = labels.unsqueeze(1)
    while True:
        spread = F.max_pool2d(labels, 3, stride=1, padding=1) * fgf
        if torch.equal(spread, labels):
            break
        labels = spread
    flat = labels.view(n, -1).long().numpy()
    sizes = np.zeros(n, dtype=np.int64)
    for i in range(n):
        values = flat[i][flat[i] > 0]
        if values.size:
            sizes[i] = np.bincount(values).max()
    return sizes
