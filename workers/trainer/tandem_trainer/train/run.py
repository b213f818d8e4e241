"""run_training(spec, out_dir, events): the whole training job, from spec to artifacts.

Output order: last.pt/best.pt every epoch, then model.onnx, pred/*.png, and metrics.json
last, each written atomically; metrics.json existing means the run completed.
"""
from __future__ import annotations

import itertools
import logging
import math
import os
import random
import shutil
import time
from dataclasses import dataclass, field

import torch
from torch.utils.data import DataLoader

from .. import compat
from ..atomic import atomic_path, atomic_write_json, remove_stale_temps
from ..data.balance import epoch_plan
from ..data.dataset import PlannedEpoch, SegmentationDataset
from ..data.monitor import split_monitor
from ..events import json_safe
from ..metrics import Evaluation
from ..metrics.detection import apply_rule, detection_report
from ..metrics.binarization import CANDIDATES, TRAINING_CANDIDATES, pick_threshold, training_threshold
from ..models import GrayToImageNet, count_parameters, create_model
from ..models.inference import InferenceNet
from ..spec import TrainSpec
from .device import loader_workers
from .export import export_onnx, segmentation_outputs
from .loop import evaluate, train_epoch
from .predict import write_predictions
from .progress import ProgressReporter
from .scaffold import begin_run, emit_done, emit_start, lr_scheduler, metrics_head, onnx_record, step_budget

log = logging.getLogger("tandem_trainer")
FINAL_OUTPUTS = ("model.onnx", "metrics.json")


@dataclass
class EpochResult:
    """One round: an epoch, or `eval_every` optimizer steps in a step-budgeted run."""

    epoch: int
    train_loss: float
    val_loss: float | None = None
    summary: dict | None = None  # held-out metrics with curves
    seconds: float = 0.0
    steps: int = 0  # optimizer steps done after this round
    lr: float | None = None
    monitor_dice: float | None = None
    evaluation: Evaluation | None = None
    monitor: Evaluation | None = None

    def record(self) -> dict:
        val = None if self.summary is None else {"loss": self.val_loss, **without_curves(self.summary)}
        return {
            "epoch": self.epoch,
            "train_loss": self.train_loss,
            "val": val,
            "seconds": self.seconds,
            "steps": self.steps,
            "lr": self.lr,
            "monitor_dice": self.monitor_dice,
        }


@dataclass
class Fit:
    history: list[EpochResult] = field(default_factory=list)
    best: EpochResult | None = None
    total_steps: int = 0
    stopped_early: bool = False
    monitor_samples: int = 0
    monitor_set: SegmentationDataset | None = None
    fit_set: SegmentationDataset | None = None


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
    started, device = begin_run(spec, out_dir, check, clear_previous_outputs)
    amp = device.type == "cuda"
    if amp:
        torch.backends.cudnn.benchmark = True
    model = create_model(
        spec.arch, spec.encoder, pretrained=spec.pretrained, freeze_encoder=spec.freeze_encoder, width=spec.width
    ).to(device)
    params = count_parameters(model)
    log.info("%s/%s on %s (amp=%s): %s", spec.arch, spec.encoder, device, amp, params)

    fit = _fit(spec, model, device, amp, out_dir, events, params)
    if spec.select != "last":
        model.load_state_dict(load_state(os.path.join(out_dir, "best.pt"), device))
        selected = fit.best
    else:
        selected = fit.history[-1]
    net, binarization = _inference_net(spec, model, device, amp, fit.monitor_set, fit.fit_set)
    _final_pass(spec, net, device, amp, selected, fit.monitor_set)
    presence = spec.presence_weight > 0
    if not presence:
        # An untrained head's scores are noise: no detection rule, report, cv pooling or model.onnx may use them.
        for evaluation in (selected.evaluation, selected.monitor):
            if evaluation is not None:
                evaluation.presence = []
    sha256 = export_onnx(net, spec.size, os.path.join(out_dir, "model.onnx"), presence=presence)
    log.info("exported model.onnx (sha256 %s)", sha256)
    predictions = 0
    if spec.predict:
        predictions = write_predictions(net, spec.predict, spec.size, out_dir, device, spec.batch_size)

    detection = _detection(spec, selected)
    final = None
    if selected.evaluation is not None:
        final = {"loss": selected.val_loss, **selected.evaluation.summary(curves=True)}
        if detection and detection["calibrated"]:
            final["image"]["calibrated"] = apply_rule(
                selected.evaluation.largest,
                selected.evaluation.image_labels,
                detection["calibrated"],
                presence=selected.evaluation.presence_scores,
            )
    metrics = {
        **metrics_head(spec, model, device, amp, params),
        "monitor_samples": fit.monitor_samples,
        "total_steps": fit.total_steps,
        "steps_done": fit.history[-1].steps,
        "stopped_early": fit.stopped_early,
        "epochs": [r.record() for r in fit.history],
        "selected_epoch": selected.epoch,
        "selected_steps": selected.steps,
        "binarization": binarization,
        "final": final,
        "detection": detection,
        "val_per_image": None if selected.evaluation is None else selected.evaluation.per_image(),
        "onnx": onnx_record(spec, sha256, output="prob", outputs=list(segmentation_outputs(model, presence))),
        "predictions": predictions,
        "seconds": round(time.monotonic() - started, 3),
    }
    atomic_write_json(os.path.join(out_dir, "metrics.json"), json_safe(metrics))
    emit_done(events, out_dir, sha256, metrics, fit.history[-1].train_loss, selected.record()["val"])
    return metrics


