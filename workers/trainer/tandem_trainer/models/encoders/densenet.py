from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from .base import Encoder
from ..torchvision_models import torchvision_model


def _transition_conv(transition: nn.Module, x: Tensor) -> Tensor:
    # The transition's conv output (before its pooling) is the skip at the block's stride.
    return transition.conv(transition.relu(transition.norm(x)))


class DenseNet121Encoder(Encoder):
    """torchvision DenseNet-121 `features`; state-dict keys stay "features.*" as in torchvision."""

    channels = (64, 128, 256, 512, 1024)

    def __init__(self):
        super().__init__()
        self.features = torchvision_model("densenet121").features

    def forward(self, x: Tensor) -> list[Tensor]:
        f = self.features
        s2 = f.relu0(f.norm0(f.conv0(x)))
        s4 = _transition_conv(f.transition1, f.denseblock1(f.pool0(s2)))
        s8 = _transition_conv(f.transition2, f.denseblock2(f.transition1.pool(s4)))
        s16 = _transition_conv(f.transition3, f.denseblock3(f.transition2.pool(s8)))
        s32 = F.relu(f.norm5(f.denseblock4(f.transition3.pool(s16))))
        return [s2, s4, s8, s16, s32]
