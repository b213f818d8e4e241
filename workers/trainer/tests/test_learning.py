"""Presets, the step budget and schedule, intensity augmentation, intervals, detection rules."""
import json

import numpy as np
import pytest
import torch

import synthetic
from onnx_checks import check_io
from tandem_trainer.data.augment import augment_batch
from tandem_trainer.errors import SpecError
from tandem_trainer.metrics.components import largest_component_fraction
from tandem_trainer.metrics.detection import (
    PRESENCE_MARGIN,
    apply_rule,
    calibrate,
    calibrate_presence,
    detection_report,
    nested_detection,
    score_threshold,
    threshold_table,
)
from tandem_trainer.metrics.intervals import bootstrap_confusion_scores, wilson
from tandem_trainer.presets import PRESETS, PRESETS_FILE, presets_json
from tandem_trainer.spec import parse_spec
from tandem_trainer.train import run_training
from tandem_trainer.train.schedule import COSINE_FLOOR, lr_factor

ONE = [{"id": "x", "image": "x.png", "mask": None, "label": "control"}]


def test_committed_presets_file_is_the_registry():
    with open(PRESETS_FILE, encoding="utf-8") as handle:
        assert handle.read() == presets_json()


def test_paper_preset_is_the_papers_recipe():
    paper = PRESETS["paper-gpu"]["settings"]
    assert (paper["size"], paper["lr"], paper["batch_size"], paper["epochs"]) == (224, 1e-4, 32, 50)
    assert paper["augment"] == "balance" and paper["steps"] is None


def test_a_preset_fills_only_what_the_spec_leaves_out():
    spec = parse_spec({"arch": "unet", "encoder": "tiny", "preset": "cpu-small", "lr": 0.01, "train": ONE})
    small = PRESETS["cpu-small"]["settings"]
    assert spec.lr == 0.01
    assert (spec.size, spec.steps, spec.schedule, spec.select) == (small["size"], small["steps"], "cosine", "best_dice")
    assert spec.public()["preset"] == "cpu-small"
    with pytest.raises(SpecError, match="'preset' must be one of"):
        parse_spec({"arch": "unet", "encoder": "tiny", "preset": "gpu-huge", "train": ONE})


def test_warmup_then_cosine_decay():
    factors = [lr_factor(s, 100, 10, "cosine") for s in range(100)]
    assert factors[0] == pytest.approx(0.1) and factors[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(factors[9:], factors[10:]))
    assert factors[-1] == pytest.approx(COSINE_FLOOR)
    assert lr_factor(50, 100, 0, "constant") == 1.0


def test_intensity_augmentation_changes_selected_images_only_and_never_masks():
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(4, 1, 32, 32)
    masks = torch.zeros(4, 1, 32, 32)
    masks[:, :, 8:24, 8:24] = 1
    selected = torch.tensor([True, False, True, False])
    plain_images, plain_masks = augment_batch(images, masks, selected, torch.Generator().manual_seed(0), False)
    out_images, out_masks = augment_batch(images, masks, selected, generator, True)
    assert torch.equal(out_masks, plain_masks)
    assert torch.equal(out_images[1], images[1]) and torch.equal(out_images[3], images[3])
    assert not torch.allclose(out_images[0], plain_images[0])
    assert float(out_images.min()) >= 0 and float(out_images.max()) <= 1


def test_flip_mirrors_about_half_of_the_selected_samples_images_and_masks_alike():
    from tandem_trainer.data.augment import random_flips

    theta = torch.eye(2, 3).unsqueeze(0).repeat(400, 1, 1)
    flipped = random_flips(theta, torch.Generator().manual_seed(1))
    mirrored = flipped[:, 0, 0] < 0
    assert 150 < int(mirrored.sum()) < 250
    assert torch.equal(flipped[~mirrored], theta[~mirrored])
    # With no shift or rotation, a mirrored transform maps column x to column W-1-x.
    images = torch.arange(16.0).view(1, 1, 4, 4).repeat(2, 1, 1, 1)
    masks = torch.zeros(2, 1, 4, 4)
    masks[:, :, :, 0] = 1
    from tandem_trainer.data.augment import apply_affine

    out_images, out_masks = apply_affine(images, masks, flipped[mirrored][:2])
    assert torch.equal(out_images, images.flip(-1)) and torch.equal(out_masks, masks.flip(-1))


def test_wilson_interval_for_zero_of_n_is_not_a_point():
    low, high = wilson(0, 20)
    assert low == 0 and 0.15 < high < 0.17
    # a perfect score gets Wilson too, never +-0
    found = bootstrap_confusion_scores(np.array([[0, 0, 5, 0]] * 20))["specificity"]
    assert found["method"] == "wilson" and found["interval"][0] < 1


