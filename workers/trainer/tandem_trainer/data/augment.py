"""Random shift (+-10% both axes) and rotation (+-10 deg) with edge ("nearest") fill.

Runs batched on the training device with affine_grid/grid_sample: images bilinear,
masks nearest so they stay binary. padding_mode="border" repeats the edge pixels, as
Keras' fill_mode="nearest" does in the paper.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

MAX_SHIFT = 0.10
MAX_ROTATION_DEG = 10.0


def random_affine(
    n: int, generator: torch.Generator, max_shift: float = MAX_SHIFT, max_rotation_deg: float = MAX_ROTATION_DEG
) -> Tensor:
    """n x 2 x 3 matrices for affine_grid (output coords -> input coords, normalised [-1,1])."""
    u = torch.rand(n, 3, generator=generator) * 2 - 1
    angle = u[:, 0] * math.radians(max_rotation_deg)
    # A shift of s (fraction of the side) is 2s in normalised coordinates.
    shift_x, shift_y = u[:, 1] * 2 * max_shift, u[:, 2] * 2 * max_shift
    cos, sin = angle.cos(), angle.sin()
    return torch.stack(
        [
            torch.stack([cos, -sin, shift_x], dim=1),
            torch.stack([sin, cos, shift_y], dim=1),
        ],
        dim=1,
    )


def identity_affine(n: int) -> Tensor:
    return torch.eye(2, 3).unsqueeze(0).repeat(n, 1, 1)


def apply_affine(images: Tensor, masks: Tensor, theta: Tensor) -> tuple[Tensor, Tensor]:
    """images: N x C x H x W float; masks: N x 1 x H x W float {0,1}."""
    theta = theta.to(device=images.device, dtype=images.dtype)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    images = F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)
    masks = F.grid_sample(masks, grid, mode="nearest", padding_mode="border", align_corners=False)
    return images, masks


MAX_LOG_GAMMA = 0.4  # gamma in [0.67, 1.49]
MAX_CONTRAST = 0.15
MAX_BRIGHTNESS = 0.08


def random_intensity(images: Tensor, generator: torch.Generator) -> Tensor:
    """Per-sample gamma, contrast (about the image mean) and brightness on [0,1] images.

    X-ray exposure and processing differ between machines; masks are unchanged.
    """
    n = len(images)
    u = (torch.rand(n, 3, generator=generator) * 2 - 1).to(device=images.device, dtype=images.dtype)
    gamma = torch.exp(u[:, 0] * MAX_LOG_GAMMA).view(n, 1, 1, 1)
    contrast = (1 + u[:, 1] * MAX_CONTRAST).view(n, 1, 1, 1)
    brightness = (u[:, 2] * MAX_BRIGHTNESS).view(n, 1, 1, 1)
    out = images.clamp(0, 1).pow(gamma)
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    return ((out - mean) * contrast + mean + brightness).clamp(0, 1)


def random_flips(theta: Tensor, generator: torch.Generator) -> Tensor:
    """Mirrors about half of the transforms left-right (negates the input x of each output point)."""
    mirrored = torch.rand(len(theta), generator=generator) < 0.5
    theta = theta.clone()
    theta[mirrored, :, 0] *= -1
    return theta


def augment_batch(
    images: Tensor,
    masks: Tensor,
    selected: Tensor,
    generator: torch.Generator,
    intensity: bool = False,
    flip: bool = False,
):
    """Augment the samples where `selected` is True; the rest pass through unchanged."""
    selected = selected.bool().cpu()
    if not selected.any():
        return images, masks
    theta = identity_affine(len(images))
    theta[selected] = random_affine(int(selected.sum()), generator)
    if flip:
        theta[selected] = random_flips(theta[selected], generator)
    images, masks = apply_affine(images, masks, theta)
    if intensity:
        changed = random_intensity(images, generator)
        keep = selected.to(images.device).view(-1, 1, 1, 1)
        images = torch.where(keep, changed, images)
    return images, masks
