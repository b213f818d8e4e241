"""The network as it is evaluated, exported and used for predictions once training is over.

Two small-data choices live here, so that model.onnx, pred/*.png and the reported metrics all
see the same function:
- flip test-time augmentation: the mean of the logits on the image and on its left-right mirror
  (mirrored back); training with `flip` makes both views equally valid;
- shift test-time augmentation (opt-in): the mean over the image and its four one-pixel shifts,
  each shifted back, run as one batch through one network call (so model.onnx holds the network
  once per flip pass, not once per view; a view costs its compute and nothing else);
- a logit offset, so that probability 0.5 falls where the raw network reaches the binarisation
  threshold chosen on the monitor split. Node binarises at 0.5 and needs no new setting.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn

# (dy, dx) of the views shift averaging takes: the image itself first.
SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


def _mirror(x: Tensor) -> Tensor:
    return x.flip(-1)


def _shifted_views(run, x: Tensor):
    """run(batch) -> tensor or tuple of tensors, on the image and its one-pixel shifts in one batch;
    per-pixel outputs (4-D) are shifted back before the mean, per-image ones (image logits) are not."""
    n = len(SHIFTS)
    out = run(torch.cat([torch.roll(x, s, (-2, -1)) for s in SHIFTS], 0))

    def mean(y: Tensor) -> Tensor:
        views = y.reshape((n, -1) + tuple(y.shape[1:]))
        if y.dim() != 4:
            return views.mean(0)
        total = views[0]
        for i in range(1, n):
            dy, dx = SHIFTS[i]
            total = total + torch.roll(views[i], (-dy, -dx), (-2, -1))
        return total / n

    return tuple(mean(y) for y in out) if isinstance(out, tuple) else mean(out)


def threshold_offset(threshold: float) -> float:
    """The logit of `threshold`: subtracting it moves that probability to 0.5."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    return math.log(threshold / (1 - threshold))


class InferenceNet(nn.Module):
    """Wraps a trained segmentation network (same parameters, nothing copied). In training mode
    it is the bare network; in eval mode it applies flip averaging and the threshold offset."""

    def __init__(self, net: nn.Module, flip: bool = False, threshold: float = 0.5, shift: bool = False):
        super().__init__()
        self.net = net
        self.flip = bool(flip)
        self.shift = bool(shift)
        self.threshold = float(threshold)
        self.offset = threshold_offset(threshold)

    def _views(self, run, x: Tensor):
        return _shifted_views(run, x) if self.shift else run(x)

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            return self.net(x)
        logits = self._views(self.net, x)
        if self.flip:
            logits = 0.5 * (logits + _mirror(self._views(self.net, _mirror(x))))
        return logits - self.offset if self.offset else logits

    @property
    def forward_both(self):
        """For a network that also returns an image-level logit (forward_both -> (mask logits, image
        logits)): the same flip averaging for both, the offset on the mask only. A network without
        one makes this an AttributeError, so hasattr(wrapper, "forward_both") answers as for the net."""
        both = self.net.forward_both

        def run(x: Tensor):
            if self.training:
                return both(x)
            logits, image = self._views(both, x)
            if self.flip:
                mirrored_logits, mirrored_image = self._views(both, _mirror(x))
                logits = 0.5 * (logits + _mirror(mirrored_logits))
                image = 0.5 * (image + mirrored_image)
            return logits - self.offset, image

        return run
