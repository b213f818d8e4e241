"""Click-simulation training (iterative, RITM-style) and the out folder it writes.

Each batch starts from an empty mask (or, sometimes, a damaged copy of the truth: a rejected
candidate to correct), places the first simulated click, then lets the model itself produce
0..k intermediate masks without gradients, each followed by one more simulated click on its
errors. The loss (BCE + soft Dice) is taken on the prediction after the last click.
"""
from __future__ import annotations

import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from ..atomic import atomic_write_json
from ..data.images import read_gray, read_mask
from ..train.device import pick_device, seed_everything
from .clicks import CLICK_RADIUS_FRACTION, MIN_RADIUS, Click, click_maps, dice, next_click
from .export import export_interactive_onnx
from .network import InteractiveModel, create_interactive_model
from .spec import InteractiveSpec

MODEL_FILE, META_FILE = "interactive.onnx", "meta.json"
START_FROM_CANDIDATE = 0.25  # share of training sessions that start from a damaged truth


def load_arrays(samples, size: int) -> tuple[np.ndarray, np.ndarray]:
    images = np.stack([read_gray(s.image, size) for s in samples]).astype(np.float32) / 255
    masks = np.stack([read_mask(s.mask, size) for s in samples]).astype(np.float32)
    return images, masks


def damaged(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A plausible wrong candidate: the truth grown or shrunk, then shifted."""
    t = torch.from_numpy(mask)[None, None]
    k = int(rng.integers(1, 6)) * 2 + 1
    grown = F.max_pool2d(t, k, 1, k // 2)
    out = grown if rng.random() < 0.5 else 1 - F.max_pool2d(1 - t, k, 1, k // 2)
    dy, dx = (int(v) for v in rng.integers(-8, 9, size=2))
    return np.roll(out[0, 0].numpy(), (dy, dx), axis=(0, 1))


def clicks_tensor(clicks: list[list[Click]], prev: np.ndarray, size: int) -> torch.Tensor:
    maps = np.stack([np.concatenate([click_maps(c, size), p[None]], 0) for c, p in zip(clicks, prev)])
    return torch.from_numpy(maps.astype(np.float32))


def train_step(model, opt, images, masks, rng, max_clicks, device):
    n, size = len(images), images.shape[-1]
    if rng.random() < 0.5:  # flip the whole batch: cheap augmentation
        images, masks = images[..., ::-1].copy(), masks[..., ::-1].copy()
    prev = np.stack([damaged(m, rng) if rng.random() < START_FROM_CANDIDATE else np.zeros_like(m) for m in masks])
    clicks: list[list[Click]] = [[] for _ in range(n)]
    image_t = torch.from_numpy(images[:, None]).to(device)
    extra = int(rng.integers(0, max_clicks))
    for step in range(extra + 1):
        for i in range(n):
            c = next_click(masks[i], prev[i] > 0.5, rng)
            if c is not None:
                clicks[i].append(c)
        if step == extra:
            break
        model.eval()
        with torch.no_grad():
            prev = (
                (torch.sigmoid(model(image_t, clicks_tensor(clicks, prev, size).to(device))) > 0.5)
                .float()[:, 0]
                .cpu()
                .numpy()
            )
    model.train()
    logits = model(image_t, clicks_tensor(clicks, prev, size).to(device))
    target = torch.from_numpy(masks[:, None]).to(device)
    prob = torch.sigmoid(logits)
    soft_dice = 1 - (2 * (prob * target).sum((1, 2, 3)) + 1) / (prob.sum((1, 2, 3)) + target.sum((1, 2, 3)) + 1)
    loss = F.binary_cross_entropy_with_logits(logits, target) + soft_dice.mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return float(loss)


@torch.no_grad()
def click_session(
    model: InteractiveModel,
    image: np.ndarray,
    gt: np.ndarray,
    n_clicks: int,
    start: np.ndarray | None = None,
    device="cpu",
) -> list[float]:
    """Dice after each of n_clicks deterministic simulated clicks (one image)."""
    model.eval()
    size = image.shape[-1]
    mask = np.zeros_like(gt) if start is None else start.astype(np.float32)
    clicks: list[Click] = []
    image_t = torch.from_numpy(image[None, None].astype(np.float32)).to(device)
    scores = []
    for _ in range(n_clicks):
        c = next_click(gt, mask > 0.5)
        if c is not None:
            clicks.append(c)
            maps = clicks_tensor([clicks], mask[None], size).to(device)
            mask = (torch.sigmoid(model(image_t, maps)) > 0.5).float()[0, 0].cpu().numpy()
        scores.append(dice(gt, mask > 0.5))
    return scores


def run_interactive(spec: InteractiveSpec, out: str, events) -> dict:
    os.makedirs(out, exist_ok=True)
    seed_everything(spec.seed)
    rng = np.random.default_rng(spec.seed)
    device = pick_device(spec.device)
    images, masks = load_arrays(spec.train, spec.size)
    model = create_interactive_model().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=spec.lr)
    steps = max(1, -(-len(images) // spec.batch_size))
    sched = (
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps * spec.epochs)
        if spec.schedule == "cosine"
        else None
    )
    events.emit(
        "start",
        kind="interactive",
        device=device.type,
        train_samples=len(images),
        val_samples=len(spec.val),
        steps=steps,
        epochs=spec.epochs,
        params=sum(p.numel() for p in model.parameters()),
    )
    started = time.time()
    for epoch in range(1, spec.epochs + 1):
        order = rng.permutation(len(images))
        losses = []
        for step in range(steps):
            idx = order[step * spec.batch_size : (step + 1) * spec.batch_size]
            losses.append(train_step(model, opt, images[idx], masks[idx], rng, spec.max_clicks, device))
            if sched is not None:
                sched.step()
        events.emit(
            "epoch",
            epoch=epoch,
            epochs=spec.epochs,
            train_loss=float(np.mean(losses)),
            seconds=round(time.time() - started, 2),
            val=None,
        )
    val = None
    if spec.val:
        v_images, v_masks = load_arrays(spec.val, spec.size)
        curves = np.array([click_session(model, im, gt, 5, device=device) for im, gt in zip(v_images, v_masks)])
        val = {"n": len(v_images), "dice_at_clicks": {str(k + 1): float(curves[:, k].mean()) for k in range(5)}}
    model.cpu()
    torch.save(model.state_dict(), os.path.join(out, "interactive.pt"))
    sha = export_interactive_onnx(model, spec.size, os.path.join(out, MODEL_FILE))
    meta = {
        "kind": "interactive",
        "model": MODEL_FILE,
        "sha256": sha,
        "size": spec.size,
        "click_radius_fraction": CLICK_RADIUS_FRACTION,
        "min_click_radius": MIN_RADIUS,
        "inputs": {
            "image": "N x 1 x S x S in [0,1]",
            "clicks": "N x 3 x S x S: positive disks, negative disks, current mask",
        },
        "settings": spec.public(),
        "val": val,
    }
    atomic_write_json(os.path.join(out, META_FILE), meta)
    done = {
        "out": os.path.abspath(out),
        "model": MODEL_FILE,
        "sha256": sha,
        "version": spec.version,
        "size": spec.size,
        "epochs": spec.epochs,
        "val": val,
        "seconds": round(time.time() - started, 2),
    }
    events.emit("done", **done)
    return done
