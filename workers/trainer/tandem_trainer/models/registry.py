"""create_model(arch, encoder, ...): the one entry point for building networks."""
from __future__ import annotations

from .dla import AggregationDecoder
from .encoders import ENCODERS, build_encoder
from .pretrained import apply_pretrained
from .segmentation import SegmentationModel
from .unet import UNetDecoder
from .unetpp import NestedDecoder

# Adding an architecture: its decoder module in models/, one entry here, then regenerate
# networks.json (`python -m tandem_trainer networks > networks.json`).
ARCHS = {"unet": UNetDecoder, "unetpp": NestedDecoder, "dla": AggregationDecoder}
DEFAULT_ARCH, DEFAULT_ENCODER = "unet", "densenet121"
DEFAULT_WIDTH = 16  # decoder channels (256, 128, 64, 32, 16), as in the paper's Keras models


def create_model(
    arch: str, encoder: str, *, pretrained: str | None = None, freeze_encoder: bool = False, width: int | None = None
) -> SegmentationModel:
    """Build a segmentation net: N x 3 x H x W (ImageNet-normalised) -> N x 1 x H x W logits.

    pretrained: None (random init), "imagenet" (torchvision cache only), or a weights file.
    width: channels of the last decoder stage; each coarser stage doubles it.
    """
    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; choose one of {sorted(ARCHS)}")
    if encoder not in ENCODERS:
        raise ValueError(f"unknown encoder {encoder!r}; choose one of {sorted(ENCODERS)}")
    width = DEFAULT_WIDTH if width is None else int(width)
    if width < 1:
        raise ValueError("width must be a positive integer")
    backbone = build_encoder(encoder)
    model = SegmentationModel(backbone, ARCHS[arch](backbone.channels, width), arch, encoder)
    model.weights_source = apply_pretrained(model, pretrained)
    if freeze_encoder:
        model.freeze_encoder()
    return model
