"""A classifier = convolutional features -> global average pooling -> one linear layer.

With that head the class activation map (Zhou et al.) of class k, sum_c W[k, c] F_c, is
Grad-CAM of logit k up to the positive factor h*w (the gradient of logit k with respect to
F_c is W[k, c] / (h*w) at every position), so the exported model can return it directly.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

COVID_CLASS = 1  # outputs: [control, covid]


class Classifier(nn.Module):
    arch = "?"
    backbone_prefix = "features"  # module whose weights ImageNet files must cover

    def __init__(self, features: nn.Module, channels: int, dropout: float = 0.0):
        super().__init__()
        self.features = features
        self.channels = channels
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.head = nn.Linear(channels, 2)
        self.weights_source = "random"

    def feature_map(self, x: Tensor) -> Tensor:
        """N x 3 x H x W (ImageNet-normalised) -> N x C x h x w (non-negative)."""
        return self.features(x)

    def classify(self, fmap: Tensor) -> Tensor:
        return self.head(self.dropout(fmap.mean(dim=(2, 3))))

    def forward(self, x: Tensor) -> Tensor:
        return self.classify(self.feature_map(x))

    def cam(self, fmap: Tensor, cls: int = COVID_CLASS) -> Tensor:
        """N x h x w raw class activation map of `cls` (no ReLU, no scaling)."""
        return torch.einsum("nchw,c->nhw", fmap, self.head.weight[cls])
