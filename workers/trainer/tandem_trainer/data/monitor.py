"""The monitor split: training images held back to select the checkpoint and stop early,
so that the reported held-out fold is never used for either."""
from __future__ import annotations

import random

from .samples import Sample

MIN_MONITOR = 4


def split_monitor(samples: list[Sample], fraction: float, seed: int) -> tuple[list[Sample], list[Sample]]:
    """(fit, monitor), stratified by label and grouped by patient; deterministic for a seed."""
    if fraction <= 0 or len(samples) < 2 * MIN_MONITOR:
        return list(samples), []
    groups: dict[str, list[Sample]] = {}
    for sample in sorted(samples, key=lambda s: s.id):
        groups.setdefault(sample.group, []).append(sample)
    rng = random.Random(seed + 7919)
    monitor: list[Sample] = []
    for label in sorted({s.label for s in samples}):
        names = sorted(g for g, members in groups.items() if members[0].label == label)
        rng.shuffle(names)
        wanted = max(1, round(fraction * sum(len(groups[g]) for g in names)))
        taken = 0
        for name in names:
            if taken >= wanted:
                break
            monitor.extend(groups[name])
            taken += len(groups[name])
    if len(monitor) < MIN_MONITOR:
        return list(samples), []
    chosen = {s.id for s in monitor}
    return [s for s in samples if s.id not in chosen], monitor
