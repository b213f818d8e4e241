"""Read tensors from weight files without ever unpickling arbitrary objects.

.safetensors and .npz are parsed as plain data; .pt/.pth/.ckpt go through
torch.load(weights_only=True), refused on a torch that lacks it.
"""
from __future__ import annotations

import json
import os
import pickle
import struct

import numpy as np
import torch

from .. import compat
from ..errors import WeightsError

_SAFETENSORS_DTYPES = {
    "F64": np.float64,
    "F32": np.float32,
    "F16": np.float16,
    "I64": np.int64,
    "I32": np.int32,
    "I16": np.int16,
    "I8": np.int8,
    "U8": np.uint8,
    "BOOL": np.bool_,
}
_MAX_HEADER = 100 * 1024 * 1024
_NESTED_KEYS = ("state_dict", "model_state_dict", "model", "net", "weights")


def read_state(path: str) -> dict[str, torch.Tensor]:
    if not os.path.isfile(path):
        raise WeightsError(f"weights file not found: {path}")
    lower = path.lower()
    try:
        if lower.endswith(".safetensors"):
            state = read_safetensors(path)
        elif lower.endswith(".npz"):
            with np.load(path, allow_pickle=False) as archive:
                state = {k: torch.from_numpy(archive[k].copy()) for k in archive.files}
        else:
            state = _unwrap(compat.load_tensors_only(path))
    except WeightsError:
        raise
    except pickle.UnpicklingError as exc:
        raise WeightsError(
            f"{path} holds objects that torch {torch.__version__} will not load safely "
            f"(weights_only): {str(exc).splitlines()[0][:200]}; save only the state dict, or convert "
            "it to .safetensors or .npz"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
        raise WeightsError(f"cannot read weights from {path}: {type(exc).__name__}: {exc}") from None
    tensors = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise WeightsError(f"no tensors found in {path}")
    return tensors


def _unwrap(obj):
    """Training checkpoints often nest the state dict under a key like 'state_dict'."""
    while isinstance(obj, dict):
        nested = next((obj[k] for k in _NESTED_KEYS if isinstance(obj.get(k), dict)), None)
        if nested is None or any(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj
        obj = nested
    raise WeightsError("checkpoint is not a dictionary of tensors")


def read_safetensors(path: str) -> dict[str, torch.Tensor]:
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        (header_len,) = struct.unpack("<Q", handle.read(8))
        if header_len > min(_MAX_HEADER, size - 8):
            raise WeightsError(f"{path}: safetensors header length {header_len} is invalid")
        header = json.loads(handle.read(header_len))
        data = handle.read()
    state = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = info.get("dtype")
        begin, end = info["data_offsets"]
        shape = [int(d) for d in info["shape"]]
        if not 0 <= begin <= end <= len(data):
            raise WeightsError(f"{path}: tensor {name} lies outside the file")
        raw = data[begin:end]
        if dtype == "BF16":
            bits = np.frombuffer(raw, dtype=np.int16).copy()
            tensor = torch.from_numpy(bits).view(torch.bfloat16).float()
        elif dtype in _SAFETENSORS_DTYPES:
            tensor = torch.from_numpy(np.frombuffer(raw, dtype=_SAFETENSORS_DTYPES[dtype]).copy())
        else:
            raise WeightsError(f"{path}: unsupported dtype {dtype} for {name}")
        if tensor.numel() != int(np.prod(shape, dtype=np.int64)):
            raise WeightsError(f"{path}: tensor {name} size does not match its shape")
        state[name] = tensor.reshape(shape)
    return state


def write_safetensors(path: str, state: dict[str, torch.Tensor]) -> None:
    """Minimal writer (float32/float16/int64 tensors), used by tests and for converting weights."""
    names = {torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.int64: "I64"}
    header, chunks, offset = {}, [], 0
    for key, tensor in state.items():
        raw = tensor.detach().cpu().contiguous().numpy().tobytes()
        header[key] = {
            "dtype": names[tensor.dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode()
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))
