"""torchvision's networks, imported on first use: importing torchvision costs about 0.4 s of every
trainer start (15 starts for one Stage-I round), and the small encoders never need it."""
from __future__ import annotations

from torch import nn


def torchvision_model(name: str, **kwargs) -> nn.Module:
    from torchvision import models

    return getattr(models, name)(**kwargs)