def _inference_net(spec: TrainSpec, model, device, amp: bool, monitor_set, fit_set) -> tuple[torch.nn.Module, dict]:
    """The selected network as it is evaluated, exported and used for predictions: flip test-time
    augmentation, and the binarisation threshold picked on the monitor split, or on the training
    images themselves (unaugmented) when the data is too small for a monitor split; never on the
    held-out set. A short budget leaves a model that under-segments at 0.5, which the training
    images already show."""
    net = InferenceNet(model, flip=spec.flip_tta, shift=spec.shift_tta)
    record = {
        "flip_tta": spec.flip_tta,
        "shift_tta": spec.shift_tta,
        "threshold": 0.5,
        "source": "fixed",
        "monitor_f1": None,
    }
    source, chosen_on = ("monitor", monitor_set) if monitor_set is not None else ("train", fit_set)
    if spec.monitor_threshold and chosen_on is not None:
        _, scored = evaluate(net, GrayToImageNet().to(device), _loader(chosen_on, spec, 0, amp), device, amp)
        picked = pick_threshold(scored.pixel_histogram, TRAINING_CANDIDATES if source == "train" else CANDIDATES)
        threshold = picked["threshold"]
        if source == "train":
            threshold = training_threshold(threshold)
            record["train_best"] = picked["threshold"]
        record.update(threshold=threshold, source=source, monitor_f1=picked["f1"])
        net = InferenceNet(model, flip=spec.flip_tta, threshold=threshold, shift=spec.shift_tta)
        log.info("binarisation threshold %.2f (%s pixel F1 %s)", threshold, source, picked["f1"])
    return net.eval(), record


def _final_pass(spec: TrainSpec, model, device, amp: bool, selected: EpochResult, monitor_set) -> None:
    """Re-evaluates the selected model with connected components (for the detection rules)."""
    prepare = GrayToImageNet().to(device)
    if spec.val:
        val_set = SegmentationDataset(spec.val, spec.size)
        _, selected.evaluation = evaluate(model, prepare, _loader(val_set, spec, 0, amp), device, amp, components=True)
    if monitor_set is not None:
        _, selected.monitor = evaluate(model, prepare, _loader(monitor_set, spec, 0, amp), device, amp, components=True)


def _detection(spec: TrainSpec, selected: EpochResult) -> dict | None:
    """Calibrated on the monitor split when there is one (never the reported fold); otherwise
    on the held-out set itself, which the report marks as optimistic ("source": "val")."""
    for source, evaluation in (("monitor", selected.monitor), ("val", selected.evaluation)):
        if (
            evaluation is not None
            and evaluation.largest
            and 0 < sum(evaluation.image_labels) < len(evaluation.image_labels)
        ):
            return detection_report(
                evaluation.largest,
                evaluation.image_labels,
                spec.detection_sensitivity,
                source,
                presence=evaluation.presence_scores,
            )
    return None


def _batches(train_set, fit_samples, spec: TrainSpec, rng: random.Random, workers: int, amp: bool, first_plan):
    """Endless batches: one shuffled plan after another (each plan is one epoch)."""
    plan = first_plan
    while True:
        yield from DataLoader(
            PlannedEpoch(train_set, plan), batch_size=spec.batch_size, num_workers=workers, pin_memory=amp
        )
        plan = _plan(fit_samples, spec.augment, rng, spec.batch_size)


