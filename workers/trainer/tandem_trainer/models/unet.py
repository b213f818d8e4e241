"""U-Net decoder: upsample, concatenate the encoder skip at that stride, two 3x3 convs."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from .blocks import DoubleConv, decoder_channels, resize_to


class UNetDecoder(nn.Module):
    def __init__(self, encoder_channels, width: int):
        super().__init__()
        skip_channels = list(encoder_channels[3::-1]) + [0]  # strides 16, 8, 4, 2, then none
        in_ch, blocks = encoder_channels[4], []
        for out_ch, skip_ch in zip(decoder_channels(width), skip_channels):
            blocks.append(DoubleConv(in_ch + skip_ch, out_ch))
            in_ch = out_ch
        self.blocks = nn.ModuleList(blocks)
        self.out_channels = width

    def forward(self, features: list[Tensor], out_size) -> Tensor:
        y = features[4]
        skips = features[3::-1] + [None]
        for block, skip in zip(self.blocks, skips):
            if skip is None:
                y = block(resize_to(y, out_size))
            else:
                y = block(torch.cat([resize_to(y, skip.shape[-2:]), skip], dim=1))
        return y
