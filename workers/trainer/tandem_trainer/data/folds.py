"""k folds grouped by patient (no patient in two folds) and stratified by label."""
from __future__ import annotations

import random
from collections import Counter, defaultdict

from .samples import Sample


def make_folds(items: list[Sample], k: int, seed: int = 0) -> list[list[Sample]]:
    """Deterministic for a given (items, k, seed), whatever the input order.

    Patients are placed largest first into the fold that, after adding them, is least
    filled relative to its share of each label they carry (ties: the smaller fold).
    """
    if k < 2:
        raise ValueError("k must be at least 2")
    groups: dict[str, list[Sample]] = defaultdict(list)
    for item in sorted(items, key=lambda s: s.id):
        groups[item.group].append(item)
    if len(groups) < k:
        raise ValueError(f"{len(groups)} patients cannot fill {k} folds")
    label_totals = Counter(item.label for item in items)
    order = sorted(groups)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda g: -len(groups[g]))  # stable: shuffled order breaks size ties

    fold_labels = [Counter() for _ in range(k)]
    fold_sizes = [0] * k
    folds: list[list[Sample]] = [[] for _ in range(k)]
    for name in order:
        members = groups[name]
        carried = Counter(m.label for m in members)

        def fill_after(f: int) -> tuple[float, int, int]:
            worst = max((fold_labels[f][lab] + n) / label_totals[lab] for lab, n in carried.items())
            return worst, fold_sizes[f], f

        best = min(range(k), key=fill_after)
        folds[best].extend(members)
        fold_labels[best].update(carried)
        fold_sizes[best] += len(members)
    return folds


def split(folds: list[list[Sample]], held_out: int) -> tuple[list[Sample], list[Sample]]:
    """(train, test) for one fold."""
    train = [s for i, fold in enumerate(folds) if i != held_out for s in fold]
    return train, list(folds[held_out])
