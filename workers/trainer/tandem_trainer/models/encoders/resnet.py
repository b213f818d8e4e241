from __future__ import annotations

from torch import Tensor

from .base import Encoder
from ..torchvision_models import torchvision_model


class ResNet50Encoder(Encoder):
    """torchvision ResNet-50 without avgpool/fc; module names match torchvision's keys."""

    channels = (64, 256, 512, 1024, 2048)

    def __init__(self):
        super().__init__()
        net = torchvision_model("resnet50")
        self.conv1, self.bn1, self.relu, self.maxpool = net.conv1, net.bn1, net.relu, net.maxpool
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4

    def forward(self, x: Tensor) -> list[Tensor]:
        s2 = self.relu(self.bn1(self.conv1(x)))
        s4 = self.layer1(self.maxpool(s2))
        s8 = self.layer2(s4)
        s16 = self.layer3(s8)
        s32 = self.layer4(s16)
        return [s2, s4, s8, s16, s32]
