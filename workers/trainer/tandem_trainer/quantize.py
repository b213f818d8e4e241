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


def _constants(graph) -> dict:
    from onnx import numpy_helper

    return {i.name: numpy_helper.to_array(i) for i in graph.initializer}


def _batchnorm_as_depthwise(graph) -> int:
    """A BatchNormalization with constant statistics is a per-channel affine map: written as a 1x1
    depthwise convolution (weights a = gamma / sqrt(var + eps), bias beta - mean * a) it is
    quantised like any convolution, so DenseNet's pre-activation norm (concatenation -> BN -> ReLU
    -> conv) runs on uint8 instead of dequantising, normalising and quantising in float."""
    from onnx import helper, numpy_helper

    consts = _constants(graph)
    out, count = [], 0
    for node in graph.node:
        if node.op_type != "BatchNormalization" or not all(n in consts for n in node.input[1:5]):
            out.append(node)
            continue
        eps = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "epsilon"), 1e-5)
        gamma, beta, mean, var = (consts[n].astype(np.float64) for n in node.input[1:5])
        a = gamma / np.sqrt(var + eps)
        key = node.name or node.output[0]
        graph.initializer.extend(
            [
                numpy_helper.from_array(a.astype(np.float32).reshape(-1, 1, 1, 1), f"{key}/dw_weight"),
                numpy_helper.from_array((beta - mean * a).astype(np.float32), f"{key}/dw_bias"),
            ]
        )
        out.append(
            helper.make_node(
                "Conv",
                [node.input[0], f"{key}/dw_weight", f"{key}/dw_bias"],
                [node.output[0]],
                name=key,
                group=len(a),
                kernel_shape=[1, 1],
            )
        )
        count += 1
    del graph.node[:]
    graph.node.extend(out)
    return count


def _drop_empty_pads(graph) -> None:
    """torch exports AvgPool2d as a Pad of zeros on every side before the pooling: a copy that
    would stop the feature map from staying uint8. Its readers take its input instead."""
    from onnx import numpy_helper

    consts = _constants(graph)
    consts.update({n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node if n.op_type == "Constant"})
    alias = {}
    for node in graph.node:
        if node.op_type == "Pad" and len(node.input) > 1 and node.input[1] in consts:
            if not np.any(consts[node.input[1]]) and node.output[0] not in {o.name for o in graph.output}:
                alias[node.output[0]] = node.input[0]
    if not alias:
        return
    kept = [n for n in graph.node if not (n.op_type == "Pad" and n.output[0] in alias)]
    for node in kept:
        for k, name in enumerate(node.input):
            if name in alias:
                node.input[k] = alias[name]
    del graph.node[:]
    graph.node.extend(kept)


def _drop_unused_initializers(graph) -> None:
    used = {name for n in graph.node for name in n.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)


def _prepare(graph) -> None:
    """The rewrites probe and apply share, so the calibrated tensors are the quantised ones."""
    _resolve_initializer_aliases(graph)
    _batchnorm_as_depthwise(graph)
    _drop_empty_pads(graph)
    _drop_unused_initializers(graph)


def _quantizable_convs(graph, keep_float=frozenset()):
    inits = {i.name for i in graph.initializer}
    return [
        n
        for n in graph.node
        if n.op_type == "Conv" and len(n.input) > 1 and n.input[1] in inits and n.name not in keep_float
    ]


# Nodes that pass uint8 feature maps on once their inputs are quantised: onnxruntime runs
# DQ -> MaxPool/Resize -> Q (same scale) on uint8 directly, DQ -> AveragePool -> Q as
# QLinearAveragePool and DQ -> Concat -> Q as QLinearConcat (a plain copy where scales agree).
RELAY_OPS = ("MaxPool", "AveragePool", "Resize", "Concat")
SAME_SCALE_OPS = ("MaxPool", "Resize")


def _readers(graph) -> dict[str, list]:
    readers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    return readers


def _mask_output(graph) -> str:
    names = [o.name for o in graph.output]
    return "prob" if "prob" in names else names[0]


def _head_convs(graph, convs) -> set[int]:
    """The convolutions whose outputs reach the mask output through no other convolution: the
    network's logits (one head, or two when the export averages a flipped pass), which a rounded
    uint8 step would move across the threshold. Walked back from the mask output."""
    conv_ids = {id(c) for c in convs}
    producer = {out: n for n in graph.node for out in n.output}
    heads, seen, todo = set(), set(), [_mask_output(graph)]
    while todo:
        t = todo.pop()
        node = producer.get(t)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if id(node) in conv_ids:
            heads.add(id(node))
        elif node.op_type != "Conv":
            todo.extend(i for i in node.input if i)
    return heads


# The share of a network's multiply-adds that may stay in float: its first convolutions (nearest
# the input), taken whole by depth while their multiply-adds fit. See _input_side_convs.
FLOAT_SHARE = 0.06


