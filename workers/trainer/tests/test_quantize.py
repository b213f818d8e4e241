"""int8 quantisation: the graph rewrite is exact where it must be (zero, weights within half a
step), onnxruntime fuses every quantised convolution, and the int8 model's probabilities stay
close to the float model's through onnxruntime-node."""
import collections
import json
import os
import shutil
import subprocess

import numpy as np
import onnx
import pytest
import torch

from tandem_trainer import quantize
from tandem_trainer.errors import TandemError
from tandem_trainer.models.inference import InferenceNet
from tandem_trainer.models.registry import create_model
from tandem_trainer.train.export import export_onnx

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NODE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "int8_check.mjs")
SIZE = 64


def node(*args):
    exe = shutil.which("node")
    assert exe, "node is required: the int8 check runs through onnxruntime-node"
    done = subprocess.run([exe, NODE_SCRIPT, *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_activation_params_keep_zero_exact_and_cover_the_range():
    for lo, hi in [(0.0, 6.2), (-3.1, 2.0), (0.5, 4.0), (-2.0, -0.5), (0.0, 0.0)]:
        scale, zero = quantize.activation_params(lo, hi)
        assert scale > 0 and 0 <= int(zero) <= 255
        # lo and hi (widened to include 0) land on the 0..255 grid, and 0 is the zero point itself.
        assert round(min(lo, 0) / float(scale)) + int(zero) >= 0
        assert round(max(hi, 0) / float(scale)) + int(zero) <= 255


def test_weights_quantised_per_output_channel_within_half_a_step():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(8, 4, 3, 3)).astype(np.float32) * np.arange(1, 9, dtype=np.float32).reshape(-1, 1, 1, 1)
    w[3] = 0.0
    q, scale = quantize.weight_params(w)
    assert q.dtype == np.int8 and scale.shape == (8,)
    back = q.astype(np.float32) * scale.reshape(-1, 1, 1, 1)
    assert np.all(np.abs(back - w) <= scale.reshape(-1, 1, 1, 1) / 2 + 1e-7)
    assert np.all(q[3] == 0) and np.abs(q).max() == quantize.WEIGHT_LEVELS


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    d = tmp_path_factory.mktemp("int8")
    net = create_model("unet", "tiny", width=8).eval()
    path = str(d / "model.onnx")
    export_onnx(net, SIZE, path)
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    images = np.stack(
        [0.4 + 0.3 * np.sin(6 * yy + k) * np.cos(5 * xx) + 0.05 * rng.random((SIZE, SIZE)) for k in range(6)]
    )
    inp = d / "input.f32"
    inp.write_bytes(images.astype(np.float32).reshape(6, 1, SIZE, SIZE).tobytes())
    return d, path, inp


def test_probe_exposes_every_convolution_and_apply_quantises_them_all(exported):
    d, path, inp = exported
    probe = str(d / "probe.onnx")
    tensors = quantize.probe(path, probe)
    convs = [n for n in onnx.load(path).graph.node if n.op_type == "Conv"]
    assert len(tensors) >= len(convs) + 1
    outputs = [o.name for o in onnx.load(probe).graph.output]
    assert outputs[0] == "prob" and set(tensors) <= set(outputs)
    (d / "tensors.json").write_text(json.dumps(tensors))
    node("ranges", probe, d / "tensors.json", inp, 4, SIZE, d / "ranges.json")
    ranges = quantize.load_ranges(str(d / "ranges.json"))
    # float_share=0: every convolution quantised (the input-side fallback has its own test).
    summary = quantize.apply(path, ranges, str(d / "int8.onnx"), float_share=0.0)
    assert summary["convolutions"] == len(convs) and summary["kept_float"] == []
    assert summary["relus_folded"] > 0
    assert summary["bytes"] < summary["float_bytes"]
    model = onnx.load(str(d / "int8.onnx"))
    assert [o.name for o in model.graph.output] == [o.name for o in onnx.load(path).graph.output]
    assert model.graph.input[0].name == "image"
    ops = collections.Counter(n.op_type for n in model.graph.node)
    assert ops["Relu"] < collections.Counter(n.op_type for n in onnx.load(path).graph.node)["Relu"]

    # Through onnxruntime-node: every quantised convolution fused into QLinearConv, and the
    # probabilities on images not used for calibration close to the float model's.
    report = json.loads(node("compare", path, d / "int8.onnx", inp, 6, SIZE, d / "optimized.onnx"))
    fused = collections.Counter(n.op_type for n in onnx.load(str(d / "optimized.onnx")).graph.node)
    # The head's logits feed only the sigmoid: that one convolution keeps a float output.
    assert summary["float_convolutions"] == 1
    assert fused["QLinearConv"] == len(convs) - 1
    assert fused["Conv"] + fused["FusedConv"] == 1
    assert report["maxDiff"] < 0.05, report
    assert report["agreement"] > 0.99, report

    # Layer by layer, the encoder's int8 activations stay within 10% of the
    # float ones (measured 5.7%; a saturating int8 product once put 28% errors on the first convolution).
    int8_probe = onnx.load(str(d / "int8.onnx"))
    for name in tensors:
        int8_probe.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    onnx.save(int8_probe, str(d / "int8_probe.onnx"))
    first = tensors[1:5]
    (d / "first.json").write_text(json.dumps(first))
    rel = json.loads(node("layers", probe, d / "int8_probe.onnx", inp, 6, SIZE, d / "first.json"))
    assert max(rel.values()) < 0.1, rel


def test_missing_or_broken_ranges_are_refused(exported, tmp_path):
    d, path, _ = exported
    with pytest.raises(TandemError, match="miss"):
        quantize.apply(path, {}, str(tmp_path / "x.onnx"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"t": [0, "x"]}))
    with pytest.raises(TandemError, match="not \\[min, max\\]"):
        quantize.load_ranges(str(bad))
    assert not (tmp_path / "x.onnx").exists()


