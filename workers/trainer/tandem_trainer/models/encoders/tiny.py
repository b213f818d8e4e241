from __future__ import annotations

from torch import Tensor, nn

from ..blocks import DownStage
from .base import Encoder


class TinyEncoder(Encoder):
    """Five small stride-2 conv stages, for CPU tests and quick experiments."""

    channels = (8, 16, 24, 32, 48)

    def __init__(self):
        super().__init__()
        stages, in_ch = [], 3
        for out_ch in self.channels:
            stages.append(DownStage(in_ch, out_ch))
            in_ch = out_ch
        self.stages = nn.ModuleList(stages)

    def forward(self, x: Tensor) -> list[Tensor]:
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features
