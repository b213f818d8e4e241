"""ONNX export of the interactive model (image + clicks in, probabilities out)."""
from __future__ import annotations

import copy
import warnings

import torch

from .. import compat
from ..atomic import atomic_path
from ..train.export import OPSET, sha256_file
from .network import InteractiveModel, InteractiveProbability

INPUTS, OUTPUT = ("image", "clicks"), "prob"


def export_interactive_onnx(model: InteractiveModel, size: int, path: str) -> str:
    """Write `path` atomically (batch axis dynamic, S x S fixed); returns its sha256."""
    wrapper = InteractiveProbability(copy.deepcopy(model).cpu().float()).eval()
    dummy = (torch.rand(1, 1, size, size), torch.zeros(1, 3, size, size))
    with atomic_path(path) as tmp:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                dummy,
                tmp,
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_axes={**{n: {0: "batch"} for n in INPUTS}, OUTPUT: {0: "batch"}},
                opset_version=OPSET,
                do_constant_folding=True,
                **compat.onnx_export_extra_kwargs(),
            )
    return sha256_file(path)
