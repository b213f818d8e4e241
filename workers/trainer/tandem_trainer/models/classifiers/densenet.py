from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from .base import Classifier
from ..torchvision_models import torchvision_model


class _DenseFeatures(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torchvision_model("densenet121").features  # ends with norm5; torchvision applies ReLU after it

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(self.features(x))


class DenseNet121Classifier(Classifier):
    arch = "densenet121"

    def __init__(self):
        super().__init__(_DenseFeatures(), 1024)