def test_batchnorm_as_depthwise_convolution_is_the_same_map():
    torch.manual_seed(3)
    bn = torch.nn.BatchNorm2d(6).eval()
    with torch.no_grad():
        bn.weight.uniform_(-2, 2)
        bn.bias.uniform_(-1, 1)
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.1, 3)
    x = torch.randn(2, 6, 5, 5)
    d = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"bn-{os.getpid()}.onnx")
    torch.onnx.export(bn, (x,), d, opset_version=13, input_names=["x"], output_names=["y"], do_constant_folding=False)
    model = onnx.load(d)
    os.remove(d)
    assert quantize._batchnorm_as_depthwise(model.graph) == 1
    (conv,) = [n for n in model.graph.node if n.op_type == "Conv"]
    consts = quantize._constants(model.graph)
    w, b = torch.from_numpy(consts[conv.input[1]]), torch.from_numpy(consts[conv.input[2]])
    with torch.no_grad():
        assert torch.allclose(torch.nn.functional.conv2d(x, w, b, groups=6), bn(x), atol=1e-5)


@pytest.fixture(scope="module")
def dense(tmp_path_factory):
    torch.manual_seed(0)
    d = tmp_path_factory.mktemp("int8dense")
    path = str(d / "model.onnx")
    export_onnx(create_model("unet", "densenet121", width=8).eval(), SIZE, path)
    rng = np.random.default_rng(2)
    inp = d / "input.f32"
    inp.write_bytes(rng.random((4, 1, SIZE, SIZE)).astype(np.float32).tobytes())
    return d, path, inp


def test_densenet_blocks_stay_uint8(dense):
    """DenseNet's pre-activation norm becomes a quantised depthwise convolution, the zero pads
    before its pools go, and every concatenation copies uint8 with one scale for its inputs and
    output: onnxruntime runs no float BatchNormalization, Concat of feature maps or Pad."""
    d, path, inp = dense
    tensors = quantize.probe(path, str(d / "probe.onnx"))
    (d / "tensors.json").write_text(json.dumps(tensors))
    node("ranges", d / "probe.onnx", d / "tensors.json", inp, 2, SIZE, d / "ranges.json")
    summary = quantize.apply(path, quantize.load_ranges(str(d / "ranges.json")), str(d / "int8.onnx"), float_share=0.0)
    float_ops = collections.Counter(n.op_type for n in onnx.load(path).graph.node)
    assert summary["convolutions"] == float_ops["Conv"] + float_ops["BatchNormalization"]
    model = onnx.load(str(d / "int8.onnx"))
    producer = {o: n for n in model.graph.node for o in n.output}
    concats = [n for n in model.graph.node if n.op_type == "Concat" and n.output[0].endswith("/float")]
    assert len(concats) == summary["relays"] - sum(
        n.op_type in ("MaxPool", "AveragePool", "Resize") and n.output[0].endswith("/float") for n in model.graph.node
    )
    for c in concats:
        (q,) = [n for n in model.graph.node if n.op_type == "QuantizeLinear" and n.input[0] == c.output[0]]
        assert {producer[i].input[1] for i in c.input} == {q.input[1]}, c.name

    report = json.loads(node("compare", path, d / "int8.onnx", inp, 4, SIZE, d / "optimized.onnx"))
    ops = collections.Counter(n.op_type for n in onnx.load(str(d / "optimized.onnx")).graph.node)
    assert ops["BatchNormalization"] == 0 and ops["Pad"] == 0
    assert ops["QLinearConcat"] == len(concats)
    assert ops["QLinearConv"] == summary["convolutions"] - 1
    assert report["maxDiff"] < 0.05, report


