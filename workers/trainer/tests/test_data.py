import os
import random
from collections import Counter

import numpy as np
import pytest
import torch
from PIL import Image

import synthetic
from tandem_trainer.data import (
    Sample,
    SegmentationDataset,
    apply_affine,
    augment_batch,
    epoch_plan,
    make_folds,
    random_affine,
    read_gray,
    read_mask,
    scan_folder,
    split,
)
from tandem_trainer.data import images as images_module
from tandem_trainer.errors import DataError


def _png(path, array, mode=None):
    Image.fromarray(array, mode=mode).save(path)
    return str(path)


def test_read_gray_and_masks_in_several_encodings(tmp_path):
    gray = _png(tmp_path / "g.png", np.full((10, 20), 200, np.uint8))
    assert read_gray(gray, 32).shape == (32, 32) and read_gray(gray, 32).max() == 200
    rgb = _png(tmp_path / "rgb.png", np.full((8, 8, 3), 100, np.uint8))
    assert read_gray(rgb, 32)[0, 0] == 100
    wide = _png(tmp_path / "w.png", np.full((8, 8), 65535, np.uint16))
    assert read_gray(wide, 32)[0, 0] == 255

    mask = np.zeros((8, 8), np.uint8)
    mask[:4] = 255
    assert read_mask(_png(tmp_path / "m255.png", mask), 8).sum() == 32
    assert read_mask(_png(tmp_path / "m1.png", (mask > 0).astype(np.uint8)), 8).sum() == 32
    red = np.zeros((8, 8, 3), np.uint8)
    red[:4, :, 0] = 255
    assert read_mask(_png(tmp_path / "red.png", red), 8).sum() == 32
    assert read_mask(None, 8).sum() == 0


def test_oversized_and_broken_images_are_refused(tmp_path, monkeypatch):
    path = _png(tmp_path / "big.png", np.zeros((50, 50), np.uint8))
    monkeypatch.setattr(images_module, "MAX_PIXELS", 1000)
    with pytest.raises(DataError, match="outside the allowed size"):
        read_gray(path, 32)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(DataError, match="cannot read"):
        read_gray(str(tmp_path / "broken.png"), 32)


def test_dataset_cached_and_streaming_agree(tmp_path):
    items = synthetic.write_cases(str(tmp_path), 2, 1, size=40)
    samples = [Sample(i["id"], i["image"], i["mask"], i["label"]) for i in items]
    cached, streamed = SegmentationDataset(samples, 32, cache=True), SegmentationDataset(samples, 32, cache=False)
    assert cached.cached and not streamed.cached
    for k in range(3):
        for a, b in zip(cached[k], streamed[k]):
            assert torch.equal(torch.as_tensor(a), torch.as_tensor(b))
    image, mask, label = cached[0]
    assert image.dtype == torch.uint8 and image.shape == (1, 32, 32) and set(mask.unique().tolist()) <= {0, 1}
    assert label == 1 and cached[2][2] == 0


def test_identity_affine_changes_nothing_and_shift_moves_content():
    images = torch.rand(1, 1, 20, 20)
    masks = (torch.rand(1, 1, 20, 20) > 0.5).float()
    identity = torch.eye(2, 3).unsqueeze(0)
    out_i, out_m = apply_affine(images, masks, identity)
    assert torch.allclose(out_i, images, atol=1e-5) and torch.equal(out_m, masks)
    shift = identity.clone()
    shift[0, 0, 2] = 2 * 0.1  # sample from 2 px (10% of 20) to the right: content moves left
    moved, moved_mask = apply_affine(images, masks, shift)
    assert torch.allclose(moved[..., :, :-2], images[..., :, 2:], atol=1e-5)
    # the blank strip is filled with the nearest edge pixels
    assert torch.allclose(moved[..., :, -1], images[..., :, -1], atol=1e-5)
    assert torch.equal(moved_mask[..., :, :-2], masks[..., :, 2:])


def test_random_affine_stays_within_paper_ranges():
    theta = random_affine(500, torch.Generator().manual_seed(0))
    angles = torch.rad2deg(torch.atan2(theta[:, 1, 0], theta[:, 0, 0]))
    assert angles.abs().max() <= 10.0 + 1e-4 and angles.abs().max() > 9
    assert theta[:, :, 2].abs().max() <= 0.2 + 1e-6


