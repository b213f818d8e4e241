"""The training job spec (spec.json): parsing and validation.

Relative paths are resolved against the spec file's folder.
"""
from __future__ import annotations

import json
import os
import re
import dataclasses
from dataclasses import dataclass, field

from .data.balance import AUGMENT_MODES
from .data.images import image_size
from .data.samples import CONTROL, LABELS, Sample
from .errors import DataError, SpecError
from .models.encoders import ENCODERS
from .models.classifiers import CLASSIFIERS
from .models.registry import ARCHS, DEFAULT_WIDTH
from .presets import CLASSIFIER_PRESETS, PRESETS

SAFE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")  # becomes a file name under pred/
DEVICES = ("auto", "cpu", "cuda")
SELECT = ("last", "best", "best_dice")
SCHEDULES = ("constant", "cosine")
TASKS = ("segment", "classify")  # classify: image-level COVID-19 vs control (arch from CLASSIFIERS)


_NOT_RECORDED = ("train", "val", "predict", "workers")


@dataclass
class PredictItem:
    id: str
    image: str


@dataclass
class TrainSpec:
    arch: str
    encoder: str
    train: list[Sample]
    val: list[Sample] = field(default_factory=list)
    predict: list[PredictItem] = field(default_factory=list)
    pretrained: str | None = None
    freeze_encoder: bool = False
    width: int = DEFAULT_WIDTH
    size: int = 224
    epochs: int = 50
    batch_size: int = 32
    lr: float = 1e-4
    seed: int = 0
    device: str = "auto"
    augment: str = "balance"
    select: str = "last"
    workers: int | None = None
    preset: str | None = None
    steps: int | None = None  # optimizer-step budget; None = epochs x steps per epoch
    max_epochs: int | None = None  # caps a step budget on small data (passes over the training images)
    warmup_steps: int = 0
    schedule: str = "constant"
    intensity: bool = False  # random gamma / contrast / brightness on augmented samples
    flip: bool = False  # random left-right mirroring of augmented samples (infection is bilateral or either side)
    flip_tta: bool = False  # evaluate and export the mean of the image's and its mirror's logits
    shift_tta: bool = False  # ...and of its four one-pixel shifts (5x the inference compute; for small models)
    monitor_threshold: bool = False  # binarisation threshold chosen on the monitor split, built into model.onnx
    monitor_fraction: float = 0.0  # training images held back to select the checkpoint
    eval_every: int | None = None  # steps between evaluations (a "round"); None = one epoch
    patience: int | None = None  # rounds without a better selection score before stopping
    detection_sensitivity: float = 0.95  # target of the calibrated detection rule
    focal_alpha: float = 0.25  # weight of the focal term's positive pixels (paper 0.25; 0.5 = balanced)
    presence_weight: float = 0.5  # weight of the presence head's BCE beside the mask loss; 0 = untrained head
    task: str = "segment"

    def public(self) -> dict:
        """Settings recorded in metrics.json (no sample lists)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in _NOT_RECORDED}


def read_spec_file(path: str):
    """The spec file's JSON and the folder its relative paths resolve against."""
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"spec is not valid JSON: {exc}") from None
    return raw, os.path.dirname(os.path.abspath(path))


def load_spec(path: str) -> TrainSpec:
    raw, base_dir = read_spec_file(path)
    return parse_spec(raw, base_dir=base_dir)


def _choice(raw: dict, key: str, options, default=None):
    value = raw.get(key, default)
    if value not in options:
        raise SpecError(f"'{key}' must be one of {sorted(options)}, got {value!r}")
    return value


