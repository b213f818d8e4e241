"""run_training(spec, out_dir, events): the whole training job, from spec to artifacts.

Output order: last.pt/best.pt every epoch, then model.onnx, pred/*.png, and metrics.json
last, each written atomically; metrics.json existing means the run completed.
"""
from __future__ import annotations

import logging
import math
import os
import random
import shutil
import time
from dataclasses import dataclass, field

import torch
from torch.utils.data import DataLoader

from .. import __version__, compat
from ..atomic import atomic_path, atomic_write_json, remove_stale_temps
from ..data.balance import epoch_plan
from ..data.dataset import PlannedEpoch, SegmentationDataset
from ..events import json_safe
from ..models import GrayToImageNet, count_parameters, create_model
from ..spec import TrainSpec, check_files
from .device import loader_workers, pick_device, seed_everything
from .export import INPUT_NAME, OPSET, OUTPUT_NAME, export_onnx
from .loop import evaluate, train_epoch
from .predict import write_predictions
from .progress import ProgressReporter

log = logging.getLogger("tandem_trainer")
FINAL_OUTPUTS = ("model.onnx", "metrics.json")


@dataclass
class EpochResult:
    epoch: int
    train_loss: float
    val_loss: float | None = None
    summary: dict | None = None  # held-out metrics with curves
    seconds: float = 0.0

    def record(self) -> dict:
        val = None if self.summary is None else {"loss": self.val_loss, **without_curves(self.summary)}
        return {"epoch": self.epoch, "train_loss": self.train_loss, "val": val, "seconds": self.seconds}


@dataclass
class Fit:
    history: list[EpochResult] = field(default_factory=list)
    best: EpochResult | None = None


def without_curves(summary: dict) -> dict:
    return {level: {k: v for k, v in values.items() if k != "curves"} for level, values in summary.items()}


def save_state(model: torch.nn.Module, path: str) -> None:
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_state(path: str, device: torch.device) -> dict:
    # Our own file, but still never fully unpickled where torch can avoid it.
    kwargs = {"weights_only": True} if compat.torch_load_has_weights_only() else {}
    return torch.load(path, map_location=device, **kwargs)


def clear_previous_outputs(out_dir: str) -> None:
    """A retried job must not leave a previous run's model or metrics beside new checkpoints."""
    remove_stale_temps(out_dir)
    for name in FINAL_OUTPUTS:
        if os.path.exists(os.path.join(out_dir, name)):
            os.remove(os.path.join(out_dir, name))
    shutil.rmtree(os.path.join(out_dir, "pred"), ignore_errors=True)


def _plan(samples, mode: str, rng: random.Random, batch_size: int):
    plan = epoch_plan(samples, mode, rng)
    if len(plan) > 1 and len(plan) % batch_size == 1:
        plan = plan[:-1]  # a lone last sample would break BatchNorm at the deepest level
    return plan


def run_training(spec: TrainSpec, out_dir: str, events, check: bool = True) -> dict:
    started = time.monotonic()
    os.makedirs(out_dir, exist_ok=True)
    clear_previous_outputs(out_dir)
    if check:
        check_files(spec)
    seed_everything(spec.seed)
    device = pick_device(spec.device)
    amp = device.type == "cuda"
    if amp:
        torch.backends.cudnn.benchmark = True
    model = create_model(spec.arch, spec.encoder, pretrained=spec.pretrained,
                         freeze_encoder=spec.freeze_encoder, width=spec.width).to(device)
    params = count_parameters(model)
    log.info("%s/%s on %s (amp=%s): %s", spec.arch, spec.encoder, device, amp, params)

    fit = _fit(spec, model, device, amp, out_dir, events, params)
    if spec.select == "best":
        model.load_state_dict(load_state(os.path.join(out_dir, "best.pt"), device))
        selected = fit.best
    else:
        selected = fit.history[-1]

    sha256 = export_onnx(model, spec.size, os.path.join(out_dir, "model.onnx"))
    log.info("exported model.onnx (sha256 %s)", sha256)
    predictions = 0
    if spec.predict:
        predictions = write_predictions(model, spec.predict, spec.size, out_dir, device, spec.batch_size)

    final = None if selected.summary is None else {"loss": selected.val_loss, **selected.summary}
    metrics = {
        "format": 1, "trainer": __version__, "torch": torch.__version__, "spec": spec.public(),
        "weights": model.weights_source, "device": str(device), "amp": amp, "params": params,
        "train_samples": len(spec.train), "val_samples": len(spec.val),
        "epochs": [r.record() for r in fit.history], "selected_epoch": selected.epoch, "final": final,
        "onnx": {"file": "model.onnx", "sha256": sha256, "input": INPUT_NAME, "output": OUTPUT_NAME,
                 "input_shape": ["batch", 1, spec.size, spec.size], "opset": OPSET},
        "predictions": predictions, "seconds": round(time.monotonic() - started, 3),
    }
    atomic_write_json(os.path.join(out_dir, "metrics.json"), json_safe(metrics))
    events.emit("done", out=os.path.abspath(out_dir), model="model.onnx", sha256=sha256, epochs=spec.epochs,
                selected_epoch=selected.epoch, train_loss=fit.history[-1].train_loss,
                val=selected.record()["val"], predictions=predictions, seconds=metrics["seconds"])
    return metrics


def _fit(spec: TrainSpec, model, device, amp: bool, out_dir: str, events, params: dict) -> Fit:
    train_set = SegmentationDataset(spec.train, spec.size)
    val_set = SegmentationDataset(spec.val, spec.size) if spec.val else None
    workers = loader_workers(spec.workers, train_set.cached)
    prepare = GrayToImageNet().to(device)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=spec.lr,
                                 betas=(0.9, 0.999))
    scaler = compat.grad_scaler(amp)
    rng, generator = random.Random(spec.seed), torch.Generator().manual_seed(spec.seed)

    plan = _plan(spec.train, spec.augment, rng, spec.batch_size)
    steps = math.ceil(len(plan) / spec.batch_size)
    events.emit("start", arch=spec.arch, encoder=spec.encoder, device=str(device), amp=amp, params=params,
                weights=model.weights_source, train_samples=len(spec.train), val_samples=len(spec.val),
                epoch_samples=len(plan), steps=steps, epochs=spec.epochs)
    progress = ProgressReporter(events, spec.epochs, steps)
    fit = Fit()
    for epoch in range(1, spec.epochs + 1):
        epoch_started = time.monotonic()
        if epoch > 1:
            plan = _plan(spec.train, spec.augment, rng, spec.batch_size)
        loader = DataLoader(PlannedEpoch(train_set, plan), batch_size=spec.batch_size, num_workers=workers,
                            pin_memory=amp)
        result = EpochResult(epoch, train_epoch(model, prepare, loader, optimizer, scaler, device, amp, generator,
                                                lambda step, loss: progress.step(epoch, step, loss)))
        if val_set is not None:
            val_loader = DataLoader(val_set, batch_size=spec.batch_size, num_workers=workers, pin_memory=amp)
            result.val_loss, evaluation = evaluate(model, prepare, val_loader, device, amp)
            result.summary = evaluation.summary()
        result.seconds = round(time.monotonic() - epoch_started, 3)
        fit.history.append(result)
        events.emit("epoch", **{"epoch": epoch, "epochs": spec.epochs, **result.record()})

        save_state(model, os.path.join(out_dir, "last.pt"))
        score = result.val_loss if val_set is not None else result.train_loss
        if fit.best is None or score < (fit.best.val_loss if val_set is not None else fit.best.train_loss):
            fit.best = result
            save_state(model, os.path.join(out_dir, "best.pt"))
    return fit
