from __future__ import annotations

import os
import random

import numpy as np
import torch

from ..errors import SpecError


def pick_device(requested: str) -> torch.device:
    if requested == "cuda" and not torch.cuda.is_available():
        raise SpecError("device 'cuda' was requested but CUDA is not available")
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(requested)


def apply_thread_limit() -> None:
    """TANDEM_TRAIN_THREADS caps torch's CPU threads. On a shared 2-core machine OpenMP threads
    that spin-wait for a descheduled sibling made a step 4-9x slower than one thread."""
    value = os.environ.get("TANDEM_TRAIN_THREADS")
    if not value:
        return
    if not value.isdigit() or int(value) < 1:
        raise SpecError(f"TANDEM_TRAIN_THREADS must be a positive integer, got {value!r}")
    torch.set_num_threads(int(value))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def loader_workers(requested: int | None, cached: bool) -> int:
    if requested is not None:
        return requested
    # Cached samples are already decoded: indexing them in-process is faster than workers.
    return 0 if cached else min(4, os.cpu_count() or 1)
