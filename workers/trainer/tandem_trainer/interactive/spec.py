"""interactive spec.json: the segmentation spec's samples, plus click-training settings."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..data.samples import Sample
from ..errors import SpecError
from ..spec import DEVICES, _choice, _int, _samples, read_spec_file

KNOWN_KEYS = {
    "size",
    "epochs",
    "batch_size",
    "lr",
    "schedule",
    "seed",
    "device",
    "max_clicks",
    "train",
    "val",
    "version",
}
SCHEDULES = ("constant", "cosine")


@dataclass
class InteractiveSpec:
    train: list[Sample]
    val: list[Sample] = field(default_factory=list)
    size: int = 128
    epochs: int = 30
    batch_size: int = 8
    lr: float = 1e-3
    schedule: str = "constant"  # "cosine": the learning rate decays to 0 over the run (per step)
    seed: int = 0
    device: str = "auto"
    max_clicks: int = 10  # training simulates 1..max_clicks clicks, the later ones on the model's own output
    version: str = "dev"  # recorded in meta.json and, through the worker, in each mask's provenance

    def public(self) -> dict:
        return {
            k: getattr(self, k)
            for k in ("size", "epochs", "batch_size", "lr", "schedule", "seed", "device", "max_clicks", "version")
        }


def parse_interactive_spec(raw, base_dir: str = ".") -> InteractiveSpec:
    if not isinstance(raw, dict):
        raise SpecError("spec must be a JSON object")
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise SpecError(f"unknown spec keys: {', '.join(unknown)}")
    size = _int(raw, "size", 128, 32, 1024)
    if size % 32:
        raise SpecError(f"'size' must be a multiple of 32, got {size}")
    lr = raw.get("lr", 1e-3)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < 1:
        raise SpecError(f"'lr' must be a number in (0, 1), got {lr!r}")
    version = raw.get("version", "dev")
    if not isinstance(version, str) or not 0 < len(version) <= 100:
        raise SpecError("'version' must be a non-empty string of at most 100 characters")
    return InteractiveSpec(
        train=_samples(raw.get("train"), "train", base_dir, required=True),
        val=_samples(raw.get("val"), "val", base_dir, required=False),
        size=size,
        epochs=_int(raw, "epochs", 30, 1, 10_000),
        batch_size=_int(raw, "batch_size", 8, 1, 1024),
        lr=float(lr),
        schedule=_choice(raw, "schedule", SCHEDULES, "constant"),
        seed=_int(raw, "seed", 0, 0, 2**31 - 1),
        device=_choice(raw, "device", DEVICES, "auto"),
        max_clicks=_int(raw, "max_clicks", 10, 1, 50),
        version=version,
    )


def load_interactive_spec(path: str) -> InteractiveSpec:
    raw, base_dir = read_spec_file(path)
    return parse_interactive_spec(raw, base_dir=base_dir)
