"""One training epoch and one evaluation pass."""
from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from .. import compat
from ..data.augment import augment_batch
from ..errors import TandemError
from ..losses import hybrid_loss
from ..losses.focal import ALPHA as FOCAL_ALPHA
from ..metrics import Evaluation


class TrainingDiverged(TandemError):
    pass


def _outputs(model: nn.Module, x):
    """(mask logits, presence logits or None): networks without a presence head give only masks."""
    if hasattr(model, "forward_both"):
        return model.forward_both(x)
    return model(x), None


def joint_loss(logits, masks, presence, labels, presence_weight: float, focal_alpha: float = FOCAL_ALPHA):
    """The paper's hybrid loss on the masks plus, with a presence head, a weighted BCE on the
    image-level label (COVID-19 = 1)."""
    loss = hybrid_loss(logits, masks, alpha=focal_alpha)
    if presence is not None and presence_weight > 0:
        loss = loss + presence_weight * F.binary_cross_entropy_with_logits(presence.float(), labels.float())
    return loss


def _to_device(images, masks, device):
    images = images.to(device, non_blocking=True).float().div_(255)
    masks = masks.to(device, non_blocking=True).float()
    return images, masks


def train_epoch(
    model: nn.Module,
    prepare: nn.Module,
    loader: DataLoader,
    optimizer,
    scaler,
    device: torch.device,
    amp: bool,
    generator: torch.Generator,
    on_step: Callable[[int, float], None],
    scheduler=None,
    intensity: bool = False,
    flip: bool = False,
    presence_weight: float = 0.0,
    focal_alpha: float = FOCAL_ALPHA,
) -> float:
    """Returns the mean loss over the epoch's samples. on_step(step, running_mean_loss)."""
    model.train()
    total, seen = 0.0, 0
    for step, (images, masks, labels, augment) in enumerate(loader, start=1):
        images, masks = _to_device(images, masks, device)
        images, masks = augment_batch(images, masks, augment, generator, intensity, flip)
        with compat.autocast(device.type, amp):
            logits, presence = _outputs(model, prepare(images))
        # float32, outside autocast
        loss = joint_loss(logits.float(), masks, presence, labels.to(device), presence_weight, focal_alpha)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if scheduler is not None:
            scheduler.step()
        value = loss.item()
        if not math.isfinite(value):
            raise TrainingDiverged(f"training diverged: loss is {value} at step {step}")
        total += value * len(images)
        seen += len(images)
        on_step(step, total / seen)
    return total / max(1, seen)


@torch.no_grad()
def evaluate(
    model: nn.Module, prepare: nn.Module, loader: DataLoader, device: torch.device, amp: bool, components: bool = False
) -> tuple[float, Evaluation]:
    """Mean hybrid loss (per sample) and accumulated metrics over a held-out set; with
    components, also the largest connected components the detection rules need."""
    model.eval()
    evaluation, total, seen = Evaluation(components), 0.0, 0
    for images, masks, labels in loader:
        images, masks = _to_device(images, masks, device)
        with compat.autocast(device.type, amp):
            logits, presence = _outputs(model, prepare(images))
        logits = logits.float()
        total += hybrid_loss(logits, masks).item() * len(images)
        seen += len(images)
        presence = None if presence is None else presence.float().sigmoid().cpu().numpy()
        evaluation.add(logits.sigmoid().cpu().numpy(), masks.cpu().numpy(), labels.numpy(), presence)
    return total / max(1, seen), evaluation
