"""create_classifier(arch): the image-level COVID-19 vs control networks (Deep-COVID's four).

Kept apart from the segmentation ARCHS/ENCODERS: a classifier is never a mask model.
"""
from __future__ import annotations

import logging
import os

from ...errors import WeightsError
from ..key_matching import countable_keys, match_state
from ..weight_files import read_state
from .base import COVID_CLASS, Classifier
from .densenet import DenseNet121Classifier
from .resnet import ResNet18Classifier, ResNet50Classifier
from .squeezenet import SqueezeNetClassifier

log = logging.getLogger("tandem_trainer")

CLASSIFIERS: dict[str, type[Classifier]] = {
    "resnet18": ResNet18Classifier,
    "resnet50": ResNet50Classifier,
    "squeezenet1_1": SqueezeNetClassifier,
    "densenet121": DenseNet121Classifier,
}
_MIN_COVERAGE = 0.95


def create_classifier(arch: str, *, pretrained: str | None = None) -> Classifier:
    """N x 3 x H x W (ImageNet-normalised) -> N x 2 logits [control, covid].

    pretrained: None (random init), "imagenet" (torchvision cache only; the 1000-class head is
    dropped), or a weights file (an earlier classifier's best.pt, or backbone weights).
    """
    if arch not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {arch!r}; choose one of {sorted(CLASSIFIERS)}")
    model = CLASSIFIERS[arch]()
    model.weights_source = _apply_pretrained(model, pretrained)
    return model


def _apply_pretrained(model: Classifier, pretrained: str | None) -> str:
    if pretrained is None:
        log.info("no pretrained weights: %s randomly initialised", model.arch)
        return "random"
    from ..pretrained import find_imagenet_file

    path = find_imagenet_file(model.arch) if pretrained == "imagenet" else pretrained
    source = read_state(path)
    # An ImageNet file is a backbone with a 1000-class head: never a whole classifier (its
    # head cannot fit), so it is loaded and reported as backbone weights.
    whole = {} if pretrained == "imagenet" else match_state(model.state_dict(), source)
    if whole and _coverage(whole, model.state_dict()) >= _MIN_COVERAGE:
        model.load_state_dict(whole, strict=False)
        return f"model:{os.path.basename(path)}"
    target = model.features.state_dict()
    mapped = match_state(target, source)
    if _coverage(mapped, target) < _MIN_COVERAGE:
        raise WeightsError(
            f"weights in {path} do not fit classifier {model.arch}: matched "
            f"{len(countable_keys(mapped))} of {len(countable_keys(target))} backbone tensors"
        )
    model.features.load_state_dict(mapped, strict=False)
    log.info("loaded %s backbone weights from %s (%d tensors)", model.arch, path, len(mapped))
    return f"backbone:{'imagenet' if pretrained == 'imagenet' else os.path.basename(path)}"


def _coverage(mapped: dict, target: dict) -> float:
    needed = countable_keys(target)
    return sum(k in mapped for k in needed) / max(1, len(needed))


__all__ = ["CLASSIFIERS", "COVID_CLASS", "Classifier", "create_classifier"]
