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
    summary = quantize.apply(path, ranges, str(d / "int8.onnx"))
    assert summary["convolutions"] == len(convs)
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
    assert fused["QLinearConv"] == len(convs)
    assert fused["Conv"] == 0
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
