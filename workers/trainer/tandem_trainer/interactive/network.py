"""ClickNet: a small U-Net over image + positive clicks + negative clicks + current mask.

Deployable form (what interactive.onnx holds): inputs `image` N x 1 x S x S in [0, 1] and
`clicks` N x 3 x S x S (positive disks, negative disks, current mask, each in {0, 1}); output
`prob` N x 1 x S x S. Normalisation happens inside, as for the segmentation models.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..models.blocks import DoubleConv, DownStage

IMAGE_MEAN, IMAGE_STD = 0.5, 0.25  # grayscale CXR in [0,1] -> roughly zero-mean, unit-scale
CHANNELS = (16, 32, 48, 64, 96)  # strides 2, 4, 8, 16, 32


class ClickNet(nn.Module):
    """Logits at input size. Full-resolution work is avoided: the stem has stride 2."""

    def __init__(self, channels=CHANNELS):
        super().__init__()
        self.channels = tuple(channels)
        stages, in_ch = [], 4
        for out_ch in self.channels:
            stages.append(DownStage(in_ch, out_ch))
            in_ch = out_ch
        self.down = nn.ModuleList(stages)
        ups = []
        for skip_ch in reversed(self.channels[:-1]):
            ups.append(DoubleConv(in_ch + skip_ch, skip_ch))
            in_ch = skip_ch
        self.up = nn.ModuleList(ups)
        self.head = nn.Conv2d(in_ch, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        size = x.shape[-2:]
        skips = []
        for stage in self.down:
            x = stage(x)
            skips.append(x)
        y = skips.pop()
        for block in self.up:
            skip = skips.pop()
            y = block(
                torch.cat([F.interpolate(y, size=skip.shape[-2:], mode="bilinear", align_corners=False), skip], 1)
            )
        return F.interpolate(self.head(y), size=size, mode="bilinear", align_corners=False)


class InteractiveModel(nn.Module):
    """Raw inputs in, logits out: the training view (normalisation inside)."""

    def __init__(self, net: ClickNet | None = None):
        super().__init__()
        self.net = net or ClickNet()

    def forward(self, image: Tensor, clicks: Tensor) -> Tensor:
        return self.net(torch.cat([(image - IMAGE_MEAN) / IMAGE_STD, clicks], 1))


class InteractiveProbability(nn.Module):
    """The exported form: probabilities."""

    def __init__(self, model: InteractiveModel):
        super().__init__()
        self.model = model

    def forward(self, image: Tensor, clicks: Tensor) -> Tensor:
        return torch.sigmoid(self.model(image, clicks))


def create_interactive_model(channels=CHANNELS) -> InteractiveModel:
    return InteractiveModel(ClickNet(channels))
