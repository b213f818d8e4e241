import os
import re

import numpy as np
import pytest
import torch
from torchvision.models import densenet121

from tandem_trainer import compat
from tandem_trainer.errors import WeightsError
from tandem_trainer.models import create_model
from tandem_trainer.models.weight_files import read_safetensors, write_safetensors


def _old_style(key: str) -> str:
    """Rename to the pre-0.3 torchvision DenseNet keys that CheXNet checkpoints carry."""
    return re.sub(r"(denselayer\d+\.(?:norm|conv))(1|2)\.", r"\1.\2.", key)


def _same_encoder(a, b):
    sa, sb = a.encoder.state_dict(), b.encoder.state_dict()
    return all(torch.equal(sa[k], sb[k]) for k in sa)


def test_chexnet_checkpoint_with_module_prefix_and_old_keys(tmp_path):
    donor = create_model("unet", "chexnet", width=4)
    state = {f"module.densenet121.{_old_style(k)}": v for k, v in donor.encoder.state_dict().items()}
    state["module.densenet121.classifier.0.weight"] = torch.zeros(14, 1024)
    path = tmp_path / "chexnet.pth.tar"
    torch.save({"epoch": 3, "state_dict": state}, path)
    model = create_model("unet", "chexnet", width=4, pretrained=str(path))
    assert _same_encoder(model, donor)
    assert model.weights_source == "encoder:chexnet.pth.tar"


def test_safetensors_and_npz_encoder_files(tmp_path):
    donor = create_model("unet", "tiny", width=4)
    state = {
        f"backbone.{k}": v.float()
        for k, v in donor.encoder.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }
    write_safetensors(str(tmp_path / "w.safetensors"), state)
    assert set(read_safetensors(str(tmp_path / "w.safetensors"))) == set(state)
    np.savez(tmp_path / "w.npz", **{k: v.numpy() for k, v in state.items()})
    for name in ("w.safetensors", "w.npz"):
        model = create_model("dla", "tiny", width=4, pretrained=str(tmp_path / name))
        assert _same_encoder(model, donor), name


def test_whole_model_checkpoint_loads_decoder_too(tmp_path):
    donor = create_model("unetpp", "tiny", width=4)
    torch.save(donor.state_dict(), tmp_path / "best.pt")
    model = create_model("unetpp", "tiny", width=4, pretrained=str(tmp_path / "best.pt"))
    assert all(torch.equal(v, donor.state_dict()[k]) for k, v in model.state_dict().items())
    assert model.weights_source.startswith("model:")


def test_weights_that_do_not_fit_are_rejected(tmp_path):
    torch.save(create_model("unet", "tiny", width=4).state_dict(), tmp_path / "tiny.pt")
    with pytest.raises(WeightsError, match="do not fit encoder resnet50"):
        create_model("unet", "resnet50", width=4, pretrained=str(tmp_path / "tiny.pt"))


def test_imagenet_offline_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    monkeypatch.delenv("TANDEM_WEIGHTS_DIR", raising=False)
    with pytest.raises(
        WeightsError, match="--weights imagenet: .*not available offline.*never downloads.*tandem weights import"
    ):
        create_model("unet", "resnet50", pretrained="imagenet")
    with pytest.raises(WeightsError, match="CheXNet checkpoint"):
        create_model("unet", "chexnet", pretrained="imagenet")


def test_imagenet_from_torchvision_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    os.makedirs(tmp_path / "checkpoints")
    reference = densenet121()
    torch.save(
        {_old_style(k): v for k, v in reference.state_dict().items()},
        tmp_path / "checkpoints" / "densenet121-a639ec97.pth",
    )
    model = create_model("unet", "densenet121", width=4, pretrained="imagenet")
    # every tensor of the file reaches the encoder unchanged (classifier excepted)
    loaded = {k: v for k, v in model.encoder.state_dict().items()}
    expected = {k: v for k, v in reference.state_dict().items() if not k.startswith("classifier")}
    matched = 0
    for key, value in expected.items():
        ours = [t for k, t in loaded.items() if k.endswith(key.split("features.", 1)[-1]) and t.shape == value.shape]
        assert ours and any(torch.equal(t, value) for t in ours), key
        matched += 1
    assert matched == len(expected)
    assert model.weights_source == "encoder:imagenet"


class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {_Payload.marker}",))


def test_checkpoint_rejected_by_the_safe_loader_gets_advice(tmp_path):
    torch.save({"state_dict": {"w": torch.zeros(1)}, "note": object()}, tmp_path / "odd.pt")
    with pytest.raises(WeightsError, match="will not load safely.*safetensors"):
        create_model("unet", "tiny", width=4, pretrained=str(tmp_path / "odd.pt"))


def test_pickled_code_in_a_checkpoint_is_never_run(tmp_path):
    _Payload.marker = str(tmp_path / "pwned")
    torch.save({"state_dict": {"x": _Payload()}}, tmp_path / "evil.pt")
    with pytest.raises(WeightsError):
        create_model("unet", "tiny", width=4, pretrained=str(tmp_path / "evil.pt"))
    assert not os.path.exists(_Payload.marker)


def test_torch_without_weights_only_refuses_pickles_but_reads_npz(tmp_path, monkeypatch):
    donor = create_model("unet", "tiny", width=4)
    torch.save(donor.encoder.state_dict(), tmp_path / "enc.pt")
    np.savez(tmp_path / "enc.npz", **{k: v.numpy() for k, v in donor.encoder.state_dict().items()})
    monkeypatch.setattr(compat, "torch_load_has_weights_only", lambda: False)
    with pytest.raises(WeightsError, match="cannot load checkpoints safely"):
        create_model("unet", "tiny", width=4, pretrained=str(tmp_path / "enc.pt"))
    assert _same_encoder(create_model("unet", "tiny", width=4, pretrained=str(tmp_path / "enc.npz")), donor)


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        create_model("unet", "tiny", pretrained=str(tmp_path / "nope.pt"))
    (tmp_path / "bad.safetensors").write_bytes(b"\xff" * 16)
    with pytest.raises(WeightsError, match="header length"):
        create_model("unet", "tiny", pretrained=str(tmp_path / "bad.safetensors"))
