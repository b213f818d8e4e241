"""ONNX export of the deployable model (grayscale [0,1] in -> probabilities out)."""
from __future__ import annotations

import copy
import hashlib
import warnings

import torch
from torch import nn

from .. import compat
from ..atomic import atomic_path
from ..models.wrapper import ProbabilityModel

OPSET = 13
INPUT_NAME, OUTPUT_NAME = "image", "prob"


def export_onnx(net: nn.Module, size: int, path: str) -> str:
    """Write `path` atomically; returns the file's sha256."""
    wrapper = ProbabilityModel(copy.deepcopy(net).cpu().float()).eval()
    dummy = torch.rand(1, 1, size, size)
    with atomic_path(path) as tmp:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about shape-derived Python ints
            torch.onnx.export(
                wrapper, (dummy,), tmp,
                input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
                opset_version=OPSET, do_constant_folding=True,
                **compat.onnx_export_extra_kwargs(),
            )
    return sha256_file(path)


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
