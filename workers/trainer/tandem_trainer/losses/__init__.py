from .dice import dice_loss
from .focal import focal_loss
from .hybrid import hybrid_loss

__all__ = ["dice_loss", "focal_loss", "hybrid_loss"]
