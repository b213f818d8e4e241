import math

import pytest
import torch
import torch.nn.functional as F

from tandem_trainer.losses import dice_loss, focal_loss, hybrid_loss


def logit(q):
    return math.log(q / (1 - q))


def test_focal_loss_matches_equation_5_by_hand():
    # q = 0.5 everywhere: positive pixel -a (0.5)^2 log 0.5, negative pixel -(1-a) (0.5)^2 log 0.5
    logits = torch.zeros(1, 1, 1, 2)
    target = torch.tensor([[[[1.0, 0.0]]]])
    expected = (0.25 * 0.25 * math.log(2) + 0.75 * 0.25 * math.log(2)) / 2
    assert focal_loss(logits, target).item() == pytest.approx(expected, rel=1e-6)


def test_focal_loss_asymmetric_case_by_hand():
    q = 0.8
    logits = torch.full((1, 1, 1, 1), logit(q))
    pos = -0.25 * (1 - q) ** 2 * math.log(q)
    neg = -0.75 * q**2 * math.log(1 - q)
    assert focal_loss(logits, torch.ones_like(logits)).item() == pytest.approx(pos, rel=1e-5)
    assert focal_loss(logits, torch.zeros_like(logits)).item() == pytest.approx(neg, rel=1e-5)


def test_focal_with_gamma_zero_is_balanced_cross_entropy():
    logits, target = torch.randn(2, 1, 8, 8), (torch.rand(2, 1, 8, 8) > 0.7).float()
    weights = 0.25 * target + 0.75 * (1 - target)
    bce = F.binary_cross_entropy_with_logits(logits, target, weight=weights)
    assert focal_loss(logits, target, gamma=0).item() == pytest.approx(bce.item(), rel=1e-5)


def test_dice_loss_matches_equation_7_by_hand():
    q = torch.tensor([0.8, 0.2, 0.6, 0.4])
    p = torch.tensor([1.0, 0.0, 1.0, 0.0])
    logits = torch.log(q / (1 - q)).view(1, 1, 2, 2)
    # 1 - 2 * (0.8 + 0.6) / (2 + 2.0) = 0.3
    assert dice_loss(logits, p.view(1, 1, 2, 2), smooth=0).item() == pytest.approx(0.3, rel=1e-5)


def test_dice_loss_on_all_empty_batch_is_finite():
    logits = torch.full((2, 1, 4, 4), -20.0)
    value = dice_loss(logits, torch.zeros(2, 1, 4, 4))
    assert torch.isfinite(value) and value.item() < 0.01


def test_hybrid_is_the_sum_and_stable_at_extreme_logits():
    logits = torch.tensor([[[[100.0, -100.0], [30.0, -30.0]]]], requires_grad=True)
    target = torch.tensor([[[[0.0, 1.0], [1.0, 0.0]]]])
    loss = hybrid_loss(logits, target)
    assert loss.item() == pytest.approx((focal_loss(logits, target) + dice_loss(logits, target)).item())
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(logits.grad).all()


def test_a_balanced_alpha_weighs_missed_and_false_pixels_alike():
    z = torch.tensor([[[[1.3, -0.4]]]])
    # the paper's alpha (0.25) charges a missed infected pixel a third of a false one
    missed = focal_loss(-z, torch.ones_like(z))
    false = focal_loss(z, torch.zeros_like(z))
    assert missed.item() == pytest.approx(false.item() / 3, rel=1e-5)
    balanced_missed = focal_loss(-z, torch.ones_like(z), alpha=0.5)
    balanced_false = focal_loss(z, torch.zeros_like(z), alpha=0.5)
    assert balanced_missed.item() == pytest.approx(balanced_false.item(), rel=1e-5)
    target = (z > 0).float()
    assert hybrid_loss(z, target, alpha=0.5).item() == pytest.approx(
        (focal_loss(z, target, alpha=0.5) + dice_loss(z, target)).item(), rel=1e-6
    )


def test_the_spec_carries_the_alpha_and_bounds_it():
    from tandem_trainer.spec import SpecError, parse_spec

    base = {
        "arch": "unet",
        "encoder": "tiny",
        "train": [{"id": "a", "image": "a.png", "mask": "a.png", "label": "covid"}],
    }
    assert parse_spec(base).focal_alpha == 0.25
    assert parse_spec({**base, "focal_alpha": 0.5}).focal_alpha == 0.5
    for bad in (0, 1.5, "0.5"):
        with pytest.raises(SpecError, match="focal_alpha"):
            parse_spec({**base, "focal_alpha": bad})
