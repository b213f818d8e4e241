"""Load pretrained weights into a model: ImageNet (torchvision cache), or a local file.

Nothing is downloaded at run time. A local file may hold encoder weights (ImageNet,
CheXNet, ...) or a whole Tandem model (e.g. best.pt of an earlier run).
"""
from __future__ import annotations

import logging
import os

import torch

from ..errors import WeightsError
from .key_matching import countable_keys, match_state
from .segmentation import SegmentationModel
from .weight_files import read_state

log = logging.getLogger("tandem_trainer")

# torchvision file names; any of them in the cache is accepted.
IMAGENET_FILES = {
    "densenet121": ("densenet121-a639ec97.pth",),
    "resnet50": ("resnet50-11ad3fa6.pth", "resnet50-0676ba61.pth"),
    "resnet18": ("resnet18-f37072fd.pth", "resnet18-5c106cde.pth"),
    "squeezenet1_1": ("squeezenet1_1-b8a52dc0.pth",),
    "inception_v3": ("inception_v3_google-0cc3c7bd.pth", "inception_v3_google-1a9a5a14.pth"),
}
_MIN_COVERAGE = 0.95


def weight_dirs() -> list[str]:
    dirs = [os.path.join(torch.hub.get_dir(), "checkpoints")]
    if os.environ.get("TANDEM_WEIGHTS_DIR"):
        dirs.insert(0, os.environ["TANDEM_WEIGHTS_DIR"])
    return dirs


def find_imagenet_file(encoder: str) -> str:
    if encoder == "chexnet":
        raise WeightsError(
            "encoder 'chexnet' needs a CheXNet checkpoint file (--weights <file>), not --weights imagenet"
        )
    if encoder not in IMAGENET_FILES:
        raise WeightsError(f"no ImageNet weights exist for encoder {encoder!r}")
    for directory in weight_dirs():
        for name in IMAGENET_FILES[encoder]:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                return path
    raise WeightsError(
        f"--weights imagenet: ImageNet weights for {encoder} are not available offline (looked for "
        f"{' or '.join(IMAGENET_FILES[encoder])} in {', '.join(weight_dirs())}); Tandem never downloads "
        f"at run time. Get the torchvision file {IMAGENET_FILES[encoder][0]} on a connected machine "
        f"(e.g. torchvision.models.{encoder}(weights='IMAGENET1K_V1') fills $TORCH_HOME/hub/checkpoints), "
        "then `npx tandem weights import <file>` here, or pass a weights file with --weights <file>"
    )


def apply_pretrained(model: SegmentationModel, pretrained: str | None) -> str:
    """Load weights into `model`; returns a short description for logs and metrics."""
    return load_weights(model, model.encoder, model.encoder_name, "encoder", pretrained)


def load_weights(
    model: torch.nn.Module, part: torch.nn.Module, name: str, part_name: str, pretrained: str | None
) -> str:
    """Load `pretrained` (None, "imagenet" or a file) into `model`: the whole model when the file holds
    one, else into `part` (a segmentation model's encoder, a classifier's backbone). `name` picks the
    ImageNet file; returns "random", "model:<file>" or "<part_name>:<imagenet|file>" for logs and metrics."""
    if pretrained is None:
        log.info("no pretrained weights: %s %s randomly initialised", name, part_name)
        return "random"
    path = find_imagenet_file(name) if pretrained == "imagenet" else pretrained
    source = read_state(path)
    # An ImageNet file is a backbone with a 1000-class head, never a whole model of ours: it is
    # loaded and reported as `part` weights.
    whole = {} if pretrained == "imagenet" else match_state(model.state_dict(), source)
    if whole and _coverage(whole, model.state_dict()) >= _MIN_COVERAGE:
        model.load_state_dict(whole, strict=False)
        log.info("loaded whole-model weights from %s (%d tensors)", path, len(whole))
        return f"model:{os.path.basename(path)}"
    target = part.state_dict()
    mapped = match_state(target, source)
    if _coverage(mapped, target) < _MIN_COVERAGE:
        raise WeightsError(
            f"weights in {path} do not fit {part_name} {name}: matched "
            f"{len(countable_keys(mapped))} of {len(countable_keys(target))} tensors"
        )
    part.load_state_dict(mapped, strict=False)
    log.info("loaded %s %s weights from %s (%d tensors)", name, part_name, path, len(mapped))
    return f"{part_name}:{'imagenet' if pretrained == 'imagenet' else os.path.basename(path)}"


def _coverage(mapped: dict, target: dict) -> float:
    needed = countable_keys(target)
    return sum(k in mapped for k in needed) / max(1, len(needed))
