"""UNet++ decoder: nested dense skip pathways.

Node x[i][j] (level i = stride 2^(i+1), column j >= 1) sees every earlier node of its
level x[i][0..j-1] plus the upsampled node below it, x[i+1][j-1]. Column 0 is the
encoder. The top node x[0][4] (stride 2) is upsampled to full resolution for the head.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from .blocks import DoubleConv, decoder_channels, resize_to

_LEVELS = 5


class NestedDecoder(nn.Module):
    def __init__(self, encoder_channels, width: int):
        super().__init__()
        level_ch = decoder_channels(width)[3::-1]  # node channels at strides 2, 4, 8, 16
        self.nodes = nn.ModuleDict()
        for j in range(1, _LEVELS):
            for i in range(_LEVELS - j):
                below = encoder_channels[i + 1] if j == 1 else level_ch[i + 1]
                in_ch = encoder_channels[i] + (j - 1) * level_ch[i] + below
                self.nodes[f"x{i}_{j}"] = DoubleConv(in_ch, level_ch[i])
        self.final = DoubleConv(level_ch[0], width)
        self.out_channels = width

    def forward(self, features: list[Tensor], out_size) -> Tensor:
        grid = {(i, 0): f for i, f in enumerate(features)}
        for j in range(1, _LEVELS):
            for i in range(_LEVELS - j):
                same_level = [grid[(i, k)] for k in range(j)]
                below = resize_to(grid[(i + 1, j - 1)], same_level[0].shape[-2:])
                grid[(i, j)] = self.nodes[f"x{i}_{j}"](torch.cat(same_level + [below], dim=1))
        return self.final(resize_to(grid[(0, _LEVELS - 1)], out_size))
