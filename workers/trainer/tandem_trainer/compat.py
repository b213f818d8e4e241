"""Shims so one code base runs on torch 1.13 (Debian, CPU) and torch 2.x (CUDA)."""
from __future__ import annotations

import contextlib
import inspect

import torch


def torch_load_has_weights_only() -> bool:
    return "weights_only" in inspect.signature(torch.load).parameters


def load_tensors_only(path: str):
    """torch.load that never unpickles arbitrary objects; refuses on torch without weights_only."""
    if not torch_load_has_weights_only():
        from .errors import WeightsError

        raise WeightsError(
            f"torch {torch.__version__} cannot load checkpoints safely (no weights_only); "
            "convert the weights to .safetensors or .npz"
        )
    return torch.load(path, map_location="cpu", weights_only=True)


def autocast(device_type: str, enabled: bool):
    """float16 autocast on CUDA; a no-op elsewhere (CPU autocast rejects float16 on 1.13)."""
    if not enabled or device_type != "cuda":
        return contextlib.nullcontext()
    return torch.autocast(device_type="cuda", dtype=torch.float16)


def grad_scaler(enabled: bool):
    amp = getattr(torch, "amp", None)
    if amp is not None and hasattr(amp, "GradScaler"):
        return amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def onnx_export_extra_kwargs() -> dict:
    # torch >= 2.9 defaults to the dynamo exporter (needs onnxscript); keep the TorchScript one.
    params = inspect.signature(torch.onnx.export).parameters
    return {"dynamo": False} if "dynamo" in params else {}
