from .encoders import ENCODERS
from .params import count_parameters
from .registry import ARCHS, DEFAULT_WIDTH, create_model
from .segmentation import SegmentationModel
from .wrapper import DeployModel, GrayToImageNet, ProbabilityModel

__all__ = [
    "ARCHS",
    "DeployModel",
    "DEFAULT_WIDTH",
    "ENCODERS",
    "GrayToImageNet",
    "ProbabilityModel",
    "SegmentationModel",
    "count_parameters",
    "create_model",
]
