"""A stand-in interactive.onnx for Node tests of the click plumbing (coordinates, upsampling).

usage: python -m tools.interactive_echo_model SIZE OUT_DIR
Same inputs and output as the trained model; the "proposal" is the positive-click disks minus
the negative ones, so a test can check exactly where a click lands.
"""
import sys

import torch
from torch import nn

from tandem_trainer.interactive.export import INPUTS, OUTPUT
from tandem_trainer.train.export import OPSET
from tandem_trainer import compat


class Echo(nn.Module):
    def forward(self, image, clicks):
        return torch.clamp(clicks[:, 0:1] - clicks[:, 1:2] + 0 * image, 0, 1)


def main(size, out):
    size = int(size)
    torch.onnx.export(
        Echo(),
        (torch.rand(1, 1, size, size), torch.zeros(1, 3, size, size)),
        f"{out}/interactive.onnx",
        input_names=list(INPUTS),
        output_names=[OUTPUT],
        opset_version=OPSET,
        dynamic_axes={**{n: {0: "batch"} for n in INPUTS}, OUTPUT: {0: "batch"}},
        **compat.onnx_export_extra_kwargs(),
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
