from .export import export_onnx
from .run import run_training

__all__ = ["export_onnx", "run_training"]
