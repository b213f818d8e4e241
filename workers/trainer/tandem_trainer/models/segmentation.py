"""Encoder + decoder + 1-channel head: normalised RGB in, logits at input size out."""
from __future__ import annotations

from torch import Tensor, nn

from .encoders import Encoder


class SegmentationModel(nn.Module):
    def __init__(self, encoder: Encoder, decoder: nn.Module, arch: str, encoder_name: str):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.head = nn.Conv2d(decoder.out_channels, 1, kernel_size=3, padding=1)
        self.arch, self.encoder_name = arch, encoder_name
        self.encoder_frozen = False

    def forward(self, x: Tensor) -> Tensor:
        features = self.encoder(x)
        return self.head(self.decoder(features, x.shape[-2:]))

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
