"""Static int8 quantisation of an exported segmentation model, in two steps around a calibration
that Node runs (Node does all inference; Python only rewrites the graph):

1. `probe`: the float model with every convolution's input and output added as graph outputs,
   plus the list of those tensors. Node runs it over a few training images and records each
   tensor's range.
2. `apply`: the float model with QuantizeLinear/DequantizeLinear around every convolution whose
   weights are constants: activations uint8 per tensor (from the recorded ranges), weights int8
   per output channel, biases int32. onnxruntime fuses each DQ → Conv → Q group into one
   QLinearConv; everything else (normalisation, batch norm, resize, sigmoid) stays float.
"""
from __future__ import annotations

import json
import os

import numpy as np

from .atomic import atomic_write_bytes
from .errors import TandemError


def _onnx():
    import onnx

    return onnx


def _resolve_initializer_aliases(graph) -> None:
    """torch exports a weight shared by two modules as Identity(initializer): point the users at
    the initializer itself so every constant weight is recognised as one."""
    inits = {i.name for i in graph.initializer}
    alias = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Identity" and n.input[0] in inits}
    if not alias:
        return
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name in alias:
                node.input[k] = alias[name]
    for out in graph.output:
        if out.name in alias:
            raise TandemError(f"graph output {out.name} is a constant; this is not a Tandem segmentation model")
    kept = [n for n in graph.node if not (n.op_type == "Identity" and n.output[0] in alias)]
    del graph.node[:]
    graph.node.extend(kept)


def _quantizable_convs(graph):
    inits = {i.name for i in graph.initializer}
    return [n for n in graph.node if n.op_type == "Conv" and len(n.input) > 1 and n.input[1] in inits]


def _relu_after(graph) -> dict[str, object]:
    """Convolution outputs read only by one Relu: quantising the Relu's output with zero point 0
    clamps at 0 exactly as the Relu does, so the Relu goes and the int8 values flow on."""
    readers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    outputs = {o.name for o in graph.output}
    fused = {}
    for conv in _quantizable_convs(graph):
        y = conv.output[0]
        r = readers.get(y, [])
        if len(r) == 1 and r[0].op_type == "Relu" and y not in outputs:
            fused[y] = r[0]
    return fused


def _output_tensor(conv, fused) -> str:
    """The tensor a quantised convolution hands on: its own output, or its Relu's."""
    y = conv.output[0]
    return fused[y].output[0] if y in fused else y


def calibration_tensors(model) -> list[str]:
    """Every convolution's input and output (after its Relu, when one follows), in graph order,
    without repeats."""
    fused = _relu_after(model.graph)
    names: list[str] = []
    for node in _quantizable_convs(model.graph):
        for t in (node.input[0], _output_tensor(node, fused)):
            if t not in names:
                names.append(t)
    return names


def probe(model_path: str, out_path: str) -> list[str]:
    onnx = _onnx()
    model = onnx.load(model_path)
    _resolve_initializer_aliases(model.graph)
    names = calibration_tensors(model)
    if not names:
        raise TandemError(f"{model_path} has no convolution with constant weights to quantise")
    existing = {o.name for o in model.graph.output}
    for name in names:
        if name not in existing:
            model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    atomic_write_bytes(out_path, model.SerializeToString())
    return names


def activation_params(lo: float, hi: float) -> tuple[np.float32, np.uint8]:
    """uint8 scale and zero point covering [lo, hi] (widened to include 0, which must be exact)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / 255.0
    if not np.isfinite(scale) or scale <= 0:
        scale = 1.0
    zero = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zero)


# Weights use 7 of the 8 bits: x86 CPUs without VNNI multiply uint8 activations by int8 weights
# with an instruction that adds pairs of products into int16, which saturates at full range
# (2 × 255 × 127 > 32767) and wrecks the output; ±63 keeps every pair inside int16.
WEIGHT_LEVELS = 63


def weight_params(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per output channel, ±WEIGHT_LEVELS: (quantised weights, scales)."""
    peak = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
    scale = np.where(peak > 0, peak / WEIGHT_LEVELS, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale.reshape(-1, *([1] * (w.ndim - 1)))), -WEIGHT_LEVELS, WEIGHT_LEVELS)
    return q.astype(np.int8), scale


