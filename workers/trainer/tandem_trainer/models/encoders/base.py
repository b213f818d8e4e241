from __future__ import annotations

from torch import Tensor, nn


class Encoder(nn.Module):
    """Backbone returning 5 feature maps at strides 2, 4, 8, 16, 32 of the input.

    `channels` lists their channel counts, shallow first. Module names follow torchvision
    so that its state dicts (minus the classifier) load without renaming.
    """

    channels: tuple[int, int, int, int, int]

    def forward(self, x: Tensor) -> list[Tensor]:  # pragma: no cover - interface
        raise NotImplementedError


class StagedEncoder(Encoder):
    """An encoder built as `self.stages`, five modules each halving the resolution."""

    stages: nn.ModuleList

    def forward(self, x: Tensor) -> list[Tensor]:
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features
