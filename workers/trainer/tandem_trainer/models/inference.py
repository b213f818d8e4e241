"""The network as it is evaluated, exported and used for predictions once training is over.

Two small-data choices live here, so that model.onnx, pred/*.png and the reported metrics all
see the same function:
- flip test-time augmentation: the mean of the logits on the image and on its left-right mirror
  (mirrored back); training with `flip` makes both views equally valid;
- a logit offset, so that probability 0.5 falls where the raw network reaches the binarisation
  threshold chosen on the monitor split. Node binarises at 0.5 and needs no new setting.
"""
from __future__ import annotations

import math

from torch import Tensor, nn


def _mirror(x: Tensor) -> Tensor:
    return x.flip(-1)


def threshold_offset(threshold: float) -> float:
    """The logit of `threshold`: subtracting it moves that probability to 0.5."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    return math.log(threshold / (1 - threshold))


class InferenceNet(nn.Module):
    """Wraps a trained segmentation network (same parameters, nothing copied). In training mode
    it is the bare network; in eval mode it applies flip averaging and the threshold offset."""

    def __init__(self, net: nn.Module, flip: bool = False, threshold: float = 0.5):
        super().__init__()
        self.net = net
        self.flip = bool(flip)
        self.threshold = float(threshold)
        self.offset = threshold_offset(threshold)

    def forward(self, x: Tensor) -> Tensor:
        logits = self.net(x)
        if self.training:
            return logits
        if self.flip:
            logits = 0.5 * (logits + _mirror(self.net(_mirror(x))))
        return logits - self.offset if self.offset else logits

    @property
    def forward_both(self):
        """For a network that also returns an image-level logit (forward_both -> (mask logits, image
        logits)): the same flip averaging for both, the offset on the mask only. A network without
        one makes this an AttributeError, so hasattr(wrapper, "forward_both") answers as for the net."""
        both = self.net.forward_both

        def run(x: Tensor):
            logits, image = both(x)
            if self.training:
                return logits, image
            if self.flip:
                mirrored_logits, mirrored_image = both(_mirror(x))
                logits = 0.5 * (logits + _mirror(mirrored_logits))
                image = 0.5 * (image + mirrored_image)
            return logits - self.offset, image

        return run
