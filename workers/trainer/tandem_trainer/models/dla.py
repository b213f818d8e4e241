"""DLA-style decoder: iterative deep aggregation repeated over growing hierarchies.

Stage k aggregates the deepest k+2 levels up to the resolution of level 3-k: each level,
deepest last, is projected, upsampled to the level just above it and merged with it
by an aggregation node. Stage after stage, the deep semantic levels are refined through
every shallower scale, ending at stride 2 (as in DLA-Up of Yu et al., written here
with plain convolutions).
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from .blocks import ConvBNReLU, DoubleConv, decoder_channels, resize_to

_LEVELS = 5


class AggregationDecoder(nn.Module):
    def __init__(self, encoder_channels, width: int):
        super().__init__()
        level_ch = decoder_channels(width)[3::-1]  # output channels at strides 2, 4, 8, 16
        current = list(encoder_channels)
        self.project = nn.ModuleDict()
        self.aggregate = nn.ModuleDict()
        for start in range(_LEVELS - 2, -1, -1):
            out_ch = level_ch[start]
            for i in range(start + 1, _LEVELS):
                self.project[f"s{start}_l{i}"] = ConvBNReLU(current[i], out_ch)
                self.aggregate[f"s{start}_l{i}"] = ConvBNReLU(out_ch + current[i - 1], out_ch)
                current[i] = out_ch
        self.final = DoubleConv(level_ch[0], width)
        self.out_channels = width

    def forward(self, features: list[Tensor], out_size) -> Tensor:
        layers = list(features)
        for start in range(_LEVELS - 2, -1, -1):
            for i in range(start + 1, _LEVELS):
                key = f"s{start}_l{i}"
                up = resize_to(self.project[key](layers[i]), layers[i - 1].shape[-2:])
                layers[i] = self.aggregate[key](torch.cat([up, layers[i - 1]], dim=1))
        return self.final(resize_to(layers[-1], out_size))
