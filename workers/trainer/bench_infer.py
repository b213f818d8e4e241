"""Inference timing on the CPU, for Node's bench/inference.bench.ts: export a network to ONNX
and time PyTorch on the very same weights, so both runtimes are compared in one run.

    /usr/bin/python3 bench_infer.py --out /tmp/bench --arch unet --encoder densenet121 \
        --size 224 --batches 1,8 --iters 5 --threads 2

Weights are randomly initialised (seeded): speed does not depend on their values. Prints one
JSON object: the ONNX path, its sha256, parameter counts, PyTorch ms per image per batch size,
and the mean probability for a constant 128/255 input (a cheap cross-runtime sanity check).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import torch

from tandem_trainer.models import count_parameters, create_model
from tandem_trainer.models.wrapper import ProbabilityModel
from tandem_trainer.train.export import export_onnx


def ms_per_image(model: torch.nn.Module, batch: int, size: int, iters: int, warmup: int) -> float:
    x = torch.rand(batch, 1, size, size)
    # inference_mode: PyTorch's fastest eval path (no autograd bookkeeping at all), on a model in
    # eval mode, with as many intra-op threads as onnxruntime gets.
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        times = []
        for _ in range(iters):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000 / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--arch", default="unet")
    parser.add_argument("--encoder", default="densenet121")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    net = create_model(args.arch, args.encoder).eval()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, f"{args.arch}-{args.encoder}-{args.size}.onnx")
    sha256 = export_onnx(net, args.size, onnx_path)
    model = ProbabilityModel(net).eval()
    with torch.inference_mode():
        constant = float(model(torch.full((1, 1, args.size, args.size), 128 / 255)).mean())
    timings = {
        str(b): ms_per_image(model, b, args.size, args.iters, args.warmup)
        for b in (int(v) for v in args.batches.split(","))
    }
    print(
        json.dumps(
            {
                "onnx": onnx_path,
                "sha256": sha256,
                "params": count_parameters(net),
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "ms_per_image": timings,
                "constant_input_mean_prob": constant,
            }
        )
    )


if __name__ == "__main__":
    main()
