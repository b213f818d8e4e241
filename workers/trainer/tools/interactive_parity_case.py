"""One ONNX-vs-PyTorch parity case for the interactive model (tests/integration/onnx-parity.test.ts).

usage: python -m tools.interactive_parity_case SIZE OUT_DIR
Writes interactive.onnx, image.f32 (2x1xSxS), clicks.f32 (2x3xSxS), expected.f32 (2x1xSxS).
"""
import sys

import numpy as np
import torch

from tandem_trainer.interactive.clicks import Click, click_maps
from tandem_trainer.interactive.export import export_interactive_onnx
from tandem_trainer.interactive.network import InteractiveProbability, create_interactive_model


def main(size, out):
    torch.manual_seed(0)
    size = int(size)
    model = create_interactive_model()
    for module in model.modules():  # real BatchNorm statistics, as training would leave them
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.rand(4, 1, size, size), (torch.rand(4, 3, size, size) > 0.8).float())
    model.eval()
    export_interactive_onnx(model, size, f"{out}/interactive.onnx")
    images = torch.rand(2, 1, size, size)
    clicks = np.zeros((2, 3, size, size), np.float32)
    clicks[0, :2] = click_maps([Click(size // 3, size // 2, True), Click(size // 2, size // 4, False)], size)
    clicks[1, :2] = click_maps([Click(size // 2, size // 2, True)], size)
    clicks[1, 2, size // 4 : size // 2, size // 4 : size // 2] = 1
    clicks = torch.from_numpy(clicks)
    with torch.no_grad():
        expected = InteractiveProbability(model)(images, clicks)
    images.numpy().astype("float32").tofile(f"{out}/image.f32")
    clicks.numpy().astype("float32").tofile(f"{out}/clicks.f32")
    expected.numpy().astype("float32").tofile(f"{out}/expected.f32")


if __name__ == "__main__":
    main(*sys.argv[1:3])
