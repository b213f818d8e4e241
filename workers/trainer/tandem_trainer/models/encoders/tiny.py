from __future__ import annotations

from torch import nn

from ..blocks import DownStage
from .base import StagedEncoder


class TinyEncoder(StagedEncoder):
    """Five small stride-2 conv stages, for CPU tests and quick experiments."""

    channels = (8, 16, 24, 32, 48)

    def __init__(self):
        super().__init__()
        stages, in_ch = [], 3
        for out_ch in self.channels:
            stages.append(DownStage(in_ch, out_ch))
            in_ch = out_ch
        self.stages = nn.ModuleList(stages)