def test_bootstrap_resamples_images_not_pixels():
    # Half the images perfect, half all wrong: the pixel F1 interval must be wide.
    perfect, wrong = [100, 0, 900, 0], [0, 100, 800, 100]
    found = bootstrap_confusion_scores(np.array([perfect, wrong] * 10))["f1"]
    low, high = found["interval"]
    assert found["method"] == "bootstrap" and high - low > 0.2


def test_largest_component_is_8_connected_and_per_threshold():
    probs = np.zeros((2, 10, 10), dtype=np.float32)
    probs[0, 0:3, 0:3] = 0.9  # 9 pixels
    probs[0, 3, 3] = 0.9  # diagonal neighbour: same component (10)
    probs[0, 7:9, 7:9] = 0.6  # 4 pixels, only at the lower threshold
    found = largest_component_fraction(probs, (0.5, 0.8))
    assert found[0].tolist() == [0.10, 0.10]
    assert found[1].tolist() == [0.0, 0.0]


def test_calibrated_rule_ignores_small_specks_that_the_paper_rule_counts():
    labels = np.array([True] * 20 + [False] * 20)
    largest = np.zeros((40, 7))
    largest[:20] = 0.05  # infections: large components at every threshold
    largest[20:] = 0.001  # controls: specks
    paper = apply_rule(largest, labels, {"threshold": 0.5, "min_area": 0.0})
    assert paper["specificity"]["value"] == 0
    rule = calibrate(largest, labels, 0.95)
    assert rule["reached"] and rule["sensitivity"]["value"] == 1 and rule["specificity"]["value"] == 1
    assert rule["min_area"] > 0.001
    table = threshold_table(largest, labels, rule["min_area"])
    assert len(table) == 7 and all(row["specificity"]["interval"] for row in table)


def test_presence_rule_keeps_the_target_sensitivity_with_the_highest_threshold():
    # 20 COVID-19 images scored 0.50, 0.525, ..., 0.975; 10 controls at 0.05 ... 0.95.
    covid = 0.5 + 0.025 * np.arange(20)
    controls = 0.05 + 0.1 * np.arange(10)
    presence = np.concatenate([covid, controls])
    labels = np.array([True] * 20 + [False] * 10)
    # 95% of 20 = 19 images must stay positive: the threshold is the 19th highest COVID-19 score.
    assert score_threshold(presence, labels, 0.95) == pytest.approx(0.525)
    # The rule is fitted to the target plus PRESENCE_MARGIN (0.955 x 20 = 19.1): all 20 stay positive,
    # so on new images it keeps 95% more often than a rule fitted at exactly 95%.
    assert PRESENCE_MARGIN == pytest.approx(0.005)
    rule = calibrate_presence(presence, labels, 0.95)
    assert rule["kind"] == "presence" and rule["threshold"] == pytest.approx(0.5)
    assert rule["confusion"] == {"tp": 20, "fn": 0, "tn": 5, "fp": 5}
    # A target of 100% keeps every COVID-19 image: the lowest one's score, and one control fewer.
    assert calibrate_presence(presence, labels, 1.0)["confusion"]["tn"] == 5
    assert calibrate_presence(presence, labels, 0.5)["threshold"] == pytest.approx(0.725)
    assert calibrate_presence(presence, np.ones(30, dtype=bool), 0.95) is None
    assert apply_rule(None, labels, rule, presence=presence)["specificity"]["value"] == 0.5


def test_nested_detection_scores_each_fold_with_a_threshold_from_the_other_folds():
    labels = np.array([True, True, True, True, False, False] * 2)
    folds = np.array([1] * 6 + [2] * 6)
    # Fold 1's COVID-19 scores are all high, fold 2's all low: a threshold fitted on fold 1
    # (its lowest COVID-19 score, 0.9) misses every COVID-19 image of fold 2 and vice versa.
    presence = np.array([0.9, 0.92, 0.94, 0.96, 0.1, 0.2, 0.3, 0.32, 0.34, 0.36, 0.1, 0.2])
    largest = np.zeros((12, 7))
    in_sample = calibrate_presence(presence, labels, 1.0)
    assert in_sample["sensitivity"]["value"] == 1.0
    nested = nested_detection(largest, labels, folds, 1.0, "presence", presence)
    assert [f["threshold"] for f in nested["folds"]] == [pytest.approx(0.3), pytest.approx(0.9)]
    # fold 1 (threshold 0.3 from fold 2): every COVID-19 image found, both controls negative;
    # fold 2 (threshold 0.9 from fold 1): none found.
    assert nested["confusion"] == {"tp": 4, "fn": 4, "tn": 4, "fp": 0}
    report = detection_report(largest, labels, 1.0, "out-of-fold", presence=presence, folds=folds)
    assert report["calibrated"]["kind"] == "presence" and report["component"]["kind"] == "component"
    assert report["nested"]["confusion"] == nested["confusion"]
    thresholds = [row["threshold"] for row in report["presence_table"]]
    assert in_sample["threshold"] in thresholds and thresholds == sorted(thresholds)
    assert detection_report(largest, labels, 1.0, "monitor")["calibrated"]["kind"] == "component"


