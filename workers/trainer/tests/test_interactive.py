"""Interactive model: the click simulator, the network, training and ONNX export."""
import json
import os

import numpy as np
import pytest
import torch

import onnx
from synthetic import write_cases
from tandem_trainer.errors import SpecError
from tandem_trainer.interactive.clicks import Click, click_maps, click_radius, dice, distance_transform, next_click
from tandem_trainer.interactive.network import create_interactive_model
from tandem_trainer.interactive.spec import parse_interactive_spec
from tandem_trainer.interactive.train import click_session, run_interactive


def brute_force_edt(region):
    padded = np.pad(region.astype(bool), 1)
    bg = np.argwhere(~padded)
    out = np.zeros(padded.shape)
    for y, x in np.argwhere(padded):
        out[y, x] = np.sqrt(((bg - [y, x]) ** 2).sum(1)).min()
    return out[1:-1, 1:-1]


def test_distance_transform_is_exact_euclidean():
    rng = np.random.default_rng(1)
    region = rng.random((17, 23)) < 0.7
    np.testing.assert_allclose(distance_transform(region), brute_force_edt(region), atol=1e-9)


def test_first_click_is_at_the_centre_of_the_largest_region():
    gt = np.zeros((40, 40), bool)
    gt[5:10, 5:10] = True  # small square
    gt[15:36, 12:33] = True  # large square, centre (25, 22)
    click = next_click(gt, np.zeros_like(gt))
    assert click == Click(25, 22, True)


def test_next_click_is_negative_when_the_false_positive_is_deeper():
    gt = np.zeros((40, 40), bool)
    gt[5:15, 5:15] = True
    pred = gt.copy()
    pred[5:15, 14] = False  # thin false negative (depth 1)
    pred[20:35, 20:35] = True  # thick false positive (depth 8)
    click = next_click(gt, pred)
    assert not click.positive and 20 <= click.y < 35 and 20 <= click.x < 35
    assert next_click(gt, gt) is None


def test_training_clicks_stay_inside_the_error():
    gt = np.zeros((32, 32), bool)
    gt[8:24, 4:20] = True
    rng = np.random.default_rng(0)
    for _ in range(20):
        c = next_click(gt, np.zeros_like(gt), rng)
        assert c.positive and gt[c.y, c.x]


def test_click_maps_draw_disks_in_their_channel():
    maps = click_maps([Click(10, 10, True), Click(30, 5, False)], 64)
    r = click_radius(64)
    assert maps.shape == (2, 64, 64)
    assert maps[0, 10, 10] == 1 and maps[0, 10, 10 + r] == 1 and maps[0, 10, 11 + r] == 0
    assert maps[1, 30, 5] == 1 and maps[0, 30, 5] == 0
    assert maps[0].sum() == maps[1].sum() > 3 * r * r  # two whole disks, none clipped


def test_network_shapes_and_click_sensitivity():
    torch.manual_seed(0)
    model = create_interactive_model().eval()
    image = torch.rand(2, 1, 64, 64)
    clicks = torch.zeros(2, 3, 64, 64)
    with torch.no_grad():
        a = model(image, clicks)
        clicks[:, 0, 20:25, 20:25] = 1
        b = model(image, clicks)
    assert a.shape == (2, 1, 64, 64)
    assert (a - b).abs().max() > 1e-4


def test_spec_rejects_unknown_keys_and_bad_size():
    item = {"id": "a", "image": "a.png", "mask": "m.png", "label": "covid"}
    with pytest.raises(SpecError, match="unknown spec keys: arch"):
        parse_interactive_spec({"arch": "unet", "train": [item]})
    with pytest.raises(SpecError, match="multiple of 32"):
        parse_interactive_spec({"size": 100, "train": [item]})
    with pytest.raises(SpecError, match="schedule"):
        parse_interactive_spec({"schedule": "step", "train": [item]})
    assert parse_interactive_spec({"train": [item]}).schedule == "constant"
    assert parse_interactive_spec({"schedule": "cosine", "train": [item]}).public()["schedule"] == "cosine"


def test_distance_transform_is_exact_on_deep_and_border_regions():
    # The early-stopping row pass must still find far minima: a full image (depth set by the
    # border), a thin diagonal band and a large disk.
    yy, xx = np.mgrid[0:41, 0:37]
    for region in (np.ones((41, 37), bool), abs(yy - xx) < 3, (yy - 20) ** 2 + (xx - 18) ** 2 < 300):
        np.testing.assert_allclose(distance_transform(region), brute_force_edt(region), atol=1e-9)


def test_training_learns_to_follow_clicks_and_exports(tmp_path, recorder):
    items = write_cases(str(tmp_path / "data"), n_covid=16, n_control=0, size=64, seed=3)
    spec = parse_interactive_spec(
        {
            "size": 64,
            "epochs": 25,
            "batch_size": 8,
            "lr": 3e-3,
            "schedule": "cosine",
            "max_clicks": 3,
            "device": "cpu",
            "train": items[:12],
            "val": items[12:],
            "version": "t1",
        }
    )
    out = str(tmp_path / "out")
    done = run_interactive(spec, out, recorder)
    assert done["version"] == "t1"
    dice_at = done["val"]["dice_at_clicks"]
    # Synthetic ellipses on noise: a few clicks must beat the empty mask by far.
    assert dice_at["3"] > 0.6, dice_at
    meta = json.load(open(os.path.join(out, "meta.json")))
    assert meta["size"] == 64 and meta["settings"]["version"] == "t1"
    assert os.path.getsize(os.path.join(out, "interactive.onnx")) > 0
    graph = onnx.load(os.path.join(out, "interactive.onnx")).graph
    assert [i.name for i in graph.input] == ["image", "clicks"]
    assert [d.dim_value for d in graph.input[1].type.tensor_type.shape.dim][1:] == [3, 64, 64]
    assert [o.name for o in graph.output] == ["prob"]


def test_click_session_scores_each_click():
    torch.manual_seed(0)
    model = create_interactive_model()
    gt = np.zeros((64, 64), np.float32)
    gt[10:40, 10:40] = 1
    scores = click_session(model, np.random.rand(64, 64), gt, 3)
    assert len(scores) == 3 and all(0 <= s <= 1 for s in scores)
    assert dice(gt, gt) == 1.0
