"""The network as evaluated and exported: flip test-time augmentation and the binarisation
threshold chosen on the monitor split (models/inference.py, metrics/binarization.py)."""
import json
import math
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch
from PIL import Image

import synthetic
from tandem_trainer.metrics.binarization import (
    CANDIDATES,
    TRAINING_CANDIDATES,
    f1_at,
    pick_threshold,
    training_threshold,
)
from tandem_trainer.metrics.curves import ScoreHistogram
from tandem_trainer.models import create_model
from tandem_trainer.models.inference import SHIFTS, InferenceNet, threshold_offset
from tandem_trainer.spec import parse_spec
from tandem_trainer.train import run_training
from tandem_trainer.train.export import export_onnx

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NODE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "segmentation_onnx_outputs.mjs")
SIZE = 64


def _net():
    torch.manual_seed(0)
    net = create_model("unet", "tiny", width=4)
    net.train()
    with torch.no_grad():  # BatchNorm statistics as training leaves them
        net(torch.randn(4, 3, SIZE, SIZE))
    return net.eval()


def test_eval_mode_averages_the_mirrored_prediction_and_training_mode_is_the_bare_net():
    net = _net()
    x = torch.randn(2, 3, SIZE, SIZE)
    wrapped = InferenceNet(net, flip=True).eval()
    with torch.no_grad():
        plain, mirrored = net(x), net(x.flip(-1)).flip(-1)
        assert not torch.allclose(plain, mirrored, atol=1e-3)  # the net alone is not symmetric
        assert torch.allclose(wrapped(x), 0.5 * (plain + mirrored), atol=1e-6)
        # the averaged model is exactly mirror-equivariant
        assert torch.allclose(wrapped(x.flip(-1)), wrapped(x).flip(-1), atol=1e-5)
    wrapped.train()
    net.eval()  # keep BatchNorm statistics fixed for the comparison
    with torch.no_grad():
        assert torch.equal(InferenceNet(net, flip=True).train().net(x), net(x))
    assert list(wrapped.parameters()) == list(net.parameters())  # shares, never copies


class _Scaled(torch.nn.Module):
    def forward(self, x):
        return 3 * x[:, :1]


def test_threshold_offset_moves_the_chosen_threshold_to_one_half():
    net = _Scaled()
    x = torch.randn(1, 3, SIZE, SIZE)
    with torch.no_grad():
        raw = net(x).sigmoid()
        shifted = InferenceNet(net, threshold=0.3).eval()(x).sigmoid()
    assert torch.equal(shifted >= 0.5, raw >= 0.3)
    assert ((raw >= 0.3) != (raw >= 0.5)).any()  # the offset changed some pixels
    assert threshold_offset(0.5) == 0
    assert math.isclose(1 / (1 + math.exp(-threshold_offset(0.3))), 0.3)
    with pytest.raises(ValueError):
        threshold_offset(1.0)


