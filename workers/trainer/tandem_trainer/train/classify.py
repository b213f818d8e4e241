"""run_classification(spec, out_dir, events): train one image-level classifier (task "classify").

Class-balanced in two ways, as Deep-COVID's small COVID-19 class needs: the "balance" plan
adds augmented copies of COVID-19 images up to the number of controls (the
paper), and the loss weighs each class by the inverse of its share of the epoch plan.
Augmentation: horizontal flip, +-10% shift and +-10 deg rotation, optional intensity.
Outputs: last.pt, model.onnx (prob + cam), metrics.json last (its existence = completed run).
"""
from __future__ import annotations

import itertools
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from ..data.augment import augment_batch
from ..data.dataset import ImageOnlyDataset, PlannedEpoch, SegmentationDataset
from ..errors import DataError
from ..events import json_safe
from ..metrics.activation import map_agreement, summarise_agreement
from ..metrics.classification import classification_report
from ..models import GrayToImageNet, count_parameters
from ..models.classifiers import create_classifier
from ..atomic import atomic_write_json
from ..spec import TrainSpec
from .export import CLASSIFIER_OUTPUTS, export_classifier_onnx
from .loop import TrainingDiverged
from .progress import ProgressReporter
from .run import _plan, clear_previous_outputs, save_state
from .scaffold import begin_run, emit_done, emit_start, lr_scheduler, metrics_head, onnx_record, step_budget


def check_classes(samples, what: str) -> None:
    pos = sum(s.positive for s in samples)
    if pos == 0 or pos == len(samples):
        missing = "COVID-19" if pos == 0 else "control"
        raise DataError(
            f"{what} has no {missing} images: a classifier needs both classes "
            f"({pos} COVID-19, {len(samples) - pos} control)"
        )


def class_weights(plan, samples) -> torch.Tensor:
    """[control, covid] weights inverse to each class's share of the epoch plan (mean 1)."""
    pos = sum(samples[i].positive for i, _ in plan)
    counts = torch.tensor([len(plan) - pos, pos], dtype=torch.float32).clamp(min=1)
    return len(plan) / (2 * counts)


def _augment(images, augment, generator, intensity: bool):
    images, _ = augment_batch(images, torch.zeros_like(images), augment, generator, intensity)
    flip = augment.bool() & (torch.rand(len(images), generator=generator) < 0.5)
    if flip.any():
        images = torch.where(flip.view(-1, 1, 1, 1).to(images.device), images.flip(3), images)
    return images


@torch.no_grad()
def predict_set(model, prepare, dataset, device, batch_size: int):
    """(probs, cams upsampled to the input size, masks) over a dataset."""
    model.eval()
    probs, agreement = [], []
    for images, masks, _labels in DataLoader(dataset, batch_size=batch_size):
        images = images.to(device).float().div_(255)
        fmap = model.feature_map(prepare(images))
        probs.append(torch.softmax(model.classify(fmap), dim=1)[:, 1].cpu())
        cam = (
            F.interpolate(model.cam(fmap).unsqueeze(1), size=images.shape[-2:], mode="bilinear", align_corners=False)[
                :, 0
            ]
            .clamp(min=0)
            .cpu()
            .numpy()
        )
        agreement += [map_agreement(c, m[0].numpy()) for c, m in zip(cam, masks)]
    return torch.cat(probs).numpy() if probs else np.zeros(0), agreement


