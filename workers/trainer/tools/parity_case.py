"""Writes one ONNX-vs-PyTorch parity case for the Node test (tests/integration/onnx-parity.test.ts).

usage: python -m tools.parity_case ARCH ENCODER SIZE OUT_DIR
Writes model.onnx, input.f32 (3×1×S×S), expected.f32 (PyTorch probabilities, same shape) and
expected_presence.f32 (the presence head's probabilities, 3).
"""
import sys

import torch

from tandem_trainer.models import DeployModel, create_model
from tandem_trainer.train.export import export_onnx


def calibrated(net, size):
    # Real BatchNorm statistics, as training would leave them; random-init ones saturate deep encoders.
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None
    net.train()
    with torch.no_grad():
        for _ in range(2):
            net(torch.randn(4, 3, size, size))
    return net.eval()


def main(arch, encoder, size, out):
    torch.manual_seed(0)
    size = int(size)
    net = calibrated(create_model(arch, encoder, width=2), size)
    export_onnx(net, size, f"{out}/model.onnx")
    images = torch.rand(3, 1, size, size)
    with torch.no_grad():
        expected, presence = DeployModel(net)(images)
    images.numpy().astype("float32").tofile(f"{out}/input.f32")
    expected.numpy().astype("float32").tofile(f"{out}/expected.f32")
    presence.numpy().astype("float32").tofile(f"{out}/expected_presence.f32")


if __name__ == "__main__":
    main(*sys.argv[1:5])
