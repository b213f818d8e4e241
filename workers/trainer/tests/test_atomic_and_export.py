import os

import onnx_checks
import pytest
import torch

from tandem_trainer.atomic import atomic_path, atomic_write_json, remove_stale_temps
from tandem_trainer.models import create_model
from tandem_trainer.train import export as export_module
from tandem_trainer.train.export import export_onnx


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "metrics.json"
    atomic_write_json(str(target), {"ok": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(str(target)) as tmp:
            with open(tmp, "w") as handle:
                handle.write('{"half": ')
            raise RuntimeError("killed")
    assert target.read_text().strip().endswith("}") and '"ok": 1' in target.read_text()
    assert os.listdir(tmp_path) == ["metrics.json"]


def test_stale_temps_are_removed(tmp_path):
    (tmp_path / ".model.onnx.tmp-1234").write_bytes(b"partial")
    (tmp_path / "keep.txt").write_text("x")
    remove_stale_temps(str(tmp_path))
    assert os.listdir(tmp_path) == ["keep.txt"]


def test_export_that_dies_midway_leaves_no_model(tmp_path, monkeypatch):
    def dying_export(model, args, f, **kwargs):
        with open(f, "wb") as handle:
            handle.write(b"\x08\x07half an onnx file")
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module.torch.onnx, "export", dying_export)
    with pytest.raises(KeyboardInterrupt):
        export_onnx(create_model("unet", "tiny", width=4), 64, str(tmp_path / "model.onnx"))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("arch", ["unet", "unetpp", "dla"])
def test_onnx_export_has_named_io_and_dynamic_batch(tmp_path, arch):
    path = tmp_path / "model.onnx"
    sha = export_onnx(create_model(arch, "tiny", width=4), 64, str(path))
    assert len(sha) == 64 and path.stat().st_size > 10_000
    onnx_checks.check_io(str(path), size=64)


class _HeadlessNet(torch.nn.Module):
    """A segmentation network from before the presence head: mask logits only."""

    def __init__(self):
        super().__init__()
        self.net = create_model("unet", "tiny", width=4)

    def forward(self, x):
        return self.net(x)


def test_a_network_without_the_presence_head_exports_prob_alone(tmp_path):
    path = tmp_path / "model.onnx"
    export_onnx(_HeadlessNet(), 64, str(path))
    onnx_checks.check_io(str(path), size=64, outputs=("prob",))


def test_onnx_export_of_inception_encoder(tmp_path):
    # replicate padding + centre crops must trace cleanly
    path = tmp_path / "model.onnx"
    export_onnx(create_model("unet", "inception_v3", width=2), 96, str(path))
    onnx_checks.check_io(str(path), size=96)


def _calibrate_batchnorm(net, size):
    """Give BatchNorm real statistics (as training would); with the random-init ones the
    activations of deep encoders explode and saturate the sigmoid."""
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # cumulative average
    net.train()
    with torch.no_grad():
        for _ in range(2):
            net(torch.randn(4, 3, size, size))
    return net.eval()


# ONNX-vs-PyTorch parity runs from Node with onnxruntime-node: tests/integration/onnx-parity.test.ts


def test_a_retried_run_starts_without_the_previous_final_outputs(tmp_path):
    from tandem_trainer.train.run import clear_previous_outputs

    for name in ("model.onnx", "metrics.json", "last.pt", ".model.onnx.tmp-99"):
        (tmp_path / name).write_bytes(b"old")
    (tmp_path / "pred").mkdir()
    (tmp_path / "pred" / "a.png").write_bytes(b"old")
    clear_previous_outputs(str(tmp_path))
    assert os.listdir(tmp_path) == ["last.pt"]
