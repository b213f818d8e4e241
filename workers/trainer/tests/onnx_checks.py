"""ONNX structure checks. The onnx package is required (Debian python3-onnx): a missing
package fails the import instead of silently checking only the file size.
The Node side compares ONNX and PyTorch outputs (onnxruntime-node).
"""
import onnx


def check_io(path: str, size: int, outputs=("prob", "presence")) -> None:
    """image [batch, 1, size, size] in; the named outputs, each with a dynamic batch, out (a
    segmentation network: pixel probabilities "prob", then the presence head's "presence" [batch])."""
    model = onnx.load(path)
    onnx.checker.check_model(model)
    (inp,), outs = model.graph.input, model.graph.output
    assert inp.name == "image"
    assert tuple(o.name for o in outs) == tuple(outputs)
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert dims == ["batch", 1, size, size]
    shapes = [[d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim] for o in outs]
    assert all(shape[0] == "batch" for shape in shapes)
    if "presence" in outputs:
        assert shapes[list(outputs).index("presence")] == ["batch"]
