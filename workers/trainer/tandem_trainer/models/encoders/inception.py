from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from .base import Encoder
from ..torchvision_models import torchvision_model

# Inception-v3 uses unpadded ("valid") convolutions, so a 224 input shrinks to 5x5 at
# stride 32 instead of 7x7. Padding the input by 32 px (edge replication) gives every
# level at least the nominal size; each level is then centre-cropped to ceil(H/stride).
_PAD = 32

_STAGES = (
    ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3"),
    ("maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3"),
    ("maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d"),
    ("Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"),
    ("Mixed_7a", "Mixed_7b", "Mixed_7c"),
)


def fit_to(x: Tensor, height: int, width: int) -> Tensor:
    """Centre-crop to (height, width); interpolate instead if the map is smaller."""
    h, w = x.shape[-2], x.shape[-1]
    if h < height or w < width:
        return F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)
    top, left = (h - height) // 2, (w - width) // 2
    return x[..., top : top + height, left : left + width]


class InceptionV3Encoder(Encoder):
    """torchvision Inception-v3 without AuxLogits/fc; module names match torchvision's keys."""

    channels = (64, 192, 288, 768, 2048)

    def __init__(self):
        super().__init__()
        net = torchvision_model(
            "Inception3", num_classes=1000, aux_logits=False, transform_input=False, init_weights=True
        )
        for stage in _STAGES:
            for name in stage:
                if name.startswith("maxpool"):
                    setattr(self, name, nn.MaxPool2d(kernel_size=3, stride=2))
                else:
                    setattr(self, name, getattr(net, name))

    def forward(self, x: Tensor) -> list[Tensor]:
        height, width = x.shape[-2], x.shape[-1]
        x = F.pad(x, (_PAD, _PAD, _PAD, _PAD), mode="replicate")
        features = []
        for level, stage in enumerate(_STAGES, start=1):
            for name in stage:
                x = getattr(self, name)(x)
            stride = 2**level
            features.append(fit_to(x, -(-height // stride), -(-width // stride)))
        return features
