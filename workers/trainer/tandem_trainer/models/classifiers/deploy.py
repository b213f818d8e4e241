"""The deployable classifier: grayscale [0,1] in; P(COVID-19) and the raw COVID-19 CAM out."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from ..wrapper import GrayToImageNet
from .base import COVID_CLASS, Classifier


class ClassifierOutputs(nn.Module):
    def __init__(self, net: Classifier):
        super().__init__()
        self.prepare = GrayToImageNet()
        self.net = net

    def forward(self, image: Tensor) -> tuple[Tensor, Tensor]:
        fmap = self.net.feature_map(self.prepare(image))
        prob = torch.softmax(self.net.classify(fmap), dim=1)[:, COVID_CLASS]
        return prob, self.net.cam(fmap)
