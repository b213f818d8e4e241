"""The network as it is evaluated, exported and used for predictions once training is over.

Two small-data choices live here, so that model.onnx, pred/*.png and the reported metrics all
see the same function:
- flip test-time augmentation: the mean of the logits on the image and on its left-right mirror
  (mirrored back); training with `flip` makes both views equally valid;
- shift test-time augmentation: the same mean also over the image moved one pixel up, down, left
  and right (moved back), which training's random shifts make equally valid;
- a logit offset, so that probability 0.5 falls where the raw network reaches the binarisation
  threshold chosen on the monitor split. Node binarises at 0.5 and needs no new setting.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def _mirror(x: Tensor) -> Tensor:
    return x.flip(-1)


# One-pixel moves (rows, columns); torch.roll wraps the edge row or column around, which a CXR's
# border can afford.
SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def _views(flip: bool, shift: bool) -> list[tuple[bool, int, int]]:
    """(mirrored, rows, columns) of each view the mean runs over; the first is the image itself."""
    moves = [(0, 0), *SHIFTS] if shift else [(0, 0)]
    return [(mirrored, dy, dx) for dy, dx in moves for mirrored in ((False, True) if flip else (False,))]


def _into(x: Tensor, mirrored: bool, dy: int, dx: int) -> Tensor:
    x = torch.roll(x, shifts=(dy, dx), dims=(-2, -1)) if dy or dx else x
    return _mirror(x) if mirrored else x


def _back(y: Tensor, mirrored: bool, dy: int, dx: int) -> Tensor:
    y = _mirror(y) if mirrored else y
    return torch.roll(y, shifts=(-dy, -dx), dims=(-2, -1)) if dy or dx else y


def threshold_offset(threshold: float) -> float:
    """The logit of `threshold`: subtracting it moves that probability to 0.5."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    return math.log(threshold / (1 - threshold))


class InferenceNet(nn.Module):
    """Wraps a trained segmentation network (same parameters, nothing copied). In training mode
    it is the bare network; in eval mode it averages the logits over the test-time views (flip,
    shift) and applies the threshold offset."""

    def __init__(self, net: nn.Module, flip: bool = False, threshold: float = 0.5, shift: bool = False):
        super().__init__()
        self.net = net
        self.flip = bool(flip)
        self.shift = bool(shift)
        self.threshold = float(threshold)
        self.offset = threshold_offset(threshold)

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            return self.net(x)
        views = _views(self.flip, self.shift)
        logits = sum(_back(self.net(_into(x, *v)), *v) for v in views)
        logits = logits / len(views) if len(views) > 1 else logits
        return logits - self.offset if self.offset else logits

    @property
    def forward_both(self):
        """For a network that also returns an image-level logit (forward_both -> (mask logits, image
        logits)): the same view averaging for both, the offset on the mask only. A network without
        one makes this an AttributeError, so hasattr(wrapper, "forward_both") answers as for the net."""
        both = self.net.forward_both

        def run(x: Tensor):
            if self.training:
                return both(x)
            views = _views(self.flip, self.shift)
            outputs = [both(_into(x, *v)) for v in views]
            logits = sum(_back(mask, *v) for (mask, _), v in zip(outputs, views))
            image = sum(image for _, image in outputs)
            if len(views) > 1:
                logits, image = logits / len(views), image / len(views)
            return logits - self.offset, image

        return run
