import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

import onnx_checks
import synthetic

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args, cwd=TRAINER):
    env = {**os.environ, "PYTHONPATH": TRAINER, "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "tandem_trainer", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def json_lines(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def test_train_cli_end_to_end(tmp_path):
    items = synthetic.write_cases(str(tmp_path / "data"), 6, 4, size=80)
    spec = {
        "arch": "unet",
        "encoder": "tiny",
        "width": 4,
        "size": 64,
        "epochs": 2,
        "batch_size": 4,
        "lr": 1e-3,
        "seed": 1,
        "device": "auto",
        "train": items[:4] + items[6:8],
        "val": items[4:6] + items[8:],
        "predict": [{"id": it["id"], "image": it["image"]} for it in items[4:6]],
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    out = tmp_path / "out"
    result = run_cli("train", "--spec", str(tmp_path / "spec.json"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    events = json_lines(result.stdout)  # every stdout line is JSON
    types = [e["type"] for e in events]
    assert types[0] == "start" and types[-1] == "done" and types.count("epoch") == 2
    progress = [e for e in events if e["type"] == "progress"]
    assert progress and set(progress[0]) == {"type", "epoch", "epochs", "step", "steps", "loss", "eta_s"}
    assert progress[-1]["step"] == progress[-1]["steps"] and progress[-1]["epoch"] == 2
    epoch = [e for e in events if e["type"] == "epoch"][-1]
    assert {"loss", "pixel", "image"} <= set(epoch["val"])
    assert "ci" in epoch["val"]["image"]["sensitivity"] and "roc_auc" in epoch["val"]["pixel"]

    assert sorted(os.listdir(out)) == ["best.pt", "last.pt", "metrics.json", "model.onnx", "pred"]
    onnx_checks.check_io(str(out / "model.onnx"), size=64)
    metrics = json.loads((out / "metrics.json").read_text())
    assert [e["epoch"] for e in metrics["epochs"]] == [1, 2]
    assert metrics["onnx"]["sha256"] == events[-1]["sha256"]
    assert set(metrics["final"]["pixel"]["curves"]) == {"thresholds", "tpr", "fpr", "precision"}
    preds = sorted(os.listdir(out / "pred"))
    assert preds == ["cov004.png", "cov005.png"]
    pred = np.asarray(Image.open(out / "pred" / "cov004.png"))
    assert pred.dtype == np.uint8 and pred.shape == (64, 64)


def test_train_cli_bad_spec_gives_one_json_error_line(tmp_path):
    (tmp_path / "spec.json").write_text(json.dumps({"arch": "unet", "encoder": "tiny", "train": [], "size": 224}))
    result = run_cli("train", "--spec", str(tmp_path / "spec.json"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    (line,) = json_lines(result.stdout)
    assert line["type"] == "error" and "'train'" in line["message"]


def test_train_cli_missing_image_and_missing_argument(tmp_path):
    spec = {
        "arch": "unet",
        "encoder": "tiny",
        "train": [{"id": "a", "image": str(tmp_path / "gone.png"), "mask": None, "label": "control"}],
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    result = run_cli("train", "--spec", str(tmp_path / "spec.json"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "file not found" in json_lines(result.stdout)[0]["message"]
    result = run_cli("train", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and json_lines(result.stdout)[0]["type"] == "error"


def test_cv_cli_prints_tables_and_writes_fold_models(tmp_path):
    synthetic.write_cases(str(tmp_path / "data"), 6, 4, size=64, control_masks=True)
    out = tmp_path / "cv"
    result = run_cli(
        "cv",
        "--data",
        str(tmp_path / "data"),
        "--arch",
        "unet",
        "--encoder",
        "tiny",
        "--folds",
        "2",
        "--epochs",
        "1",
        "--size",
        "64",
        "--batch-size",
        "4",
        "--width",
        "4",
        "--device",
        "cpu",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "Sensitivity" in result.stdout and "pooled" in result.stdout and "fold 2" in result.stdout
    assert "±" in result.stdout
    for k in (1, 2):
        assert (out / f"fold_{k}" / "model.onnx").stat().st_size > 0
    summary = json.loads((out / "cv_metrics.json").read_text())
    assert len(summary["folds"]) == 2
    held_out = summary["folds"][0]["test_ids"] + summary["folds"][1]["test_ids"]
    assert sorted(held_out) == sorted(p[:-4] for p in os.listdir(tmp_path / "data" / "images"))


def test_cv_cli_reports_unpaired_files(tmp_path):
    synthetic.write_cases(str(tmp_path / "data"), 2, 0, size=32)
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(tmp_path / "data" / "masks" / "orphan.png")
    result = run_cli("cv", "--data", str(tmp_path / "data"), "--encoder", "tiny", "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "masks without an image: orphan" in result.stderr
