"""run_training(spec, out_dir, events): the whole training job, from spec to artifacts."""
from __future__ import annotations

import logging
import math
import os
import random
import time

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


def _without_curves(summary: dict) -> dict:
    return {level: {k: v for k, v in values.items() if k != "curves"} for level, values in summary.items()}


def _plan(samples, mode: str, rng: random.Random, batch_size: int):
    plan = epoch_plan(samples, mode, rng)
    if len(plan) > 1 and len(plan) % batch_size == 1:
        plan = plan[:-1]  # a lone last sample would break BatchNorm at the deepest level
    return plan


def save_state(model: torch.nn.Module, path: str) -> None:
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def run_training(spec: TrainSpec, out_dir: str, events, check: bool = True) -> dict:
    started = time.monotonic()
    os.makedirs(out_dir, exist_ok=True)
    remove_stale_temps(out_dir)
    if check:
        check_files(spec)
    seed_everything(spec.seed)
    device = pick_device(spec.device)
    amp = device.type == "cuda"
    if amp:
        torch.backends.cudnn.benchmark = True

    model = create_model(spec.arch, spec.encoder, pretrained=spec.pretrained,
                         freeze_encoder=spec.freeze_encoder, width=spec.width).to(device)
    prepare = GrayToImageNet().to(device)
    params = count_parameters(model)
    log.info("%s/%s on %s (amp=%s): %s", spec.arch, spec.encoder, device, amp, params)

    train_set = SegmentationDataset(spec.train, spec.size)
    val_set = SegmentationDataset(spec.val, spec.size) if spec.val else None
    workers = loader_workers(spec.workers, train_set.cached)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=spec.lr,
                                 betas=(0.9, 0.999))
    scaler = compat.grad_scaler(amp)
    rng = random.Random(spec.seed)
    generator = torch.Generator().manual_seed(spec.seed)

    plan = _plan(spec.train, spec.augment, rng, spec.batch_size)
    steps = math.ceil(len(plan) / spec.batch_size)
    events.emit("start", arch=spec.arch, encoder=spec.encoder, device=str(device), amp=amp,
                params=params, weights=model.weights_source, train_samples=len(spec.train),
                val_samples=len(spec.val), epoch_samples=len(plan), steps=steps, epochs=spec.epochs)
    progress = ProgressReporter(events, spec.epochs, steps)
    history, best = [], {"score": math.inf, "epoch": None, "summary": None, "val_loss": None}
    last_summary, last_val_loss = None, None

    for epoch in range(1, spec.epochs + 1):
        epoch_started = time.monotonic()
        if epoch > 1:
            plan = _plan(spec.train, spec.augment, rng, spec.batch_size)
        loader = DataLoader(PlannedEpoch(train_set, plan), batch_size=spec.batch_size, shuffle=False,
                            num_workers=workers, pin_memory=amp)
        train_loss = train_epoch(model, prepare, loader, optimizer, scaler, device, amp, generator,
                                 lambda step, loss: progress.step(epoch, step, loss))
        record = {"epoch": epoch, "train_loss": train_loss, "val": None}
        if val_set is not None:
            val_loader = DataLoader(val_set, batch_size=spec.batch_size, num_workers=workers, pin_memory=amp)
            last_val_loss, evaluation = evaluate(model, prepare, val_loader, device, amp)
            last_summary = evaluation.summary()
            record["val"] = {"loss": last_val_loss, **_without_curves(last_summary)}
        record["seconds"] = round(time.monotonic() - epoch_started, 3)
        history.append(record)
        events.emit("epoch", epoch=epoch, epochs=spec.epochs, **{k: v for k, v in record.items() if k != "epoch"})

        save_state(model, os.path.join(out_dir, "last.pt"))
        score = last_val_loss if val_set is not None else train_loss
        if score < best["score"]:
            best = {"score": score, "epoch": epoch, "summary": last_summary, "val_loss": last_val_loss}
            save_state(model, os.path.join(out_dir, "best.pt"))

    if spec.select == "best":
        state = torch.load(os.path.join(out_dir, "best.pt"), map_location=device, **_weights_only())
        model.load_state_dict(state)
        selected = best
    else:
        selected = {"epoch": spec.epochs, "summary": last_summary, "val_loss": last_val_loss}

    onnx_path = os.path.join(out_dir, "model.onnx")
    sha256 = export_onnx(model, spec.size, onnx_path)
    log.info("exported %s (sha256 %s)", onnx_path, sha256)
    predictions = 0
    if spec.predict:
        predictions = write_predictions(model, spec.predict, spec.size, out_dir, device, spec.batch_size)

    final = None
    if selected["summary"] is not None:
        final = {"loss": selected["val_loss"], **selected["summary"]}
    metrics = {
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
        "epochs": history,
        "selected_epoch": selected["epoch"],
        "final": final,
        "onnx": {"file": "model.onnx", "sha256": sha256, "input": INPUT_NAME, "output": OUTPUT_NAME,
                 "input_shape": ["batch", 1, spec.size, spec.size], "opset": OPSET},
        "predictions": predictions,
        "seconds": round(time.monotonic() - started, 3),
    }
    atomic_write_json(os.path.join(out_dir, "metrics.json"), json_safe(metrics))
    done = {"out": os.path.abspath(out_dir), "model": "model.onnx", "sha256": sha256,
            "epochs": spec.epochs, "selected_epoch": selected["epoch"], "train_loss": history[-1]["train_loss"],
            "val": None if final is None else {"loss": final["loss"], **_without_curves(selected["summary"])},
            "predictions": predictions, "seconds": metrics["seconds"]}
    events.emit("done", **done)
    return metrics


def _weights_only() -> dict:
    # Our own best.pt, but still: never full unpickling where torch can avoid it.
    return {"weights_only": True} if compat.torch_load_has_weights_only() else {}

