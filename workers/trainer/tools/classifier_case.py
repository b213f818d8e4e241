"""Writes one classifier case for the Node tests (tests/integration/ml-classifier.test.ts).

usage: python -m tools.classifier_case ARCH SIZE OUT_DIR
Writes model.onnx (prob + cam), input.f32 (2x1xSxS) and expected.json (PyTorch prob and cam).
The head is set so that bright pixels raise P(COVID-19): occlusion and CAM then have an answer.
"""
import json
import sys

import torch

from tandem_trainer.models.classifiers import create_classifier
from tandem_trainer.models.classifiers.deploy import ClassifierOutputs
from tandem_trainer.train.export import export_classifier_onnx
from tools.parity_case import calibrated


def main(arch, size, out):
    torch.manual_seed(0)
    size = int(size)
    net = calibrated(create_classifier(arch), size)
    with torch.no_grad():
        # A head reading the mean activation: brighter images -> higher COVID-19 logit.
        net.head.weight.zero_()
        net.head.bias.zero_()
        bright, dark = torch.full((1, 3, size, size), 2.0), torch.full((1, 3, size, size), -2.0)
        diff = (net.feature_map(bright) - net.feature_map(dark)).mean(dim=(0, 2, 3))
        net.head.weight[1] = diff / diff.norm()
        background = net.feature_map(ClassifierOutputs(net).prepare(torch.full((1, 1, size, size), 0.2)))
        square = torch.full((1, 1, size, size), 0.2)
        square[..., size // 4 : size // 2, size // 4 : size // 2] = 0.9
        square_fmap = net.feature_map(ClassifierOutputs(net).prepare(square))
        gap = float(net.classify(square_fmap)[0, 1] - net.classify(background)[0, 1])
        net.head.weight[1] *= 3 / gap  # the square adds 3 to the COVID-19 logit
        net.head.bias[1] = -float(net.classify(background)[0, 1])  # a plain 0.2 image: P = 0.5
    export_classifier_onnx(net, size, f"{out}/model.onnx")
    images = torch.full((2, 1, size, size), 0.2)
    images[0, :, size // 4 : size // 2, size // 4 : size // 2] = 0.9  # one bright square
    images[1] = torch.rand(1, size, size)
    with torch.no_grad():
        prob, cam = ClassifierOutputs(net).eval()(images)
    images.numpy().astype("float32").tofile(f"{out}/input.f32")
    with open(f"{out}/expected.json", "w") as handle:
        json.dump({"prob": prob.tolist(), "cam": cam.flatten().tolist(), "cam_shape": list(cam.shape)}, handle)


if __name__ == "__main__":
    main(*sys.argv[1:4])
