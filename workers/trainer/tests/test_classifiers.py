"""The four Deep-COVID classifiers: train on a tiny synthetic set, export ONNX that matches
PyTorch through onnxruntime-node, and return a CAM equal to autograd Grad-CAM."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch

from synthetic import write_cases
from tandem_trainer.errors import DataError, SpecError
from tandem_trainer.metrics.activation import map_agreement
from tandem_trainer.metrics.classification import classification_report, paper_interval
from tandem_trainer.models.classifiers import CLASSIFIERS, create_classifier
from tandem_trainer.models.classifiers.deploy import ClassifierOutputs
from tandem_trainer.spec import parse_spec
from tandem_trainer.train.classify import run_classification

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NODE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "classifier_onnx_outputs.mjs")
SIZE = 64


def onnx_outputs(model_path: str, images: np.ndarray, tmp_path) -> dict:
    node = shutil.which("node")
    assert node, "node is required: the ONNX check runs through onnxruntime-node"
    inp = tmp_path / "input.f32"
    inp.write_bytes(images.astype(np.float32).tobytes())
    done = subprocess.run(
        [node, NODE_SCRIPT, model_path, str(inp), str(len(images)), str(SIZE)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def grad_cam(net, image: torch.Tensor) -> tuple[np.ndarray, float]:
    """Grad-CAM of the COVID-19 logit by autograd (no ReLU): sum_c mean(dy/dF_c) F_c."""
    net.eval()
    deploy = ClassifierOutputs(net)
    fmap = net.feature_map(deploy.prepare(image)).detach().requires_grad_(True)
    logits = net.classify(fmap)
    logits[0, 1].backward()
    alpha = fmap.grad.mean(dim=(2, 3), keepdim=True)
    cam = (alpha * fmap).sum(dim=1)[0].detach().numpy()
    return cam, float(torch.softmax(logits, dim=1)[0, 1])


@pytest.mark.parametrize("arch", sorted(CLASSIFIERS))
def test_classifier_trains_exports_and_cam_matches_grad_cam(arch, tmp_path, recorder):
    items = write_cases(str(tmp_path / "data"), 6, 6, size=SIZE, seed=3)
    spec = parse_spec(
        {
            "task": "classify",
            "arch": arch,
            "train": items[:4] + items[6:10],
            "val": items[4:6] + items[10:12],
            "size": SIZE,
            "epochs": 1,
            "batch_size": 4,
            "lr": 1e-3,
            "augment": "all",
        }
    )
    metrics = run_classification(spec, str(tmp_path / "out"), recorder)
    assert metrics["task"] == "classify" and len(metrics["val_per_image"]) == 4
    assert all(0 <= r["prob"] <= 1 for r in metrics["val_per_image"])
    assert recorder.of("done") and np.isfinite(metrics["epochs"][0]["train_loss"])

    net = create_classifier(arch, pretrained=str(tmp_path / "out" / "last.pt")).eval()
    rng = np.random.default_rng(0)
    images = rng.random((3, 1, SIZE, SIZE)).astype(np.float32)
    with torch.no_grad():
        prob_pt, cam_pt = ClassifierOutputs(net).eval()(torch.from_numpy(images))
    got = onnx_outputs(str(tmp_path / "out" / "model.onnx"), images, tmp_path)
    assert got["outputs"] == ["prob", "cam"]
    assert got["camShape"] == list(cam_pt.shape)
    assert np.max(np.abs(np.array(got["prob"]) - prob_pt.numpy())) <= 1e-4
    cam_onnx = np.array(got["cam"], dtype=np.float64).reshape(cam_pt.shape)
    scale = max(1.0, float(np.abs(cam_pt.numpy()).max()))
    assert np.max(np.abs(cam_onnx - cam_pt.numpy())) <= 1e-4 * scale

    # CAM from the exported output equals autograd Grad-CAM times h*w (a positive constant).
    h, w = cam_pt.shape[-2:]
    expected, prob = grad_cam(net, torch.from_numpy(images[:1]))
    assert abs(prob - got["prob"][0]) <= 1e-4
    np.testing.assert_allclose(
        cam_onnx[0] / (h * w), expected, rtol=1e-3, atol=1e-4 * max(1e-3, np.abs(expected).max())
    )


def test_classify_spec_needs_both_classes_and_no_encoder(tmp_path, recorder):
    items = write_cases(str(tmp_path / "d"), 0, 4, size=SIZE)
    spec = parse_spec({"task": "classify", "arch": "squeezenet1_1", "train": items, "size": SIZE, "epochs": 1})
    with pytest.raises(DataError, match="no COVID-19 images"):
        run_classification(spec, str(tmp_path / "o"), recorder)
    with pytest.raises(SpecError, match="takes no encoder"):
        parse_spec({"task": "classify", "arch": "resnet18", "encoder": "tiny", "train": items})
    with pytest.raises(SpecError, match="arch"):
        parse_spec({"task": "classify", "arch": "unet", "train": items})


def test_threshold_table_and_intervals():
    probs = np.array([0.9, 0.8, 0.7, 0.3, 0.6, 0.2, 0.1, 0.05])
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    report = classification_report(probs, labels, resamples=200)
    assert report["roc_auc"]["value"] == pytest.approx(15 / 16)
    row = next(r for r in report["table"] if r["threshold"] == 0.5)
    assert row["confusion"] == {"tp": 3, "fp": 1, "tn": 3, "fn": 1}
    assert row["sensitivity"]["value"] == 0.75
    lo, hi = row["sensitivity"]["paper"]
    assert lo == pytest.approx(0.75 - 1.96 * np.sqrt(0.75 * 0.25 / 4)) and hi == 1.0  # clipped to [0, 1]
    assert row["sensitivity"]["boot"][0] <= 0.75 <= row["sensitivity"]["boot"][1]
    assert paper_interval(0, 0) is None


def test_map_agreement():
    mask = np.zeros((4, 4), bool)
    mask[:2, :2] = True
    heat = np.zeros((4, 4))
    heat[0, 0], heat[3, 3] = 3.0, 1.0
    assert map_agreement(heat, mask) == {"energy_inside": 0.75, "pointing": True, "mask_fraction": 0.25}
    assert map_agreement(heat, np.zeros((4, 4), bool)) is None


def test_cv_classify_refuses_too_few_images_per_fold_and_reports_out_of_fold(tmp_path, recorder):
    from tandem_trainer.cli import build_parser
    from tandem_trainer.cv_classify import run_cv_classify

    write_cases(str(tmp_path / "d"), 3, 3, size=SIZE, control_masks=True)

    def args(folds, data="d"):
        options = f"--task classify --arch squeezenet1_1 --size {SIZE} --epochs 1 --batch-size 4 --lr 1e-3 --seed 0"
        where = ["--folds", str(folds), "--data", str(tmp_path / data), "--out", str(tmp_path / f"o{folds}")]
        return build_parser(json_errors=False).parse_args(
            ["cv", *options.split(), "--device", "cpu", "--augment", "all", *where]
        )

    with pytest.raises(DataError, match="too few images per fold: fold 1 of 3 holds 1 COVID-19 and 1 control"):
        run_cv_classify(args(3), recorder)
    write_cases(str(tmp_path / "d2"), 4, 4, size=SIZE, control_masks=True)  # 2 of each class per fold
    result = run_cv_classify(args(2, "d2"), recorder)
    assert result["grouping"] == "image (no patient metadata)"
    assert {r["id"] for r in result["per_image"]} == {f"cov{n:03d}" for n in range(4)} | {
        f"ctl{n:03d}" for n in range(4, 8)
    }
    assert result["out_of_fold"]["n"] == 8 and "0.5" in result["text"]