class _WithImageLogit(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)

    def forward_both(self, x):
        return self.net(x), x[:, 0, :, : x.shape[-1] // 2].mean(dim=(1, 2))


def test_forward_both_follows_the_wrapped_network():
    net = _net()

    class _MaskOnly(torch.nn.Module):  # a network without an image-level output
        def __init__(self):
            super().__init__()
            self.inner = net

        def forward(self, x):
            return self.inner(x)

    assert not hasattr(InferenceNet(_MaskOnly(), flip=True), "forward_both")
    both = _WithImageLogit(net)
    wrapped = InferenceNet(both, flip=True, threshold=0.4).eval()
    assert hasattr(wrapped, "forward_both")
    x = torch.randn(2, 3, SIZE, SIZE)
    with torch.no_grad():
        logits, image = wrapped.forward_both(x)
        assert torch.allclose(logits, wrapped(x), atol=1e-6)
        left, right = both.forward_both(x)[1], both.forward_both(x.flip(-1))[1]
        assert torch.allclose(image, 0.5 * (left + right))  # no offset on the image-level logit


class _Counted(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net, self.calls = net, 0

    def forward(self, x):
        self.calls += 1
        return self.net(x)


def _shifted_mean(run, x):
    total = 0
    for dy, dx in SHIFTS:
        total = total + torch.roll(run(torch.roll(x, (dy, dx), (-2, -1))), (-dy, -dx), (-2, -1))
    return total / len(SHIFTS)


def test_shift_averaging_is_the_mean_of_the_shifted_views_in_one_network_call_per_flip_pass():
    net = _net()
    counted = _Counted(net)
    x = torch.randn(3, 3, SIZE, SIZE)
    with torch.no_grad():
        got = InferenceNet(counted, flip=True, shift=True).eval()(x)
        assert counted.calls == 2  # one batch of five views per flip pass
        want = 0.5 * (_shifted_mean(net, x) + _shifted_mean(net, x.flip(-1)).flip(-1))
        assert torch.allclose(got, want, atol=1e-5)
        assert not torch.allclose(got, InferenceNet(net, flip=True).eval()(x), atol=1e-3)  # the shifts count
        # the image-level output is averaged over the same views, without shifting back
        both = _WithImageLogit(net)
        logits, image = InferenceNet(both, shift=True).eval().forward_both(x)
        assert torch.allclose(logits, _shifted_mean(net, x), atol=1e-5)
        views = [both.forward_both(torch.roll(x, s, (-2, -1)))[1] for s in SHIFTS]
        assert torch.allclose(image, sum(views) / len(SHIFTS), atol=1e-6)
    assert SHIFTS[0] == (0, 0) and len(set(SHIFTS)) == 5


def test_a_shift_averaged_onnx_export_matches_pytorch_at_any_batch_size_and_holds_the_network_once_per_pass(
    tmp_path,
):
    import onnx

    node = shutil.which("node")
    assert node, "node is required: the ONNX check runs through onnxruntime-node"
    net = _net()
    convs = {}
    for shift in (False, True):
        wrapped = InferenceNet(net, flip=True, threshold=0.4, shift=shift).eval()
        path = tmp_path / f"model-{shift}.onnx"
        export_onnx(wrapped, SIZE, str(path))
        convs[shift] = sum(n.op_type == "Conv" for n in onnx.load(str(path)).graph.node)
    assert convs[True] == convs[False] > 0  # no copy of the network per view
    from tandem_trainer.models.wrapper import ProbabilityModel

    for n in (1, 3):
        images = torch.rand(n, 1, SIZE, SIZE)
        inp = tmp_path / f"input-{n}.f32"
        inp.write_bytes(images.numpy().astype(np.float32).tobytes())
        done = subprocess.run(
            [node, NODE_SCRIPT, str(tmp_path / "model-True.onnx"), str(inp), str(n), str(SIZE)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        prob = np.array(json.loads(done.stdout)["prob"], dtype=np.float32).reshape(n, SIZE, SIZE)
        with torch.no_grad():
            expected = ProbabilityModel(wrapped).eval()(images).numpy()[:, 0]
        assert np.abs(prob - expected).max() < 1e-4


def _histogram(pos, neg):
    h = ScoreHistogram()
    h.add(np.array(pos + neg, dtype=np.float32), np.array([True] * len(pos) + [False] * len(neg)))
    return h


def test_threshold_is_the_best_monitor_f1_and_one_half_on_ties_or_nothing_to_judge():
    # positives score 0.35-0.45: only thresholds up to 0.3/0.4 find them; negatives at 0.2
    low = _histogram([0.35] * 50 + [0.45] * 50, [0.2] * 500)
    assert f1_at(low, 0.3) == 1.0 and f1_at(low, 0.5) == 0.0
    assert math.isclose(f1_at(low, 0.4), 2 * 50 / (2 * 50 + 50))
    assert pick_threshold(low)["threshold"] == 0.3
    high = _histogram([0.9] * 50, [0.65] * 40 + [0.1] * 100)
    assert pick_threshold(high)["threshold"] == 0.7
    assert pick_threshold(_histogram([0.9] * 10, [0.1] * 10))["threshold"] == 0.5  # all tie
    nothing = pick_threshold(_histogram([], [0.6] * 10))
    assert nothing["threshold"] == 0.5 and nothing["f1"]["0.5"] == 0.0
    assert set(nothing["f1"]) == {str(t) for t in CANDIDATES}


def _run(tmp_path, recorder, **settings):
    items = synthetic.write_cases(str(tmp_path / "data"), 14, 6, size=SIZE)
    spec = parse_spec(
        {
            "arch": "unet",
            "encoder": "tiny",
            "width": 4,
            "size": SIZE,
            "steps": 6,
            "batch_size": 4,
            "lr": 0.01,
            "device": "cpu",
            "augment": "all",
            "select": "best_dice",
            "monitor_fraction": 0.3,
            "train": items[:10] + items[14:18],
            "val": items[10:14] + items[18:],
            "predict": [{"id": i["id"], "image": i["image"]} for i in items[10:12]],
            **settings,
        }
    )
    out = tmp_path / "out"
    return run_training(spec, str(out), recorder), out, spec


def test_a_run_picks_its_threshold_on_the_monitor_split_and_records_it(tmp_path, recorder):
    metrics, _, _ = _run(tmp_path, recorder, flip_tta=True, monitor_threshold=True)
    record = metrics["binarization"]
    assert record["source"] == "monitor" and record["flip_tta"] is True
    assert record["threshold"] in CANDIDATES
    scores = {float(t): v for t, v in record["monitor_f1"].items()}
    assert sorted(scores) == list(CANDIDATES)
    assert scores[record["threshold"]] == max(v for v in scores.values() if v is not None)
    assert metrics["monitor_samples"] >= 4


def test_a_threshold_picked_on_training_images_is_applied_lower_but_never_below_the_grid():
    assert training_threshold(0.5) == 0.3
    assert training_threshold(0.45) == 0.25
    assert training_threshold(0.25) == 0.1 and training_threshold(0.1) == 0.1


def test_without_a_monitor_split_the_threshold_comes_from_the_training_images(tmp_path, recorder):
    metrics, _, spec = _run(tmp_path, recorder, monitor_threshold=True, monitor_fraction=0.0, select="last")
    record = metrics["binarization"]
    assert metrics["monitor_samples"] == 0
    assert record["source"] == "train" and record["train_best"] in TRAINING_CANDIDATES
    scores = {float(t): v for t, v in record["monitor_f1"].items()}
    # the finer grid that reaches down to 0.1: a network is surer of the images it trained on
    assert sorted(scores) == list(TRAINING_CANDIDATES) and min(scores) == 0.1 and len(scores) == 13
    assert scores[record["train_best"]] == max(v for v in scores.values() if v is not None)
    # ...and surer still than of new images: the threshold applied is lower than the training images' best
    assert record["threshold"] == training_threshold(record["train_best"])
    # computed over the training images only: a threshold needs scores, and these are the 14 training ones
    assert len(spec.train) == 14


def test_without_the_settings_the_paper_operating_point_stays(tmp_path, recorder):
    metrics, _, _ = _run(tmp_path, recorder)
    assert metrics["binarization"] == {
        "flip_tta": False,
        "shift_tta": False,
        "threshold": 0.5,
        "source": "fixed",
        "monitor_f1": None,
    }


def test_model_onnx_and_predictions_carry_the_flip_and_the_threshold(tmp_path, recorder):
    node = shutil.which("node")
    assert node, "node is required: the ONNX check runs through onnxruntime-node"
    net = _net()
    wrapped = InferenceNet(net, flip=True, threshold=0.4).eval()
    export_onnx(wrapped, SIZE, str(tmp_path / "model.onnx"))
    images = torch.rand(2, 1, SIZE, SIZE)
    images[1] = images[0].flip(-1)
    inp = tmp_path / "input.f32"
    inp.write_bytes(images.numpy().astype(np.float32).tobytes())
    done = subprocess.run(
        [node, NODE_SCRIPT, str(tmp_path / "model.onnx"), str(inp), "2", str(SIZE)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    prob = np.array(json.loads(done.stdout)["prob"], dtype=np.float32).reshape(2, SIZE, SIZE)
    from tandem_trainer.models.wrapper import ProbabilityModel

    with torch.no_grad():
        expected = ProbabilityModel(wrapped).eval()(images).numpy()[:, 0]
    assert np.abs(prob - expected).max() < 1e-4
    assert np.abs(prob[1] - prob[0][:, ::-1]).max() < 1e-4  # the mirrored image gives the mirrored map

    # the trainer's own pred/*.png come from the same function
    metrics, out, spec = _run(tmp_path / "run", recorder, flip_tta=True, monitor_threshold=True)
    threshold = metrics["binarization"]["threshold"]
    run_net = create_model("unet", "tiny", width=4)
    run_net.load_state_dict(torch.load(out / "best.pt"))
    item = spec.predict[0]
    image = torch.from_numpy(np.asarray(Image.open(item.image).convert("L").resize((SIZE, SIZE), Image.BILINEAR)))
    x = image.float().div(255).view(1, 1, SIZE, SIZE)
    with torch.no_grad():
        want = ProbabilityModel(InferenceNet(run_net, flip=True, threshold=threshold)).eval()(x).numpy()[0, 0]
    got = np.asarray(Image.open(out / "pred" / f"{item.id}.png"), dtype=np.float32) / 255
    assert np.abs(got - want).max() <= 1 / 255 + 1e-6
