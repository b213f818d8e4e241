"""Parameter counts, split the way the paper's Table 8 reports them."""
from __future__ import annotations

from torch import nn


def count_parameters(model: nn.Module) -> dict[str, int]:
    """trainable / frozen parameters, and BatchNorm running statistics ("stats").

    Keras counts BatchNorm moving mean/variance as non-trainable parameters; PyTorch keeps
    them as buffers. Paper "non-trainable" ~ frozen + stats.
    """
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    stats = sum(b.numel() for name, b in model.named_buffers() if name.endswith(("running_mean", "running_var")))
    return {"trainable": trainable, "frozen": frozen, "stats": stats}
