from __future__ import annotations

from collections import OrderedDict

from torch import nn

from .base import Classifier
from ..torchvision_models import torchvision_model


def _resnet_features(net: nn.Module) -> nn.Sequential:
    # Names follow torchvision's (conv1, bn1, layer1, ...) so ImageNet files map by key.
    return nn.Sequential(
        OrderedDict(
            conv1=net.conv1,
            bn1=net.bn1,
            relu=net.relu,
            maxpool=net.maxpool,
            layer1=net.layer1,
            layer2=net.layer2,
            layer3=net.layer3,
            layer4=net.layer4,
        )
    )


class ResNet18Classifier(Classifier):
    arch = "resnet18"

    def __init__(self):
        super().__init__(_resnet_features(torchvision_model("resnet18")), 512)


class ResNet50Classifier(Classifier):
    arch = "resnet50"

    def __init__(self):
        super().__init__(_resnet_features(torchvision_model("resnet50")), 2048)