def run_classification(spec: TrainSpec, out_dir: str, events, check: bool = True) -> dict:
    started, device = begin_run(spec, out_dir, check, clear_previous_outputs)
    check_classes(spec.train, "the training set")
    model = create_classifier(spec.arch, pretrained=spec.pretrained).to(device)
    params = count_parameters(model)
    train_set = SegmentationDataset(spec.train, spec.size)
    prepare = GrayToImageNet().to(device)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=spec.lr)
    rng, generator = random.Random(spec.seed), torch.Generator().manual_seed(spec.seed)
    plan = _plan(spec.train, spec.augment, rng, spec.batch_size)
    weights = class_weights(plan, spec.train).to(device)
    steps_per_epoch, total = step_budget(spec, len(plan))
    rounds = math.ceil(total / steps_per_epoch)
    scheduler = lr_scheduler(optimizer, spec, total)
    counts = {"train_samples": len(spec.train), "monitor_samples": 0, "epoch_samples": len(plan)}
    budget = {"steps": steps_per_epoch, "epochs": rounds, "total_steps": total, **counts}
    emit_start(events, spec, model, device, False, params, task="classify", encoder=spec.arch, **budget)
    progress = ProgressReporter(events, rounds, steps_per_epoch)
    history, done = [], 0
    for epoch in range(1, rounds + 1):
        epoch_started = time.monotonic()
        model.train()
        loss_sum, seen = 0.0, 0
        n = min(steps_per_epoch, total - done)
        loader = DataLoader(PlannedEpoch(train_set, plan), batch_size=spec.batch_size)
        for step, (images, _masks, labels, augment) in enumerate(itertools.islice(loader, n), start=1):
            images = images.to(device).float().div_(255)
            images = _augment(images, augment, generator, spec.intensity)
            loss = F.cross_entropy(model(prepare(images)), labels.to(device), weight=weights)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            value = loss.item()
            if not math.isfinite(value):
                raise TrainingDiverged(f"training diverged: loss is {value} at step {done + step}")
            loss_sum, seen = loss_sum + value * len(images), seen + len(images)
            progress.step(epoch, step, loss_sum / seen)
        done += n
        history.append(
            {
                "epoch": epoch,
                "train_loss": loss_sum / max(1, seen),
                "val": None,
                "steps": done,
                "lr": optimizer.param_groups[0]["lr"],
                "seconds": round(time.monotonic() - epoch_started, 3),
                "monitor_dice": None,
            }
        )
        events.emit("epoch", epochs=rounds, **history[-1])
        save_state(model, os.path.join(out_dir, "last.pt"))
        plan = _plan(spec.train, spec.augment, rng, spec.batch_size)

    sha256 = export_classifier_onnx(model, spec.size, os.path.join(out_dir, "model.onnx"))
    val_per_image, final = None, None
    if spec.val:
        probs, agreement = predict_set(
            model, prepare, SegmentationDataset(spec.val, spec.size), device, spec.batch_size
        )
        labels = [int(s.positive) for s in spec.val]
        val_per_image = [
            {"id": s.id, "label": s.label, "prob": float(p), "agreement": a}
            for s, p, a in zip(spec.val, probs, agreement)
        ]
        final = {
            "classification": classification_report(probs, labels),
            "activation_agreement": summarise_agreement(agreement),
        }
    predictions = _predict(model, prepare, spec, device)
    metrics = {
        **metrics_head(spec, model, device, False, params),
        "task": "classify",
        "monitor_samples": 0,
        "total_steps": total,
        "steps_done": done,
        "stopped_early": False,
        "epochs": history,
        "selected_epoch": history[-1]["epoch"],
        "selected_steps": done,
        "final": final,
        "detection": None,
        "class_weights": weights.cpu().tolist(),
        "val_per_image": val_per_image,
        "predict_probs": predictions,
        "onnx": {
            **onnx_record(spec, sha256, outputs=list(CLASSIFIER_OUTPUTS)),
            "cam": "raw COVID-19 class activation map at the last feature map's resolution",
        },
        "predictions": len(predictions),
        "seconds": round(time.monotonic() - started, 3),
    }
    atomic_write_json(os.path.join(out_dir, "metrics.json"), json_safe(metrics))
    emit_done(events, out_dir, sha256, metrics, history[-1]["train_loss"], None, task="classify")
    return metrics


@torch.no_grad()
def _predict(model, prepare, spec: TrainSpec, device) -> list[dict]:
    if not spec.predict:
        return []
    model.eval()
    out = []
    dataset = ImageOnlyDataset([p.image for p in spec.predict], spec.size)
    for images, index in DataLoader(dataset, batch_size=spec.batch_size):
        prob = torch.softmax(model(prepare(images.to(device).float().div_(255))), dim=1)[:, 1].cpu()
        out += [{"id": spec.predict[int(i)].id, "prob": float(p)} for i, p in zip(index, prob)]
    return out
