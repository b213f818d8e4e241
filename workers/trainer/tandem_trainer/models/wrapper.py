"""The deployable form: grayscale [0,1] in, probabilities out (what model.onnx contains)."""
from __future__ import annotations

import torch
from torch import Tensor, nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class GrayToImageNet(nn.Module):
    """N x 1 x H x W in [0,1] -> N x 3 x H x W normalised with ImageNet mean/std."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        return (torch.cat([x, x, x], dim=1) - self.mean) / self.std


class ProbabilityModel(nn.Module):
    def __init__(self, net: nn.Module):
        super().__init__()
        self.prepare = GrayToImageNet()
        self.net = net

    def forward(self, image: Tensor) -> Tensor:
        return torch.sigmoid(self.net(self.prepare(image)))


class DeployModel(nn.Module):
    """What model.onnx holds: the pixel probabilities ("prob", N x 1 x H x W) and, for a network
    with a presence head, the image-level probability of infection ("presence", N)."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.prepare = GrayToImageNet()
        self.net = net

    def forward(self, image: Tensor) -> tuple[Tensor, Tensor]:
        logits, presence = self.net.forward_both(self.prepare(image))
        return torch.sigmoid(logits), torch.sigmoid(presence)