def _macs(model, convs) -> dict[int, int] | None:
    """Multiply-adds per convolution at the model's fixed input size (None when it has none). A
    convolution whose output size shape inference cannot tell (after a resize to the input's size,
    as the U-Nets' last decoder stage) is counted at the input's size, an upper bound for these
    networks."""
    from onnx import shape_inference

    graph = model.graph
    size = [d.dim_value for d in graph.input[0].type.tensor_type.shape.dim][2:]
    if len(size) != 2 or not all(size):
        return None
    try:
        inferred = shape_inference.infer_shapes(model).graph
        dims = {
            v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
            for v in [*inferred.value_info, *inferred.output]
        }
    except Exception:  # noqa: BLE001 - every convolution then counts at the input's size
        dims = {}
    weights = {i.name: list(i.dims) for i in graph.initializer}
    macs = {}
    for c in convs:
        y = dims.get(c.output[0]) or []
        area = y[2] * y[3] if len(y) == 4 and y[2] and y[3] else size[0] * size[1]
        macs[id(c)] = area * int(np.prod(weights[c.input[1]]))
    return macs


def _input_side_convs(model, convs, share: float) -> set[str]:
    """The convolutions kept in float: those nearest the input. Measured on a trained U-Net/tiny,
    its first two encoder stages carry most of int8's disagreement with the float masks (few
    channels, full resolution, and skip connections that reach the last decoder stage), while
    costing 4.4% of its multiply-adds. Convolutions are taken by depth (how many convolutions lie
    between them and the input, so both passes of a flip-averaging export go together) while all
    taken so far cost at most `share` of the network's multiply-adds."""
    if share <= 0:
        return set()
    graph = model.graph
    macs = _macs(model, convs)
    if not macs:
        return set()
    conv_ids = {id(c) for c in convs}
    depth_of: dict[str, int] = {}
    depth: dict[int, int] = {}
    for node in graph.node:
        d = max((depth_of.get(i, 0) for i in node.input), default=0)
        if id(node) in conv_ids:
            d += 1
            depth[id(node)] = d
        for o in node.output:
            depth_of[o] = d
    total = sum(macs.values())
    kept: set[str] = set()
    spent = 0
    for d in sorted(set(depth.values())):
        level = [c for c in convs if depth[id(c)] == d]
        cost = sum(macs[id(c)] for c in level)
        if spent + cost > share * total:
            break
        spent += cost
        kept.update(c.name for c in level)
    return kept


def _plan(graph, keep_float=frozenset()):
    """Which convolutions keep a float output (the heads, whose logits go to the sigmoid), which
    Relus fold into their convolution, and which relay nodes carry uint8."""
    convs = _quantizable_convs(graph, keep_float)
    float_out = _head_convs(graph, convs)
    conv_ids = {id(n) for n in convs}
    readers = _readers(graph)
    outputs = {o.name for o in graph.output}
    fused = {}
    for conv in convs:
        y = conv.output[0]
        r = readers.get(y, [])
        if id(conv) not in float_out and len(r) == 1 and r[0].op_type == "Relu" and y not in outputs:
            fused[y] = r[0]
    # Feature tensors, in graph order: quantised convolution outputs (and a float one's, after its
    # Relu: quantised once where a relay reads it, so a pool or concatenation after it stays uint8),
    # and what relay nodes make of them.
    kept_ids = {id(n) for n in _quantizable_convs(graph) if n.name in keep_float}
    features, relays = set(), []
    for node in graph.node:
        if id(node) in kept_ids:
            r = readers.get(node.output[0], [])
            features.add(r[0].output[0] if len(r) == 1 and r[0].op_type == "Relu" else node.output[0])
        elif id(node) in conv_ids:
            if id(node) not in float_out:
                features.add(_output_tensor(node, fused))
        elif node.op_type in RELAY_OPS and node.input and node.input[0] in features:
            if node.op_type == "Concat":
                axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
                if axis != 1 or not all(i in features for i in node.input):
                    continue
            relays.append(node)
            features.add(node.output[0])
    return convs, fused, relays, float_out


def _scale_groups(relays) -> dict[str, str]:
    """Tensors that share one scale and zero point, each mapped to its group's first member: a
    concatenation's inputs and output (DenseNet's dense blocks then concatenate by copying uint8
    bytes instead of requantising every input), a max pooling's or nearest resize's input and output
    (onnxruntime runs those on uint8 only when both sides agree)."""
    parent: dict[str, str] = {}

    def find(t: str) -> str:
        while parent.get(t, t) != t:
            t = parent[t]
        return t

    for node in relays:
        if node.op_type == "Concat" or node.op_type in SAME_SCALE_OPS:
            members = [node.output[0], *(node.input if node.op_type == "Concat" else node.input[:1])]
            root = find(members[0])
            for m in members[1:]:
                r = find(m)
                if r != root:
                    parent[r] = root
    return {t: find(t) for t in {*parent, *parent.values()}}


