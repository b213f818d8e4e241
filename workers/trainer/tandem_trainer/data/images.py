"""Read CXR images and masks as fixed-size arrays, with pixel caps against oversized files."""
from __future__ import annotations

import numpy as np
from PIL import Image

from ..errors import DataError

MAX_PIXELS = 60_000_000  # a 7000 x 8500 radiograph; far beyond any CXR we expect


def _open(path: str) -> Image.Image:
    try:
        image = Image.open(path)
    except FileNotFoundError:
        raise DataError(f"file not found: {path}") from None
    except Exception as exc:  # noqa: BLE001 - PIL raises many kinds for bad files
        raise DataError(f"cannot read image {path}: {exc}") from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        image.close()
        raise DataError(f"{path}: {width}x{height} pixels is outside the allowed size")
    return image


def image_size(path: str) -> tuple[int, int]:
    """(width, height) from the header only."""
    with _open(path) as image:
        return image.size


def read_gray(path: str, size: int) -> np.ndarray:
    """size x size uint8 grayscale (bilinear resize of the 8-bit image)."""
    with _open(path) as image:
        try:
            if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
                image = _wide_to_8bit(image)
            elif image.mode != "L":
                image = image.convert("L")
            resized = image.resize((size, size), Image.BILINEAR)
        except Exception as exc:  # noqa: BLE001
            raise DataError(f"cannot decode image {path}: {exc}") from None
        return np.asarray(resized, dtype=np.uint8).copy()


def _wide_to_8bit(image: Image.Image) -> Image.Image:
    values = np.asarray(image, dtype=np.float64)
    top = 65535.0 if image.mode.startswith("I;16") else max(1.0, float(values.max()))
    return Image.fromarray(np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8), mode="L")


def read_mask(path: str | None, size: int) -> np.ndarray:
    """size x size uint8 in {0, 1}; None means the empty mask (a control image)."""
    if path is None:
        return np.zeros((size, size), dtype=np.uint8)
    with _open(path) as image:
        try:
            binary = mask_foreground(image)
        except Exception as exc:  # noqa: BLE001
            raise DataError(f"cannot decode mask {path}: {exc}") from None
    resized = Image.fromarray(binary.astype(np.uint8) * 255, mode="L").resize((size, size), Image.NEAREST)
    return (np.asarray(resized) > 127).astype(np.uint8)


def mask_foreground(image: Image.Image) -> np.ndarray:
    """Boolean foreground at native size: values > 127 ({0,255} masks), or 1 in {0,1} masks."""
    if image.mode in ("1", "L", "I", "I;16", "I;16B", "I;16L"):
        values = np.asarray(image)
    else:  # palette/colour masks: any strong channel counts
        values = np.asarray(image.convert("RGB")).max(axis=2)
    top = values.max() if values.size else 0
    return values >= 1 if top == 1 else values > 127
