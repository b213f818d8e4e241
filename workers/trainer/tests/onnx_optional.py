"""ONNX structure checks when the onnx package is installed; only file checks otherwise.

There is no onnxruntime for Python here; the Node side compares ONNX and PyTorch outputs
(pred/<id>.png from the train command is the PyTorch reference).
"""
import os

try:
    import onnx
except ImportError:  # pragma: no cover - depends on the machine
    onnx = None


def check_io(path: str, size: int) -> None:
    assert os.path.getsize(path) > 0
    if onnx is None:
        return
    model = onnx.load(path)
    onnx.checker.check_model(model)
    (inp,), (out,) = model.graph.input, model.graph.output
    assert (inp.name, out.name) == ("image", "prob")
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert dims == ["batch", 1, size, size]
    assert [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim][0] == "batch"


def run_onnxruntime(path: str, image):
    """Probabilities from onnxruntime, or None where it is not installed."""
    try:
        import onnxruntime
    except ImportError:
        return None
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(["prob"], {"image": image})[0]