@pytest.mark.parametrize("shift", [False, True])
def test_flip_averaged_export_keeps_both_heads_float(tmp_path, shift):
    """A model exported with flip averaging and a threshold offset (as trained runs are) has two
    head convolutions whose logits are averaged, shifted, then squashed: both keep float outputs,
    and no other convolution does; also behind shift averaging's batch of views."""
    torch.manual_seed(0)
    path = str(tmp_path / "model.onnx")
    net = create_model("unet", "tiny", width=8)
    export_onnx(InferenceNet(net, flip=True, threshold=0.3, shift=shift), SIZE, path)
    model = onnx.load(path)
    quantize._prepare(model.graph)
    convs = quantize._quantizable_convs(model.graph)
    _, fused, _, float_out = quantize._plan(model.graph)
    heads = [c for c in convs if id(c) in float_out]
    assert len(heads) == 2 and len({c.input[1] for c in heads}) == 1, [c.name for c in heads]
    assert all(c.output[0] not in fused for c in heads)
    readers = quantize._readers(model.graph)
    assert not any(r.op_type == "Conv" for c in heads for r in readers.get(c.output[0], []))


def test_input_side_convolutions_stay_float_within_their_share(exported):
    """The fallback that brought a trained U-Net/tiny's int8 masks from 99.83% to 99.93% agreement
    with float: the convolutions nearest the input stay float, taken whole by depth while they cost
    at most FLOAT_SHARE of the multiply-adds; onnxruntime runs them as float convolutions and fuses
    the rest."""
    d, path, inp = exported
    model = onnx.load(path)
    quantize._prepare(model.graph)
    convs = quantize._quantizable_convs(model.graph)
    macs = quantize._macs(model, convs)
    total = sum(macs.values())
    kept = quantize._input_side_convs(model, convs, quantize.FLOAT_SHARE)
    assert quantize._input_side_convs(model, convs, 0.0) == set()
    # This network's encoder is a chain: the kept ones are its first convolutions in graph order,
    # and the next one would have gone over the share.
    assert kept and {c.name for c in convs[: len(kept)]} == kept
    cost = sum(macs[id(c)] for c in convs[: len(kept)])
    assert cost <= quantize.FLOAT_SHARE * total < cost + macs[id(convs[len(kept)])]

    probe = str(d / "probe_share.onnx")
    tensors = quantize.probe(path, probe)
    (d / "tensors_share.json").write_text(json.dumps(tensors))
    node("ranges", probe, d / "tensors_share.json", inp, 4, SIZE, d / "ranges_share.json")
    summary = quantize.apply(path, quantize.load_ranges(str(d / "ranges_share.json")), str(d / "int8_share.onnx"))
    assert summary["kept_float"] == sorted(kept)
    assert summary["convolutions"] == len(convs) - len(kept)
    report = json.loads(node("compare", path, d / "int8_share.onnx", inp, 6, SIZE, d / "optimized_share.onnx"))
    fused = collections.Counter(n.op_type for n in onnx.load(str(d / "optimized_share.onnx")).graph.node)
    assert fused["QLinearConv"] == len(convs) - len(kept) - 1
    assert fused["Conv"] + fused["FusedConv"] == len(kept) + 1
    assert report["maxDiff"] < 0.05, report
