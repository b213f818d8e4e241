"""Small building blocks shared by the decoders and the small encoders."""
from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


class ConvBNReLU(nn.Sequential):
    def __init__(self, in_ch: int, out_ch: int, kernel: int = 3):
        super().__init__(
            nn.Conv2d(in_ch, out_ch, kernel, padding=kernel // 2, bias=False),
            nn.BatchNorm2d(out_ch),
            nn.ReLU(inplace=True),
        )


class DownStage(nn.Sequential):
    """Halves the resolution (a stride-2 convolution), then one more convolution: a small encoder's stage."""

    def __init__(self, in_ch: int, out_ch: int):
        super().__init__(
            nn.Conv2d(in_ch, out_ch, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(out_ch),
            nn.ReLU(inplace=True),
            ConvBNReLU(out_ch, out_ch),
        )


class DoubleConv(nn.Sequential):
    def __init__(self, in_ch: int, out_ch: int):
        super().__init__(ConvBNReLU(in_ch, out_ch), ConvBNReLU(out_ch, out_ch))


def resize_to(x: Tensor, size) -> Tensor:
    """Nearest upsampling to an explicit size: encoders with odd strides don't give exact 2x."""
    return F.interpolate(x, size=tuple(size), mode="nearest")


def decoder_channels(width: int) -> tuple[int, int, int, int, int]:
    """Channels at strides 16, 8, 4, 2 and full resolution; width=16 gives (256,128,64,32,16)."""
    return (16 * width, 8 * width, 4 * width, 2 * width, width)
