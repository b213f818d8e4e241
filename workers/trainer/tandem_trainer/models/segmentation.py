"""Encoder + decoder + 1-channel head: normalised RGB in, logits at input size out; beside it an
image-level presence head (is there infection anywhere?) on the deepest encoder features."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from .encoders import Encoder


class PresenceHead(nn.Module):
    """Global average and max pooling of the stride-32 features -> one logit per image."""

    def __init__(self, channels: int):
        super().__init__()
        self.linear = nn.Linear(2 * channels, 1)

    def forward(self, deepest: Tensor) -> Tensor:
        pooled = torch.cat([deepest.mean(dim=(2, 3)), deepest.amax(dim=(2, 3))], dim=1)
        return self.linear(pooled).squeeze(1)


class SegmentationModel(nn.Module):
    def __init__(self, encoder: Encoder, decoder: nn.Module, arch: str, encoder_name: str):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.head = nn.Conv2d(decoder.out_channels, 1, kernel_size=3, padding=1)
        self.presence = PresenceHead(encoder.channels[4])
        self.arch, self.encoder_name = arch, encoder_name
        self.encoder_frozen = False

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_both(x)[0]

    def forward_both(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(N x 1 x H x W mask logits, N presence logits)."""
        features = self.encoder(x)
        return self.head(self.decoder(features, x.shape[-2:])), self.presence(features[4])

    def freeze_encoder(self) -> None:
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        self.encoder_frozen = True
        self.encoder.eval()

    def train(self, mode: bool = True):
        super().train(mode)
        # A frozen encoder also keeps its BatchNorm statistics (Keras' frozen-layer behaviour).
        if self.encoder_frozen:
            self.encoder.eval()
        return self
