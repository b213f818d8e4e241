"""Training throughput and parameter counts vs the paper's Table 8.

    /usr/bin/python3 bench_train.py [--device auto|cpu|cuda] [--steps 10] [--batch 4] [--size 224] [--archs unet]

Throughput runs the real training step (augmentation, hybrid loss, Adam; fp16 autocast on
CUDA) on synthetic 8-bit images for U-Net/DenseNet-121, and beside it a plain PyTorch loop on
the same model and data (forward, BCE on the mask logits, backward, Adam step; the same autocast
and gradient scaler, no augmentation): the trainer's step should keep >= 0.9 of its images/s.
"""
from __future__ import annotations

import argparse
import logging
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from tandem_trainer import compat
from tandem_trainer.models import ARCHS, GrayToImageNet, count_parameters, create_model
from tandem_trainer.models.paper_params import TABLE8
from tandem_trainer.train.device import pick_device
from tandem_trainer.train.loop import train_epoch

ENCODERS = ("densenet121", "chexnet", "inception_v3", "resnet50")


def synthetic_data(n: int, size: int) -> TensorDataset:
    """8-bit images, masks, COVID-19 labels and the augment flag, as the trainer's loader yields them."""
    return TensorDataset(
        torch.randint(0, 256, (n, 1, size, size), dtype=torch.uint8),
        (torch.rand(n, 1, size, size) > 0.9).to(torch.uint8),
        torch.ones(n, dtype=torch.long),
        torch.ones(n, dtype=torch.bool),
    )


def plain_epoch(model, prepare, loader, optimizer, scaler, device: torch.device, amp: bool) -> None:
    """The baseline: what a minimal PyTorch segmentation loop does per batch."""
    model.train()
    for images, masks, _labels, _augment in loader:
        images = images.to(device, non_blocking=True).float().div_(255)
        masks = masks.to(device, non_blocking=True).float()
        with compat.autocast(device.type, amp):
            logits = model(prepare(images))
        loss = F.binary_cross_entropy_with_logits(logits.float(), masks)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


def throughput(
    arch: str,
    encoder: str,
    device: torch.device,
    batch: int,
    size: int,
    steps: int,
    warmup: int,
    channels_last: bool,
    plain: bool = False,
) -> float:
    """Images/s of the trainer's step (train_epoch), or with plain=True of plain_epoch, on a fresh model."""
    amp = device.type == "cuda"
    torch.manual_seed(0)
    model = create_model(arch, encoder).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    data = synthetic_data(batch * max(steps, warmup), size)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    scaler, prepare = compat.grad_scaler(amp), GrayToImageNet().to(device)
    generator = torch.Generator().manual_seed(0)

    def run(batches: int) -> float:
        loader = DataLoader(torch.utils.data.Subset(data, range(batches * batch)), batch_size=batch)
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        if plain:
            plain_epoch(model, prepare, loader, optimizer, scaler, device, amp)
        else:
            train_epoch(model, prepare, loader, optimizer, scaler, device, amp, generator, lambda _step, _loss: None)
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    run(warmup)
    return steps * batch / run(steps)


def params_table() -> str:
    rows = [
        ("arch", "encoder", "trainable", "paper", "decoder(frozen)", "paper", "encoder", "paper", "BN stats", "paper")
    ]
    for arch in ARCHS:
        cache = {}
        for encoder in ENCODERS:
            key = "densenet121" if encoder == "chexnet" else encoder
            if key not in cache:
                model = create_model(arch, encoder)
                free = count_parameters(model)
                model.freeze_encoder()
                cache[key] = (free, count_parameters(model))
            free, frozen = cache[key]
            paper = TABLE8[(arch, encoder)]
            rows.append(
                (
                    arch,
                    encoder,
                    f"{free['trainable'] / 1e6:.2f}M",
                    f"{paper['not_frozen'][0]:.2f}M",
                    f"{frozen['trainable'] / 1e6:.2f}M",
                    f"{paper['frozen'][0]:.2f}M",
                    f"{frozen['frozen'] / 1e6:.2f}M",
                    f"{paper['frozen'][1]:.2f}M",
                    f"{free['stats'] / 1e3:.2f}K",
                    f"{paper['not_frozen'][1] * 1e3:.2f}K",
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--archs", default="unet", help="comma-separated archs for the throughput table")
    parser.add_argument("--encoder", default="densenet121", help="encoder for the throughput table")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--no-params", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    device = pick_device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    print(f"torch {torch.__version__}, device {name}, amp={'fp16' if device.type == 'cuda' else 'off'}")
    print(f"\nTraining throughput, {args.size}x{args.size}, batch {args.batch}, {args.steps} timed steps")
    print(f"{'arch':>7}  {'encoder':>12}  {'images/s':>9}  {'plain loop':>10}  {'ratio':>6}")
    for arch in args.archs.split(","):
        shape = (arch, args.encoder, device, args.batch, args.size, args.steps, args.warmup, args.channels_last)
        ips, plain = throughput(*shape), throughput(*shape, plain=True)
        print(f"{arch:>7}  {args.encoder:>12}  {ips:9.2f}  {plain:10.2f}  {ips / plain:6.2f}")
    if not args.no_params:
        print("\nParameters (width 16) vs paper Table 8: trainable = not frozen; decoder = trainable when the")
        print("encoder is frozen; encoder = frozen params; BN stats = running mean/var (Keras non-trainable)")
        print(params_table())


if __name__ == "__main__":
    main()