def _group_range(root: str, group: dict[str, str], ranges) -> tuple[float, float]:
    members = [t for t, r in group.items() if r == root] or [root]
    return min(ranges[t][0] for t in members), max(ranges[t][1] for t in members)


def _output_tensor(conv, fused) -> str:
    """The tensor a quantised convolution hands on: its own output, or its Relu's."""
    y = conv.output[0]
    return fused[y].output[0] if y in fused else y


def calibration_tensors(model) -> list[str]:
    """Every convolution's input and quantised output (after its Relu, when one follows) and every
    relay node's output, in graph order, without repeats."""
    convs, fused, relays, float_out = _plan(model.graph)
    conv_ids, relay_ids = {id(c) for c in convs}, {id(r) for r in relays}
    names: list[str] = []
    for node in model.graph.node:
        if id(node) in conv_ids:
            ts = [node.input[0]] + ([] if id(node) in float_out else [_output_tensor(node, fused)])
        elif id(node) in relay_ids:
            ts = [node.output[0]]
        else:
            continue
        for t in ts:
            if t not in names:
                names.append(t)
    return names


def probe(model_path: str, out_path: str) -> list[str]:
    onnx = _onnx()
    model = onnx.load(model_path)
    _prepare(model.graph)
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


def apply(model_path: str, ranges: dict[str, list[float]], out_path: str, float_share: float = FLOAT_SHARE) -> dict:
    onnx = _onnx()
    from onnx import helper, numpy_helper

    model = onnx.load(model_path)
    graph = model.graph
    _prepare(graph)
    keep_float = _input_side_convs(model, _quantizable_convs(graph), float_share)
    convs, fused, relays, float_out = _plan(graph, keep_float)
    missing = [t for t in calibration_tensors(model) if t not in ranges]
    if missing:
        raise TandemError(f"the calibration ranges miss {len(missing)} tensors (first: {missing[0]}); run probe again")
    inits = {i.name: i for i in graph.initializer}
    dropped = {id(n) for n in fused.values()}
    added_inits, before = [], []
    dq_of: dict[str, str] = {}
    qparams: dict[str, tuple[str, str, float]] = {}  # tensor -> (scale name, zero name, scale)

    def constant(value: np.ndarray, name: str) -> str:
        added_inits.append(numpy_helper.from_array(value, name))
        return name

    group = _scale_groups(relays)

    def params(name: str) -> tuple[str, str, float]:
        name = group.get(name, name)
        if name not in qparams:
            scale, zero = activation_params(*_group_range(name, group, ranges))
            qparams[name] = (
                constant(np.array(scale, np.float32), f"{name}/q_scale"),
                constant(np.array(zero, np.uint8), f"{name}/q_zero"),
                float(scale),
            )
        return qparams[name]

    def quantised_activation(name: str) -> str:
        # The output of an earlier quantised node already comes out of its DequantizeLinear.
        if name in carried:
            return name
        if name not in dq_of:
            s, z, _ = params(name)
            before.append(helper.make_node("QuantizeLinear", [name, s, z], [f"{name}/q"]))
            before.append(helper.make_node("DequantizeLinear", [f"{name}/q", s, z], [f"{name}/dq"]))
            dq_of[name] = f"{name}/dq"
        return dq_of[name]

    def requantise(raw: str, y: str, s: str, z: str) -> list:
        return [
            helper.make_node("QuantizeLinear", [raw, s, z], [f"{y}/q"]),
            helper.make_node("DequantizeLinear", [f"{y}/q", s, z], [y]),
        ]

    rewritten, carried = {}, set()
    conv_ids, relay_ids = {id(c) for c in convs}, {id(r) for r in relays}
    for node in graph.node:
        if id(node) in relay_ids:
            y = node.output[0]
            s, z, _ = params(y)
            # An input from a float convolution is quantised here (the others come quantised).
            inputs = [
                quantised_activation(i) if k == 0 or node.op_type == "Concat" else i for k, i in enumerate(node.input)
            ]
            relay = helper.make_node(node.op_type, inputs, [f"{y}/float"], name=node.name)
            relay.attribute.extend(node.attribute)
            rewritten[id(node)] = [relay, *requantise(f"{y}/float", y, s, z)]
            carried.add(y)
            continue
        if id(node) not in conv_ids:
            continue
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
            bias_scale = (params(node.input[0])[2] * ws.astype(np.float64)).astype(np.float32)
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
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if id(node) in float_out:
            # The head's logits before the sigmoid: kept in float.
            nodes.append(helper.make_node("Conv", inputs, [node.output[0]], name=node.name, **attrs))
        else:
            y = _output_tensor(node, fused)
            raw = f"{node.output[0]}/float"
            nodes.append(helper.make_node("Conv", inputs, [raw], name=node.name, **attrs))
            s, z, _ = params(y)
            nodes.extend(requantise(raw, y, s, z))
            carried.add(y)
        rewritten[id(node)] = nodes

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
        "kept_float": sorted(keep_float),
        "float_convolutions": len(float_out),
        "relays": len(relays),
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