def test_augment_batch_touches_only_selected_and_keeps_masks_binary():
    images = torch.rand(4, 1, 32, 32)
    masks = (torch.rand(4, 1, 32, 32) > 0.5).float()
    selected = torch.tensor([True, False, True, False])
    out_i, out_m = augment_batch(images, masks, selected, torch.Generator().manual_seed(3))
    assert torch.allclose(out_i[1], images[1], atol=1e-5) and torch.equal(out_m[3], masks[3])
    assert not torch.allclose(out_i[0], images[0])
    assert set(out_m.unique().tolist()) <= {0.0, 1.0}


def _samples(n_covid, n_control):
    return [Sample(f"c{i}", "x", "m", "covid") for i in range(n_covid)] + [
        Sample(f"n{i}", "x", None, "control") for i in range(n_control)
    ]


def test_balance_plan_augments_covid_up_to_controls():
    samples = _samples(3, 10)
    plan = epoch_plan(samples, "balance", random.Random(0))
    assert len(plan) == 20
    augmented = [i for i, aug in plan if aug]
    assert len(augmented) == 7 and all(samples[i].positive for i in augmented)
    assert sorted(i for i, aug in plan if not aug) == list(range(13))
    assert all(aug for _, aug in epoch_plan(samples, "all", random.Random(0)))
    assert len(epoch_plan(_samples(5, 2), "balance", random.Random(0))) == 7


def _patients(n_patients, seed):
    rng = random.Random(seed)
    items = []
    for p in range(n_patients):
        label = "covid" if p % 4 == 0 else "control"
        for k in range(rng.randint(1, 4)):
            items.append(Sample(f"p{p}_{k}", "x", "m" if label == "covid" else None, label, patient=f"P{p}"))
    return items


def test_folds_group_patients_and_stratify_labels():
    items = _patients(120, seed=5)
    folds = make_folds(items, 5, seed=0)
    assert sorted(s.id for f in folds for s in f) == sorted(s.id for s in items)
    patient_fold = {}
    for k, fold in enumerate(folds):
        for s in fold:
            assert patient_fold.setdefault(s.patient, k) == k, "patient split across folds"
    totals = Counter(s.label for s in items)
    for fold in folds:
        counts = Counter(s.label for s in fold)
        for label, total in totals.items():
            assert abs(counts[label] - total / 5) <= max(4, 0.1 * total / 5)
    train, test = split(folds, 2)
    assert not {s.patient for s in train} & {s.patient for s in test}


def test_folds_are_deterministic_and_order_independent():
    items = _patients(40, seed=1)
    ids = lambda folds: [sorted(s.id for s in f) for f in folds]  # noqa: E731
    first = ids(make_folds(items, 5, seed=7))
    assert ids(make_folds(list(reversed(items)), 5, seed=7)) == first
    assert ids(make_folds(items, 5, seed=8)) != first
    with pytest.raises(ValueError):
        make_folds(items[:2], 5)


def test_scan_folder_pairs_and_labels(tmp_path):
    synthetic.write_cases(str(tmp_path), 3, 2, size=32, control_masks=True)
    (tmp_path / "meta.csv").write_text("id,patient\ncov000,A\ncov001,A\n")
    samples = {s.id: s for s in scan_folder(str(tmp_path))}
    assert [samples[k].label for k in sorted(samples)] == ["covid"] * 3 + ["control"] * 2
    assert samples["cov000"].group == samples["cov001"].group == "A"
    assert samples["ctl003"].group == "image:ctl003"


def test_scan_folder_errors(tmp_path):
    synthetic.write_cases(str(tmp_path), 2, 1, size=32)  # control without a mask file
    with pytest.raises(DataError, match="'ctl002' has no mask"):
        scan_folder(str(tmp_path))
    (tmp_path / "meta.csv").write_text("id,label\nctl002,control\n")
    assert len(scan_folder(str(tmp_path))) == 3
    _png(tmp_path / "masks" / "stray.png", np.zeros((32, 32), np.uint8))
    with pytest.raises(DataError, match="masks without an image: stray"):
        scan_folder(str(tmp_path))
    os.remove(tmp_path / "masks" / "stray.png")
    _png(tmp_path / "masks" / "cov000.png", np.zeros((16, 32), np.uint8))
    with pytest.raises(DataError, match="'cov000': image is"):
        scan_folder(str(tmp_path))
