import torch
from torch.utils.data import DataLoader

import bench_train
from tandem_trainer import compat
from tandem_trainer.models import GrayToImageNet, create_model


def test_the_plain_baseline_loop_really_trains():
    torch.manual_seed(0)
    model = create_model("unet", "tiny", width=4)
    before = [p.detach().clone() for p in model.parameters()]
    loader = DataLoader(bench_train.synthetic_data(4, 32), batch_size=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    bench_train.plain_epoch(
        model, GrayToImageNet(), loader, optimizer, compat.grad_scaler(False), torch.device("cpu"), False
    )
    trained = [(a, b) for a, b in zip(before, model.parameters()) if b.grad is not None]
    assert len(trained) > len(before) / 2  # all but the presence head, which the plain loop does not use
    assert all(not torch.equal(a, b) for a, b in trained)


def test_throughput_times_the_trainers_step_and_the_plain_loop(monkeypatch):
    calls = []
    monkeypatch.setattr(bench_train, "train_epoch", lambda *a, **k: calls.append("trainer"))
    monkeypatch.setattr(bench_train, "plain_epoch", lambda *a, **k: calls.append("plain"))
    cpu = torch.device("cpu")
    assert bench_train.throughput("unet", "tiny", cpu, 2, 32, 1, 1, False) > 0
    assert bench_train.throughput("unet", "tiny", cpu, 2, 32, 1, 1, False, plain=True) > 0
    assert calls == ["trainer", "trainer", "plain", "plain"]