def _selection_score(spec: TrainSpec, result: EpochResult, has_val: bool) -> float:
    """Higher is better."""
    if spec.select == "best_dice":
        # Never the held-out set: it is what the run reports (cross-validation's fold).
        return result.monitor_dice if result.monitor_dice is not None else -result.train_loss
    return -(result.val_loss if has_val else result.train_loss)


def _fit(spec: TrainSpec, model, device, amp: bool, out_dir: str, events, params: dict) -> Fit:
    fit_samples, monitor = split_monitor(spec.train, spec.monitor_fraction, spec.seed)
    train_set = SegmentationDataset(fit_samples, spec.size)
    val_set = SegmentationDataset(spec.val, spec.size) if spec.val else None
    monitor_set = SegmentationDataset(monitor, spec.size) if monitor else None
    workers = loader_workers(spec.workers, train_set.cached)
    prepare = GrayToImageNet().to(device)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=spec.lr, betas=(0.9, 0.999))
    scaler = compat.grad_scaler(amp)
    rng, generator = random.Random(spec.seed), torch.Generator().manual_seed(spec.seed)

    plan = _plan(fit_samples, spec.augment, rng, spec.batch_size)
    steps_per_epoch, total = step_budget(spec, len(plan))
    if spec.steps and spec.max_epochs:
        total = max(1, min(total, spec.max_epochs * steps_per_epoch))
    round_steps = min(total, spec.eval_every or steps_per_epoch)
    rounds = math.ceil(total / round_steps)
    scheduler = lr_scheduler(optimizer, spec, total)
    counts = {"train_samples": len(fit_samples), "monitor_samples": len(monitor), "epoch_samples": len(plan)}
    emit_start(events, spec, model, device, amp, params, steps=round_steps, epochs=rounds, total_steps=total, **counts)
    progress = ProgressReporter(events, rounds, round_steps)
    stream = _batches(train_set, fit_samples, spec, rng, workers, amp, plan)
    fit = Fit(total_steps=total, monitor_samples=len(monitor), monitor_set=monitor_set, fit_set=train_set)
    done, best_score, since_best = 0, None, 0
    for epoch in range(1, rounds + 1):
        epoch_started = time.monotonic()
        n = min(round_steps, total - done)
        result = EpochResult(
            epoch,
            train_epoch(
                model,
                prepare,
                itertools.islice(stream, n),
                optimizer,
                scaler,
                device,
                amp,
                generator,
                lambda step, loss: progress.step(epoch, step, loss),
                scheduler=scheduler,
                intensity=spec.intensity,
                flip=spec.flip,
                presence_weight=spec.presence_weight,
                focal_alpha=spec.focal_alpha,
            ),
        )
        done += n
        result.steps, result.lr = done, optimizer.param_groups[0]["lr"]
        if val_set is not None:
            result.val_loss, result.evaluation = evaluate(
                model, prepare, _loader(val_set, spec, workers, amp), device, amp
            )
            result.summary = result.evaluation.summary(curves=True, intervals=False)
        if monitor_set is not None:
            _, result.monitor = evaluate(model, prepare, _loader(monitor_set, spec, workers, amp), device, amp)
            result.monitor_dice = result.monitor.pixel_summary_f1()
        result.seconds = round(time.monotonic() - epoch_started, 3)
        fit.history.append(result)
        events.emit("epoch", **{"epoch": epoch, "epochs": rounds, **result.record()})

        save_state(model, os.path.join(out_dir, "last.pt"))
        score = _selection_score(spec, result, val_set is not None)
        if best_score is None or score > best_score:
            best_score, since_best, fit.best = score, 0, result
            save_state(model, os.path.join(out_dir, "best.pt"))
        else:
            since_best += 1
        _forget_old_evaluations(fit, result)
        if spec.patience is not None and since_best >= spec.patience and done < total:
            log.info("early stop after %d steps: no better selection score for %d rounds", done, since_best)
            fit.stopped_early = True
            break
    return fit


def _loader(dataset, spec: TrainSpec, workers: int, amp: bool) -> DataLoader:
    return DataLoader(dataset, batch_size=spec.batch_size, num_workers=workers, pin_memory=amp)


def _forget_old_evaluations(fit: Fit, latest: EpochResult) -> None:
    """Per-image data is kept only for the best and the latest round."""
    for result in fit.history:
        if result is not fit.best and result is not latest:
            result.evaluation = result.monitor = None
