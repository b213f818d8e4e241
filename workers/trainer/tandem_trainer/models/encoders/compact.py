from __future__ import annotations

from torch import Tensor, nn

from ..blocks import ConvBNReLU, DownStage
from .base import StagedEncoder


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions with an identity shortcut (ResNet's basic block, same channels)."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            ConvBNReLU(channels, channels),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(x + self.body(x))


class CompactEncoder(StagedEncoder):
    """A CPU-sized residual encoder: about 3x the tiny encoder's channels and a residual block at
    every stage below stride 2, for real CXRs on 2 cores (the tiny one underfits them)."""

    channels = (16, 32, 64, 96, 128)

    def __init__(self):
        super().__init__()
        stages: list[nn.Module] = [DownStage(3, self.channels[0])]
        for in_ch, out_ch in zip(self.channels, self.channels[1:]):
            stages.append(
                nn.Sequential(
                    nn.Conv2d(in_ch, out_ch, 3, stride=2, padding=1, bias=False),
                    nn.BatchNorm2d(out_ch),
                    nn.ReLU(inplace=True),
                    ResidualBlock(out_ch),
                )
            )
        self.stages = nn.ModuleList(stages)
