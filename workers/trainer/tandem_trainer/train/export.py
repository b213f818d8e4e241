"""ONNX export of the deployable model (grayscale [0,1] in -> probabilities out, by name: "prob"
first, then "presence" for a network with a presence head; Node reads outputs by name, so a model
exported before the head existed still loads)."""
from __future__ import annotations

import copy
import hashlib
import warnings

import torch
from torch import nn

from .. import compat
from ..atomic import atomic_path
from ..models.wrapper import DeployModel, ProbabilityModel

OPSET = 13
INPUT_NAME, OUTPUT_NAME, PRESENCE_NAME = "image", "prob", "presence"


def segmentation_outputs(net: nn.Module, presence: bool = True) -> tuple[str, ...]:
    """presence=False leaves the head out: an untrained head (presence_weight 0) gives noise."""
    return (OUTPUT_NAME, PRESENCE_NAME) if presence and hasattr(net, "forward_both") else (OUTPUT_NAME,)


def export_onnx(net: nn.Module, size: int, path: str, presence: bool = True) -> str:
    """Write `path` atomically; returns the file's sha256."""
    outputs = segmentation_outputs(net, presence)
    deploy = DeployModel if len(outputs) == 2 else ProbabilityModel
    wrapper = deploy(copy.deepcopy(net).cpu().float()).eval()
    dummy = torch.rand(1, 1, size, size)
    with atomic_path(path) as tmp:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about shape-derived Python ints
            torch.onnx.export(
                wrapper,
                (dummy,),
                tmp,
                input_names=[INPUT_NAME],
                output_names=list(outputs),
                dynamic_axes={INPUT_NAME: {0: "batch"}, **{name: {0: "batch"} for name in outputs}},
                opset_version=OPSET,
                do_constant_folding=True,
                **compat.onnx_export_extra_kwargs(),
            )
    return sha256_file(path)


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


CLASSIFIER_OUTPUTS = ("prob", "cam")


def export_classifier_onnx(net: nn.Module, size: int, path: str) -> str:
    """image N x 1 x S x S in [0,1] -> prob N (P(COVID-19)), cam N x h x w (raw class activation
    map of COVID-19 at the last feature map's resolution; Node applies ReLU, scaling, resizing)."""
    from ..models.classifiers.deploy import ClassifierOutputs

    wrapper = ClassifierOutputs(copy.deepcopy(net).cpu().float()).eval()
    dummy = torch.rand(1, 1, size, size)
    with atomic_path(path) as tmp:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                (dummy,),
                tmp,
                input_names=[INPUT_NAME],
                output_names=list(CLASSIFIER_OUTPUTS),
                dynamic_axes={INPUT_NAME: {0: "batch"}, "prob": {0: "batch"}, "cam": {0: "batch"}},
                opset_version=OPSET,
                do_constant_folding=True,
                **compat.onnx_export_extra_kwargs(),
            )
    return sha256_file(path)
