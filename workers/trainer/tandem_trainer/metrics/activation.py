"""How well an activation map agrees with an infection mask.

energy_inside: the share of the map's (non-negative) mass inside the mask.
pointing: whether the map's maximum falls inside the mask (the pointing game).
Both are defined only for images with a non-empty mask.
"""
from __future__ import annotations

import numpy as np


def map_agreement(heat: np.ndarray, mask: np.ndarray) -> dict | None:
    heat = np.clip(np.asarray(heat, dtype=np.float64), 0, None)
    mask = np.asarray(mask).astype(bool)
    if heat.shape != mask.shape:
        raise ValueError(f"map {heat.shape} and mask {mask.shape} differ in shape")
    if not mask.any():
        return None
    total = heat.sum()
    energy = float(heat[mask].sum() / total) if total > 0 else 0.0
    hit = bool(mask.flat[int(np.argmax(heat))]) if total > 0 else False
    return {"energy_inside": energy, "pointing": hit, "mask_fraction": float(mask.mean())}


def summarise_agreement(rows: list[dict | None]) -> dict:
    rows = [r for r in rows if r is not None]
    if not rows:
        return {"n": 0, "energy_inside": None, "pointing": None, "mask_fraction": None}
    return {
        "n": len(rows),
        "energy_inside": float(np.mean([r["energy_inside"] for r in rows])),
        "pointing": float(np.mean([r["pointing"] for r in rows])),
        "mask_fraction": float(np.mean([r["mask_fraction"] for r in rows])),
    }
