from __future__ import annotations


from .base import Classifier
from ..torchvision_models import torchvision_model


class SqueezeNetClassifier(Classifier):
    """SqueezeNet 1.1 features; torchvision's head (dropout, 1x1 conv to the classes, ReLU,
    pooling) becomes dropout + pooling + linear, which is the same linear map before pooling
    without the ReLU, so its CAM is exact. A ReLU ends the features (the fire modules' own)."""

    arch = "squeezenet1_1"

    def __init__(self):
        super().__init__(torchvision_model("squeezenet1_1").features, 512, dropout=0.5)
