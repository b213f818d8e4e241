"""Datasets yielding uint8 tensors; decoded images may be cached in memory."""
from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from torch.utils.data import Dataset

from .images import read_gray, read_mask
from .samples import Sample

log = logging.getLogger("tandem_trainer")
CACHE_LIMIT_BYTES = int(os.environ.get("TANDEM_CACHE_BYTES", 8 * 1024**3))


class SegmentationDataset(Dataset):
    """Item i -> (image 1xSxS uint8, mask 1xSxS uint8 {0,1}, label 0/1)."""

    def __init__(self, samples: list[Sample], size: int, cache: bool | None = None):
        self.samples, self.size = list(samples), size
        if cache is None:
            cache = 2 * size * size * len(self.samples) <= CACHE_LIMIT_BYTES
        self.images = self.masks = None
        if cache and self.samples:
            self._fill_cache()

    def _fill_cache(self) -> None:
        # PIL releases the GIL while decoding, so threads speed this up.
        workers = min(8, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pairs = list(pool.map(self._read, range(len(self.samples))))
        self.images = torch.from_numpy(np.stack([p[0] for p in pairs]))
        self.masks = torch.from_numpy(np.stack([p[1] for p in pairs]))
        log.debug("cached %d samples at %dx%d", len(self.samples), self.size, self.size)

    @property
    def cached(self) -> bool:
        return self.images is not None

    def _read(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        sample = self.samples[index]
        return read_gray(sample.image, self.size), read_mask(sample.mask, self.size)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        if self.cached:
            image, mask = self.images[index], self.masks[index]
        else:
            image_np, mask_np = self._read(index)
            image, mask = torch.from_numpy(image_np), torch.from_numpy(mask_np)
        return image.unsqueeze(0), mask.unsqueeze(0), int(self.samples[index].positive)


class PlannedEpoch(Dataset):
    """One epoch's (index, augment) plan over a base dataset."""

    def __init__(self, base: SegmentationDataset, plan: list[tuple[int, bool]]):
        self.base, self.plan = base, plan

    def __len__(self) -> int:
        return len(self.plan)

    def __getitem__(self, position: int):
        index, augment = self.plan[position]
        image, mask, label = self.base[index]
        return image, mask, label, augment


class ImageOnlyDataset(Dataset):
    """For prediction: (image 1xSxS uint8, position)."""

    def __init__(self, paths: list[str], size: int):
        self.paths, self.size = paths, size

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int):
        return torch.from_numpy(read_gray(self.paths[index], self.size)).unsqueeze(0), index