def apply(model_path: str, ranges: dict[str, list[float]], out_path: str) -> dict:
    onnx = _onnx()
    from onnx import helper, numpy_helper

    model = onnx.load(model_path)
    graph = model.graph
    _resolve_initializer_aliases(graph)
    convs = _quantizable_convs(graph)
    missing = [t for t in calibration_tensors(model) if t not in ranges]
    if missing:
        raise TandemError(f"the calibration ranges miss {len(missing)} tensors (first: {missing[0]}); run probe again")
    inits = {i.name: i for i in graph.initializer}
    fused = _relu_after(graph)
    dropped = {id(n) for n in fused.values()}
    added_inits, before = [], []
    dq_of: dict[str, str] = {}

    def constant(value: np.ndarray, name: str) -> str:
        added_inits.append(numpy_helper.from_array(value, name))
        return name

    def quantised_activation(name: str) -> str:
        # The output of an earlier quantised convolution already comes out of its DequantizeLinear.
        if name in conv_outputs:
            return name
        if name not in dq_of:
            scale, zero = activation_params(*ranges[name])
            s = constant(np.array(scale, np.float32), f"{name}/q_scale")
            z = constant(np.array(zero, np.uint8), f"{name}/q_zero")
            before.append(helper.make_node("QuantizeLinear", [name, s, z], [f"{name}/q"]))
            before.append(helper.make_node("DequantizeLinear", [f"{name}/q", s, z], [f"{name}/dq"]))
            dq_of[name] = f"{name}/dq"
        return dq_of[name]

    rewritten, conv_outputs = {}, set()
    for node in convs:
        key = node.name or node.output[0]
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        wq, ws = weight_params(w)
        wname = f"{key}/w_int8"
        constant(wq, wname)
        constant(ws, f"{wname}/scale")
        constant(np.zeros(len(ws), np.int8), f"{wname}/zero")
        nodes = [
            helper.make_node("DequantizeLinear", [wname, f"{wname}/scale", f"{wname}/zero"], [f"{wname}/dq"], axis=0)
        ]
        inputs = [quantised_activation(node.input[0]), f"{wname}/dq"]
        if len(node.input) > 2 and node.input[2]:
            bias = numpy_helper.to_array(inits[node.input[2]]).astype(np.float64)
            bias_scale = (float(activation_params(*ranges[node.input[0]])[0]) * ws.astype(np.float64)).astype(
                np.float32
            )
            bname = f"{key}/b_int32"
            constant(np.round(bias / bias_scale).astype(np.int32), bname)
            constant(bias_scale, f"{bname}/scale")
            constant(np.zeros(len(bias_scale), np.int32), f"{bname}/zero")
            nodes.append(
                helper.make_node(
                    "DequantizeLinear", [bname, f"{bname}/scale", f"{bname}/zero"], [f"{bname}/dq"], axis=0
                )
            )
            inputs.append(f"{bname}/dq")
        y = _output_tensor(node, fused)
        raw = f"{node.output[0]}/float"
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        nodes.append(helper.make_node("Conv", inputs, [raw], name=node.name, **attrs))
        scale, zero = activation_params(*ranges[y])
        s = constant(np.array(scale, np.float32), f"{y}/q_scale")
        z = constant(np.array(zero, np.uint8), f"{y}/q_zero")
        nodes.append(helper.make_node("QuantizeLinear", [raw, s, z], [f"{y}/q"]))
        nodes.append(helper.make_node("DequantizeLinear", [f"{y}/q", s, z], [y]))
        rewritten[id(node)] = nodes
        conv_outputs.add(y)

    # Each activation's Q/DQ pair goes right after the node that makes it (or first, for inputs).
    producers = {out: i for i, n in enumerate(graph.node) for out in n.output}
    after: dict[int, list] = {}
    for i in range(0, len(before), 2):
        src = before[i].input[0]
        after.setdefault(producers.get(src, -1), []).extend(before[i : i + 2])
    order = list(after.get(-1, []))
    for i, node in enumerate(graph.node):
        if id(node) not in dropped:
            order.extend(rewritten.get(id(node), [node]))
        order.extend(after.get(i, []))
    used = {name for n in order for name in n.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.node[:]
    graph.node.extend(order)
    del graph.initializer[:]
    graph.initializer.extend(kept + added_inits)
    onnx.checker.check_model(model)
    data = model.SerializeToString()
    atomic_write_bytes(out_path, data)
    return {
        "convolutions": len(convs),
        "relus_folded": len(fused),
        "bytes": len(data),
        "float_bytes": os.path.getsize(model_path),
    }


def load_ranges(path: str) -> dict[str, list[float]]:
    try:
        with open(path) as f:
            ranges = json.load(f)
    except (OSError, ValueError) as exc:
        raise TandemError(f"cannot read calibration ranges {path}: {exc}") from exc

    def finite_pair(v) -> bool:
        return (
            isinstance(v, list)
            and len(v) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) and np.isfinite(x) for x in v)
        )

    bad = [k for k, v in ranges.items() if not finite_pair(v)]
    if bad:
        raise TandemError(f"calibration range for {bad[0]} is not [min, max] of finite numbers")
    return ranges