def _int(raw: dict, key: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(f"'{key}' must be an integer in [{low}, {high}], got {value!r}")
    return value


def _bool(raw: dict, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise SpecError(f"'{key}' must be true or false")
    return value


def _path(value, base_dir: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise SpecError(f"{what} must be a non-empty path string")
    return value if os.path.isabs(value) else os.path.join(base_dir, value)


def _samples(raw_items, key: str, base_dir: str, required: bool, masks_needed: bool = True) -> list[Sample]:
    if raw_items is None and not required:
        return []
    if not isinstance(raw_items, list) or (required and not raw_items):
        raise SpecError(f"'{key}' must be a {'non-empty ' if required else ''}list of samples")
    samples = []
    for n, item in enumerate(raw_items):
        where = f"{key}[{n}]"
        if not isinstance(item, dict):
            raise SpecError(f"{where} must be an object")
        sample_id = item.get("id")
        if not isinstance(sample_id, str) or not SAFE_ID.match(sample_id):
            raise SpecError(f"{where}.id must match {SAFE_ID.pattern}, got {sample_id!r}")
        label = item.get("label")
        if label not in LABELS:
            raise SpecError(f"{where}.label must be one of {list(LABELS)}, got {label!r}")
        mask = item.get("mask")
        if mask is None and label != CONTROL and masks_needed:
            raise SpecError(f"{where}: a covid sample needs a mask")
        patient = item.get("patient")
        samples.append(
            Sample(
                id=sample_id,
                image=_path(item.get("image"), base_dir, f"{where}.image"),
                mask=None if mask is None else _path(mask, base_dir, f"{where}.mask"),
                label=label,
                patient=None if patient is None else str(patient),
            )
        )
    _unique_ids([s.id for s in samples], key)
    return samples


def _predict_items(raw_items, base_dir: str) -> list[PredictItem]:
    if raw_items is None:
        return []
    if not isinstance(raw_items, list):
        raise SpecError("'predict' must be a list")
    items = []
    for n, item in enumerate(raw_items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not SAFE_ID.match(item["id"]):
            raise SpecError(f"predict[{n}] needs an id matching {SAFE_ID.pattern}")
        items.append(PredictItem(id=item["id"], image=_path(item.get("image"), base_dir, f"predict[{n}].image")))
    _unique_ids([i.id for i in items], "predict")
    return items


def _unique_ids(ids: list[str], key: str) -> None:
    seen = set()
    for sample_id in ids:
        if sample_id in seen:
            raise SpecError(f"'{key}' has the id {sample_id!r} twice")
        seen.add(sample_id)


def _with_preset(raw: dict) -> dict:
    name = raw.get("preset")
    if name is None:
        return raw
    presets = CLASSIFIER_PRESETS if raw.get("task") == "classify" else PRESETS
    if name not in presets:
        raise SpecError(
            f"'preset' must be one of {sorted(presets)} for task {raw.get('task', 'segment')!r}, " f"got {name!r}"
        )
    merged = dict(presets[name]["settings"])
    merged.update({k: v for k, v in raw.items()})
    return merged


def _optional_int(raw: dict, key: str, low: int, high: int) -> int | None:
    return None if raw.get(key) is None else _int(raw, key, 0, low, high)


def _fraction(raw: dict, key: str, default: float, low: float, high: float, open_low: bool = False) -> float:
    value = raw.get(key, default)
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and (low < value if open_low else low <= value)
        and value <= high
    )
    if not ok:
        raise SpecError(f"'{key}' must be a number in {'(' if open_low else '['}{low}, {high}], got {value!r}")
    return float(value)


def _classifier_encoder(raw: dict, arch: str) -> str:
    """A classifier is one network: 'encoder' is absent or repeats 'arch'."""
    if raw.get("encoder") not in (None, arch):
        raise SpecError(
            f"task 'classify' takes no encoder (the classifier {arch!r} is the whole network), "
            f"got encoder {raw.get('encoder')!r}"
        )
    return arch


def parse_spec(raw, base_dir: str = ".") -> TrainSpec:
    if not isinstance(raw, dict):
        raise SpecError("spec must be a JSON object")
    raw = _with_preset(raw)
    pretrained = raw.get("pretrained")
    if pretrained not in (None, "imagenet"):
        pretrained = _path(pretrained, base_dir, "'pretrained'")
    lr = raw.get("lr", 1e-4)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < 1:
        raise SpecError(f"'lr' must be a number in (0, 1), got {lr!r}")
    freeze = _bool(raw, "freeze_encoder", False)
    workers = raw.get("workers")
    if workers is not None:
        workers = _int(raw, "workers", 0, 0, 64)
    size = _int(raw, "size", 224, 32, 2048)
    if size % 32:
        raise SpecError(f"'size' must be a multiple of 32, got {size}")
    task = _choice(raw, "task", TASKS, "segment")
    classify = task == "classify"
    arch = _choice(raw, "arch", CLASSIFIERS if classify else ARCHS)
    spec = TrainSpec(
        task=task,
        arch=arch,
        encoder=_classifier_encoder(raw, arch) if classify else _choice(raw, "encoder", ENCODERS),
        train=_samples(raw.get("train"), "train", base_dir, required=True, masks_needed=not classify),
        val=_samples(raw.get("val"), "val", base_dir, required=False, masks_needed=not classify),
        predict=_predict_items(raw.get("predict"), base_dir),
        pretrained=pretrained,
        freeze_encoder=freeze,
        width=DEFAULT_WIDTH if raw.get("width") is None else _int(raw, "width", DEFAULT_WIDTH, 1, 256),
        size=size,
        epochs=_int(raw, "epochs", 50, 1, 10_000),
        batch_size=_int(raw, "batch_size", 32, 1, 4096),
        lr=float(lr),
        seed=_int(raw, "seed", 0, 0, 2**31 - 1),
        device=_choice(raw, "device", DEVICES, "auto"),
        augment=_choice(raw, "augment", AUGMENT_MODES, "balance"),
        select=_choice(raw, "select", SELECT, "last"),
        workers=workers,
        preset=raw.get("preset"),
        steps=_optional_int(raw, "steps", 1, 10_000_000),
        max_epochs=_optional_int(raw, "max_epochs", 1, 100_000),
        warmup_steps=_int(raw, "warmup_steps", 0, 0, 1_000_000),
        schedule=_choice(raw, "schedule", SCHEDULES, "constant"),
        intensity=_bool(raw, "intensity", False),
        flip=_bool(raw, "flip", False),
        flip_tta=_bool(raw, "flip_tta", False),
        shift_tta=_bool(raw, "shift_tta", False),
        monitor_threshold=_bool(raw, "monitor_threshold", False),
        monitor_fraction=_fraction(raw, "monitor_fraction", 0.0, 0.0, 0.5),
        eval_every=_optional_int(raw, "eval_every", 1, 10_000_000),
        patience=_optional_int(raw, "patience", 1, 10_000),
        detection_sensitivity=_fraction(raw, "detection_sensitivity", 0.95, 0.0, 1.0, open_low=True),
        presence_weight=_fraction(raw, "presence_weight", 0.5, 0.0, 10.0),
        focal_alpha=_fraction(raw, "focal_alpha", 0.25, 0.0, 1.0, open_low=True),
    )
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise SpecError(f"unknown spec keys: {', '.join(unknown)}")
    return spec


# Every spec key is a TrainSpec field; the sample lists and the loader's worker count are not
# settings of the model, so metrics.json leaves them out.
KNOWN_KEYS = {f.name for f in dataclasses.fields(TrainSpec)}


def check_files(spec: TrainSpec) -> None:
    """Every image and mask exists, decodes its header, and masks match their image's size."""
    for sample in spec.train + spec.val:
        try:
            size = image_size(sample.image)
            if sample.mask is not None and image_size(sample.mask) != size:
                raise SpecError(
                    f"sample {sample.id!r}: mask size {image_size(sample.mask)} " f"differs from image size {size}"
                )
        except DataError as exc:
            raise SpecError(f"sample {sample.id!r}: {exc}") from None
    for item in spec.predict:
        try:
            image_size(item.image)
        except DataError as exc:
            raise SpecError(f"predict {item.id!r}: {exc}") from None
