"""Synthetic CXR-like data: noise with bright random ellipses as the "infection"."""
from __future__ import annotations

import os

import numpy as np
from PIL import Image


def ellipse_mask(rng: np.random.Generator, size: int, count: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    mask = np.zeros((size, size), dtype=bool)
    for _ in range(count):
        cy, cx = rng.uniform(0.25, 0.75, 2) * size
        ry, rx = rng.uniform(0.08, 0.2, 2) * size
        mask |= ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
    return mask


def synthetic_case(rng: np.random.Generator, size: int, covid: bool) -> tuple[np.ndarray, np.ndarray]:
    image = rng.normal(90, 20, (size, size))
    mask = ellipse_mask(rng, size, int(rng.integers(1, 3))) if covid else np.zeros((size, size), bool)
    image[mask] += 90
    return np.clip(image, 0, 255).astype(np.uint8), mask.astype(np.uint8) * 255


def write_cases(
    root: str, n_covid: int, n_control: int, size: int = 64, seed: int = 0, control_masks: bool = False
) -> list[dict]:
    """Write images/ and masks/ PNGs; returns spec items (controls get mask None unless asked)."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(root, "images"), exist_ok=True)
    os.makedirs(os.path.join(root, "masks"), exist_ok=True)
    items = []
    for n in range(n_covid + n_control):
        covid = n < n_covid
        image, mask = synthetic_case(rng, size, covid)
        case_id = f"{'cov' if covid else 'ctl'}{n:03d}"
        image_path = os.path.join(root, "images", f"{case_id}.png")
        Image.fromarray(image).save(image_path)
        mask_path = None
        if covid or control_masks:
            mask_path = os.path.join(root, "masks", f"{case_id}.png")
            Image.fromarray(mask).save(mask_path)
        items.append({"id": case_id, "image": image_path, "mask": mask_path, "label": "covid" if covid else "control"})
    return items
