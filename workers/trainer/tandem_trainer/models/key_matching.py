"""Map a foreign state dict onto a module's keys.

Checkpoints name the same tensors with different prefixes ("module.densenet121.features."
for CheXNet, "features." for torchvision, "encoder." for a whole Tandem model). We find
the (source prefix, target prefix) pair under which the most keys coincide with equal
shapes, and rename with it.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import torch

# Old torchvision/CheXNet DenseNet files say "denselayer1.norm.1.weight" for "norm1.weight".
_OLD_DENSENET = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:1|2)\.(?:weight|bias|running_mean|running_var))$"
)


def normalise_key(key: str) -> str:
    while key.startswith("module."):
        key = key[len("module.") :]
    match = _OLD_DENSENET.match(key)
    return match.group(1) + match.group(2) if match else key


def _splits(key: str):
    """(prefix, rest) for every split of `key` at a '.' boundary, including ('', key)."""
    yield "", key
    for pos, char in enumerate(key):
        if char == ".":
            yield key[: pos + 1], key[pos + 1 :]


def match_state(target: dict[str, torch.Tensor], source: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Return source tensors renamed to target keys (only those with equal shapes)."""
    source = {normalise_key(k): v for k, v in source.items()}
    target_by_rest = defaultdict(list)
    for key in target:
        for prefix, rest in _splits(key):
            if "." in rest:  # a bare "weight" would match everything
                target_by_rest[rest].append(prefix)
    votes = Counter()
    for key, tensor in source.items():
        for src_prefix, rest in _splits(key):
            for dst_prefix in target_by_rest.get(rest, ()):
                if target[dst_prefix + rest].shape == tensor.shape:
                    votes[(src_prefix, dst_prefix)] += 1
    if not votes:
        return {}
    (src_prefix, dst_prefix), _ = max(votes.items(), key=lambda kv: (kv[1], -len(kv[0][0]) - len(kv[0][1])))
    mapped = {}
    for key, tensor in source.items():
        if key.startswith(src_prefix):
            name = dst_prefix + key[len(src_prefix) :]
            if name in target and target[name].shape == tensor.shape:
                mapped[name] = tensor
    return mapped


def countable_keys(state: dict[str, torch.Tensor]) -> list[str]:
    """Keys that must be covered by a checkpoint (BatchNorm step counters are optional)."""
    return [k for k in state if not k.endswith("num_batches_tracked")]
