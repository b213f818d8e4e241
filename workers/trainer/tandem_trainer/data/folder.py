"""Scan a CV folder: images/<stem>.png with masks/<stem>.png of the same size.

A mask with no foreground marks a control image. An optional meta.csv (columns id,
patient and optionally label) groups images by patient and may label controls that
have no mask file.
"""
from __future__ import annotations

import csv
import os

from PIL import Image

from ..errors import DataError
from .images import image_size, mask_foreground
from .samples import CONTROL, COVID, LABELS, Sample

IMAGE_EXTENSIONS = (".png",)


def _stems(directory: str) -> dict[str, str]:
    if not os.path.isdir(directory):
        raise DataError(f"folder not found: {directory}")
    found = {}
    for name in sorted(os.listdir(directory)):
        stem, ext = os.path.splitext(name)
        if ext.lower() in IMAGE_EXTENSIONS and not name.startswith("."):
            if stem in found:
                raise DataError(f"two files share the stem {stem!r} in {directory}")
            found[stem] = os.path.join(directory, name)
    return found


def _read_meta(path: str) -> dict[str, dict[str, str]]:
    if not os.path.isfile(path):
        return {}
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "id" not in rows[0]:
        raise DataError(f"{path} needs an 'id' column")
    meta = {row["id"]: row for row in rows}
    for row in rows:
        if row.get("label") and row["label"] not in LABELS:
            raise DataError(f"{path}: label {row['label']!r} for {row['id']} is not one of {LABELS}")
    return meta


def scan_folder(root: str) -> list[Sample]:
    images = _stems(os.path.join(root, "images"))
    masks = _stems(os.path.join(root, "masks"))
    meta = _read_meta(os.path.join(root, "meta.csv"))
    if not images:
        raise DataError(f"no PNG images in {os.path.join(root, 'images')}")
    orphans = sorted(set(masks) - set(images))
    if orphans:
        raise DataError(
            f"masks without an image: {', '.join(orphans[:10])}"
            + (f" (+{len(orphans) - 10} more)" if len(orphans) > 10 else "")
        )
    samples = []
    for stem, image_path in images.items():
        row = meta.get(stem, {})
        mask_path = masks.get(stem)
        if mask_path is None:
            if row.get("label") != CONTROL:
                raise DataError(
                    f"image {stem!r} has no mask in masks/ (a control needs an all-zero "
                    "mask, or label 'control' in meta.csv)"
                )
            label = CONTROL
        else:
            if image_size(image_path) != image_size(mask_path):
                raise DataError(f"{stem!r}: image is {image_size(image_path)} but mask is {image_size(mask_path)}")
            with Image.open(mask_path) as mask_image:
                has_foreground = bool(mask_foreground(mask_image).any())
            label = row.get("label") or (COVID if has_foreground else CONTROL)
        samples.append(
            Sample(id=stem, image=image_path, mask=mask_path, label=label, patient=row.get("patient") or None)
        )
    return samples
