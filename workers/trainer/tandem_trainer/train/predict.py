"""Probability maps for the spec's "predict" items, as PNG (uint8 = round(prob * 255))."""
from __future__ import annotations

import io
import os

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader

from ..atomic import atomic_write_bytes
from ..data.dataset import ImageOnlyDataset
from ..models.wrapper import ProbabilityModel


def probability_png(prob: np.ndarray) -> bytes:
    pixels = np.clip(np.rint(prob * 255.0), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


@torch.no_grad()
def write_predictions(
    net: nn.Module, items, size: int, out_dir: str, device: torch.device, batch_size: int, workers: int = 0
) -> int:
    """float32 (no autocast), so the maps are comparable with the ONNX model's output."""
    model = ProbabilityModel(net).to(device).eval()
    loader = DataLoader(ImageOnlyDataset([i.image for i in items], size), batch_size=batch_size, num_workers=workers)
    pred_dir = os.path.join(out_dir, "pred")
    os.makedirs(pred_dir, exist_ok=True)
    for images, positions in loader:
        probs = model(images.to(device).float().div_(255)).cpu().numpy()
        for prob, position in zip(probs, positions.tolist()):
            atomic_write_bytes(os.path.join(pred_dir, f"{items[position].id}.png"), probability_png(prob[0]))
    return len(items)
