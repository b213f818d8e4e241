"""ImageNet weight files for the classifiers: the names the loader looks for are torchvision's
own, and a file of that name (written here from torchvision's architecture) fills the backbone."""
import os

import pytest
import torch
from torchvision import models as tv

from tandem_trainer.models.classifiers import create_classifier
from tandem_trainer.models.pretrained import IMAGENET_FILES

# arch -> (torchvision constructor, its ImageNet weight enums)
TORCHVISION = {
    "resnet18": (tv.resnet18, [tv.ResNet18_Weights.IMAGENET1K_V1]),
    "resnet50": (tv.resnet50, [tv.ResNet50_Weights.IMAGENET1K_V1, tv.ResNet50_Weights.IMAGENET1K_V2]),
    "squeezenet1_1": (tv.squeezenet1_1, [tv.SqueezeNet1_1_Weights.IMAGENET1K_V1]),
    "densenet121": (tv.densenet121, [tv.DenseNet121_Weights.IMAGENET1K_V1]),
}


@pytest.mark.parametrize("arch", sorted(TORCHVISION))
def test_file_names_are_torchvision_names(arch):
    _, weights = TORCHVISION[arch]
    expected = {os.path.basename(w.url) for w in weights}
    assert expected <= set(IMAGENET_FILES[arch]), (arch, expected, IMAGENET_FILES[arch])


@pytest.mark.parametrize("arch", ["squeezenet1_1", "resnet18"])
def test_imagenet_file_fills_the_backbone(arch, tmp_path, monkeypatch):
    build, weights = TORCHVISION[arch]
    torch.manual_seed(3)
    reference = build()
    name = os.path.basename(weights[0].url)
    torch.save(reference.state_dict(), tmp_path / name)
    monkeypatch.setenv("TANDEM_WEIGHTS_DIR", str(tmp_path))
    model = create_classifier(arch, pretrained="imagenet")
    assert model.weights_source == "backbone:imagenet"
    ours = list(model.features.state_dict().values())
    theirs = [v for k, v in reference.state_dict().items() if not k.startswith(("fc.", "classifier."))]
    assert len(ours) == len(theirs)
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs))
    # A file of another name is not picked up: the error names the torchvision file.
    os.remove(tmp_path / name)
    with pytest.raises(Exception, match=name.replace(".", r"\.")):
        create_classifier(arch, pretrained="imagenet")
