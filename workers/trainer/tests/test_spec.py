import json

import numpy as np
import pytest
from PIL import Image

import synthetic
from tandem_trainer.errors import SpecError
from tandem_trainer.spec import check_files, load_spec, parse_spec


@pytest.fixture
def items(tmp_path):
    return synthetic.write_cases(str(tmp_path), 2, 1, size=32)


def _spec(items, **extra):
    return {"arch": "unet", "encoder": "tiny", "train": items, **extra}


def test_defaults_follow_the_paper(items):
    spec = parse_spec(_spec(items))
    assert (spec.size, spec.epochs, spec.batch_size, spec.lr) == (224, 50, 32, 1e-4)
    assert spec.pretrained is None and not spec.freeze_encoder and spec.augment == "balance"
    assert spec.train[2].mask is None and spec.train[2].label == "control"


def test_relative_paths_resolve_against_the_spec_folder(tmp_path, items):
    rel = [{**i, "image": f"images/{i['id']}.png", "mask": i["mask"] and f"masks/{i['id']}.png"} for i in items]
    (tmp_path / "spec.json").write_text(json.dumps(_spec(rel, predict=[{"id": "a", "image": "images/cov000.png"}])))
    spec = load_spec(str(tmp_path / "spec.json"))
    check_files(spec)
    assert spec.train[0].image == str(tmp_path / "images" / "cov000.png")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"arch": "segnet"}, "'arch' must be one of"),
        ({"size": 100}, "multiple of 32"),
        ({"epochs": 0}, "'epochs' must be an integer"),
        ({"lr": "fast"}, "'lr' must be a number"),
        ({"device": "tpu"}, "'device' must be one of"),
        ({"freeze_encoder": "yes"}, "'freeze_encoder'"),
        ({"colour": 1}, "unknown spec keys: colour"),
        ({"train": []}, "non-empty list"),
        ({"predict": [{"id": "../evil", "image": "x.png"}]}, "predict\\[0\\] needs an id"),
    ],
)
def test_bad_specs_are_rejected_with_a_message(items, change, message):
    with pytest.raises(SpecError, match=message):
        parse_spec({**_spec(items), **change})


def test_bad_samples(items):
    with pytest.raises(SpecError, match="covid sample needs a mask"):
        parse_spec(_spec([{**items[0], "mask": None}]))
    with pytest.raises(SpecError, match="label must be one of"):
        parse_spec(_spec([{**items[0], "label": "pneumonia"}]))
    with pytest.raises(SpecError, match="id 'cov000' twice"):
        parse_spec(_spec([items[0], items[0]]))


def test_file_checks(tmp_path, items):
    with pytest.raises(SpecError, match="file not found"):
        check_files(parse_spec(_spec([{**items[0], "image": str(tmp_path / "nope.png")}])))
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(items[0]["mask"])
    with pytest.raises(SpecError, match="mask size"):
        check_files(parse_spec(_spec(items)))


def test_unreadable_spec_file(tmp_path):
    (tmp_path / "spec.json").write_text("{nope")
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec(str(tmp_path / "spec.json"))
