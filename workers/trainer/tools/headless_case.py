"""Writes a segmentation model.onnx in the form models had before the presence head: one output,
"prob" (for the Node tests that check such models still load and predict).

usage: python -m tools.headless_case SIZE OUT_DIR
"""
import sys

import torch
from torch import nn

from tandem_trainer.models import create_model
from tandem_trainer.train.export import export_onnx


class MaskOnly(nn.Module):
    """A network without forward_both: the exporter writes "prob" alone."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)


def main(size, out):
    torch.manual_seed(0)
    export_onnx(MaskOnly(create_model("unet", "tiny", width=2).eval()), int(size), f"{out}/model.onnx")


if __name__ == "__main__":
    main(*sys.argv[1:3])
