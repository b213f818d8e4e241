"""ONNX structure checks. The onnx package is required (Debian python3-onnx): a missing
package fails the import instead of silently checking only the file size.
The Node side compares ONNX and PyTorch outputs (onnxruntime-node).
"""
import onnx


def check_io(path: str, size: int) -> None:
    model = onnx.load(path)
    onnx.checker.check_model(model)
    (inp,), (out,) = model.graph.input, model.graph.output
    assert (inp.name, out.name) == ("image", "prob")
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert dims == ["batch", 1, size, size]
    assert [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim][0] == "batch"