def test_the_model_keeps_the_rule_with_the_higher_specificity_and_nested_chooses_per_fold():
    labels = np.array([True] * 20 + [False] * 20)
    folds = np.tile([1, 2], 20)
    largest = np.zeros((40, 7))
    largest[:20] = 0.05  # the maps separate the classes perfectly
    presence = np.linspace(0.2, 0.8, 40)[np.argsort(np.tile([0, 1], 20), kind="stable")]  # uninformative
    report = detection_report(largest, labels, 0.95, "out-of-fold", presence=presence, folds=folds)
    assert report["calibrated"]["kind"] == "component" and report["calibrated"]["specificity"]["value"] == 1
    assert report["presence_rule"]["specificity"]["value"] < 0.5
    assert [f["kind"] for f in report["nested"]["folds"]] == ["component", "component"]
    assert report["nested"]["specificity"]["value"] == 1


def _small_cpu_spec(**keys):
    """A cpu-small U-Net/tiny run at 64 px and width 4, with the given keys on top."""
    return parse_spec(
        {"arch": "unet", "encoder": "tiny", "preset": "cpu-small", "size": 64, "width": 4, "device": "cpu", **keys}
    )


def _monitored_cpu_run(tmp_path, recorder, **keys):
    """A small cpu-small run with a monitor split and a held-out set, both with controls."""
    items = synthetic.write_cases(str(tmp_path / "data"), 24, 16, size=64, control_masks=True)
    spec = _small_cpu_spec(
        eval_every=4,
        warmup_steps=2,
        monitor_fraction=0.2,
        patience=None,
        train=items[:16] + items[24:34],
        val=items[16:24] + items[34:],
        **keys,
    )
    return run_training(spec, str(tmp_path / "out"), recorder)


def test_cpu_preset_run_spends_its_step_budget_and_calibrates_on_the_monitor_split(tmp_path, recorder):
    metrics = _monitored_cpu_run(tmp_path, recorder, steps=12)
    assert metrics["steps_done"] == 12 and len(metrics["epochs"]) == 3
    assert metrics["monitor_samples"] >= 4
    assert metrics["detection"]["source"] == "monitor"
    assert metrics["final"]["pixel"]["f1"]["boot"] is not None
    assert metrics["final"]["image"]["calibrated"]["sensitivity"]["interval"] is not None
    dices = [e["monitor_dice"] for e in metrics["epochs"]]
    assert metrics["selected_epoch"] == 1 + dices.index(max(dices))
    json.dumps(metrics)  # plain JSON


def test_early_stopping_ends_a_run_that_stops_improving(tmp_path, recorder):
    items = synthetic.write_cases(str(tmp_path / "data"), 12, 8, size=64, control_masks=True)
    # A learning rate this high never improves the monitor Dice after the first round.
    spec = _small_cpu_spec(
        lr=0.5, steps=40, eval_every=2, warmup_steps=0, monitor_fraction=0.25, patience=2, train=items
    )
    metrics = run_training(spec, str(tmp_path / "out"), recorder)
    assert metrics["stopped_early"] and metrics["steps_done"] < 40


def test_an_untrained_presence_head_is_never_calibrated(tmp_path, recorder):
    metrics = _monitored_cpu_run(tmp_path, recorder, steps=8, presence_weight=0)
    detection = metrics["detection"]
    assert detection is not None and detection["presence_rule"] is None
    assert detection["calibrated"] is None or detection["calibrated"].get("kind", "component") == "component"
    assert metrics["val_per_image"]["presence"] is None
    # Nor exported: the prediction job would store its noise as each mask's presence score.
    assert metrics["onnx"]["outputs"] == ["prob"]
    check_io(str(tmp_path / "out" / "model.onnx"), 64, outputs=("prob",))
