"""create_classifier(arch): the image-level COVID-19 vs control networks (Deep-COVID's four).

Kept apart from the segmentation ARCHS/ENCODERS: a classifier is never a mask model.
"""
from __future__ import annotations

from ..pretrained import load_weights
from .base import COVID_CLASS, Classifier
from .densenet import DenseNet121Classifier
from .resnet import ResNet18Classifier, ResNet50Classifier
from .squeezenet import SqueezeNetClassifier

CLASSIFIERS: dict[str, type[Classifier]] = {
    "resnet18": ResNet18Classifier,
    "resnet50": ResNet50Classifier,
    "squeezenet1_1": SqueezeNetClassifier,
    "densenet121": DenseNet121Classifier,
}


def create_classifier(arch: str, *, pretrained: str | None = None) -> Classifier:
    """N x 3 x H x W (ImageNet-normalised) -> N x 2 logits [control, covid].

    pretrained: None (random init), "imagenet" (torchvision cache only; the 1000-class head is
    dropped), or a weights file (an earlier classifier's best.pt, or backbone weights).
    """
    if arch not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {arch!r}; choose one of {sorted(CLASSIFIERS)}")
    model = CLASSIFIERS[arch]()
    model.weights_source = load_weights(model, model.features, arch, "backbone", pretrained)
    return model


__all__ = ["CLASSIFIERS", "COVID_CLASS", "Classifier", "create_classifier"]
