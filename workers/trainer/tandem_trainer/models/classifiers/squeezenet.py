from __future__ import annotations

from torchvision.models import squeezenet1_1

from .base import Classifier


class SqueezeNetClassifier(Classifier):
    """SqueezeNet 1.1 features; torchvision's head (dropout, 1x1 conv to the classes, ReLU,
    pooling) becomes dropout + pooling + linear, which is the same linear map before pooling
    without the ReLU, so its CAM is exact. A ReLU ends the features (the fire modules' own)."""

    arch = "squeezenet1_1"

    def __init__(self):
        super().__init__(squeezenet1_1().features, 512, dropout=0.5)
