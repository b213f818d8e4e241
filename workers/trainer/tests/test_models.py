import os
import subprocess
import sys

import pytest
import torch

from tandem_trainer.models import ARCHS, ENCODERS, ProbabilityModel, count_parameters, create_model
from tandem_trainer.models.encoders.inception import fit_to
from tandem_trainer.models.paper_params import TABLE8

BIG = ("densenet121", "chexnet", "resnet50", "inception_v3")


@pytest.mark.parametrize("encoder", sorted(ENCODERS))
@pytest.mark.parametrize("arch", sorted(ARCHS))
def test_every_arch_and_encoder_gives_logits_at_input_size(arch, encoder):
    model = create_model(arch, encoder, width=4).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 64, 64))
    assert out.shape == (2, 1, 64, 64)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("encoder", ["densenet121", "resnet50", "inception_v3"])
def test_encoder_features_have_nominal_strides_at_224(encoder):
    from tandem_trainer.models.encoders import build_encoder

    enc = build_encoder(encoder).eval()
    with torch.no_grad():
        feats = enc(torch.randn(1, 3, 224, 224))
    assert [tuple(f.shape[1:]) for f in feats] == [
        (c, 224 // 2**k, 224 // 2**k) for k, c in enumerate(enc.channels, start=1)
    ]


def test_inception_unet_runs_at_224():
    model = create_model("unet", "inception_v3", width=4).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 224, 224)).shape == (1, 1, 224, 224)


def test_fit_to_crops_centre_or_interpolates():
    x = torch.arange(36.0).view(1, 1, 6, 6)
    assert torch.equal(fit_to(x, 2, 2), x[..., 2:4, 2:4])
    assert fit_to(x, 8, 8).shape == (1, 1, 8, 8)


@pytest.mark.parametrize("encoder", ["densenet121", "inception_v3", "resnet50"])
def test_unet_parameter_count_matches_paper_table8(encoder):
    model = create_model("unet", encoder)
    trainable = count_parameters(model)["trainable"] / 1e6
    assert trainable == pytest.approx(TABLE8[("unet", encoder)]["not_frozen"][0], rel=0.01)


def test_unet_densenet_counts_are_exact():
    model = create_model("unet", "densenet121")
    counts = count_parameters(model)
    # The presence head (average + max pooled stride-32 features -> one logit) is Tandem's own;
    # the segmentation network itself has the paper's count.
    head = sum(p.numel() for p in model.presence.parameters())
    assert head == 2 * 1024 + 1
    assert counts == {"trainable": 12_059_345 + head, "frozen": 0, "stats": 85_632}  # paper: 12.06M / 85.63K


def test_frozen_encoder_keeps_weights_and_statistics():
    model = create_model("unet", "tiny", width=4, freeze_encoder=True)
    counts = count_parameters(model)
    assert counts["frozen"] == sum(p.numel() for p in model.encoder.parameters())
    before = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    model.train()
    assert not model.encoder.training and model.decoder.training
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model(torch.randn(2, 3, 64, 64)).mean().backward()
    optimizer.step()
    for key, value in model.encoder.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_probability_wrapper_takes_grayscale_and_returns_probabilities():
    wrapper = ProbabilityModel(create_model("unet", "tiny", width=4)).eval()
    with torch.no_grad():
        prob = wrapper(torch.rand(3, 1, 64, 64))
    assert prob.shape == (3, 1, 64, 64)
    assert float(prob.min()) >= 0 and float(prob.max()) <= 1


def test_grayscale_normalisation_uses_imagenet_statistics():
    from tandem_trainer.models import GrayToImageNet

    out = GrayToImageNet()(torch.full((1, 1, 2, 2), 0.485))
    assert out.shape == (1, 3, 2, 2)
    assert out[0, 0].abs().max() < 1e-6
    assert out[0, 1, 0, 0].item() == pytest.approx((0.485 - 0.456) / 0.224, rel=1e-5)


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="unknown arch"):
        create_model("segnet", "tiny")
    with pytest.raises(ValueError, match="unknown encoder"):
        create_model("unet", "vgg16")


TRAINER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_small_network_trains_without_importing_torchvision():
    # torchvision's import costs about 0.4 s of every trainer start; only its networks need it.
    code = (
        "import sys\n"
        "from tandem_trainer.train.run import run_training\n"
        "from tandem_trainer.models.registry import create_model\n"
        "create_model('unet', 'tiny')\n"
        "assert 'torchvision' not in sys.modules, 'torchvision was imported'\n"
        "create_model('unet', 'densenet121')\n"
        "assert 'torchvision' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=TRAINER_DIR)
    assert done.returncode == 0, done.stderr
