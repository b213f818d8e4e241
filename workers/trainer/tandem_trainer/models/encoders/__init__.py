"""Encoders: each returns feature maps at strides 2, 4, 8, 16, 32 (shallow first)."""
from __future__ import annotations

from .base import Encoder
from .compact import CompactEncoder
from .densenet import DenseNet121Encoder
from .inception import InceptionV3Encoder
from .resnet import ResNet50Encoder
from .tiny import TinyEncoder

ENCODERS = {
    "densenet121": DenseNet121Encoder,
    "chexnet": DenseNet121Encoder,  # same network, chest-X-ray weights from a user file
    "resnet50": ResNet50Encoder,
    "inception_v3": InceptionV3Encoder,
    "tiny": TinyEncoder,
    "compact": CompactEncoder,
}


def build_encoder(name: str) -> Encoder:
    try:
        return ENCODERS[name]()
    except KeyError:
        raise ValueError(f"unknown encoder {name!r}; choose one of {sorted(ENCODERS)}") from None


__all__ = ["ENCODERS", "Encoder", "build_encoder"]
