"""What a training job of either task shares (run.py: segmentation, classify.py: classification):
its start (and "start" event), its step budget and schedule, the head of metrics.json, the model.onnx record and the
"done" event. Each task keeps only what differs.
"""
from __future__ import annotations

import math
import os
import time

import torch

from .. import __version__
from ..spec import TrainSpec, check_files
from .device import pick_device, seed_everything
from .export import INPUT_NAME, OPSET
from .schedule import lr_factor

NORMALIZATION = "gray [0,1] -> 3 channels, ImageNet mean/std inside the model"


def begin_run(spec: TrainSpec, out_dir: str, check: bool, clear) -> tuple[float, torch.device]:
    """Clears what a previous attempt left (`clear(out_dir)`), checks the files, seeds; returns the start
    time and the device."""
    started = time.monotonic()
    os.makedirs(out_dir, exist_ok=True)
    clear(out_dir)
    if check:
        check_files(spec)
    seed_everything(spec.seed)
    return started, pick_device(spec.device)


def step_budget(spec: TrainSpec, plan_len: int) -> tuple[int, int]:
    """(optimizer steps per epoch, total steps): `steps` when the spec sets them, else whole epochs."""
    steps_per_epoch = math.ceil(plan_len / spec.batch_size)
    return steps_per_epoch, spec.steps or spec.epochs * steps_per_epoch


def lr_scheduler(optimizer, spec: TrainSpec, total: int):
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, total, spec.warmup_steps, spec.schedule))


def metrics_head(spec: TrainSpec, model, device: torch.device, amp: bool, params: dict) -> dict:
    """The first keys of metrics.json, the same for both tasks."""
    return {
        "format": 1,
        "trainer": __version__,
        "torch": torch.__version__,
        "spec": spec.public(),
        "weights": model.weights_source,
        "device": str(device),
        "amp": amp,
        "params": params,
        "train_samples": len(spec.train),
        "val_samples": len(spec.val),
    }


def emit_start(events, spec: TrainSpec, model, device: torch.device, amp: bool, params: dict, **budget) -> None:
    """The "start" event, the same for both tasks; `budget` holds the run's sample and step counts
    (and `task`, `encoder` where they differ from the segmentation defaults)."""
    events.emit(
        "start",
        **{"arch": spec.arch, "encoder": spec.encoder, **budget},
        device=str(device),
        amp=amp,
        params=params,
        weights=model.weights_source,
        val_samples=len(spec.val),
        preset=spec.preset,
    )


def onnx_record(spec: TrainSpec, sha256: str, **outputs) -> dict:
    """metrics.json's description of model.onnx; `outputs` names what the task's graph returns."""
    return {
        "file": "model.onnx",
        "sha256": sha256,
        "input": INPUT_NAME,
        **outputs,
        "input_shape": ["batch", 1, spec.size, spec.size],
        "opset": OPSET,
        "normalization": NORMALIZATION,
    }


def emit_done(events, out_dir: str, sha256: str, metrics: dict, train_loss: float, val, **extra) -> None:
    events.emit(
        "done",
        out=os.path.abspath(out_dir),
        model="model.onnx",
        sha256=sha256,
        epochs=len(metrics["epochs"]),
        selected_epoch=metrics["selected_epoch"],
        train_loss=train_loss,
        val=val,
        predictions=metrics["predictions"],
        seconds=metrics["seconds"],
        **extra,
    )
