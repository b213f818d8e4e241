"""Write synthetic ellipse data and a spec.json for trying the trainer end to end.

    python tools/synthetic_spec.py --dir /tmp/demo --covid 40 --control 40 --size 256 \
        --arch unet --encoder densenet121 --epochs 2
"""
from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "tests"))

import synthetic  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--covid", type=int, default=40)
    parser.add_argument("--control", type=int, default=40)
    parser.add_argument("--size", type=int, default=256, help="size of the written PNGs")
    parser.add_argument("--arch", default="unet")
    parser.add_argument("--encoder", default="densenet121")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    items = synthetic.write_cases(os.path.join(args.dir, "data"), args.covid, args.control, size=args.size)
    held_out = items[::5]
    train = [i for i in items if i not in held_out]
    spec = {
        "arch": args.arch,
        "encoder": args.encoder,
        "size": 224,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "train": train,
        "val": held_out,
        "predict": [{"id": i["id"], "image": i["image"]} for i in held_out],
    }
    with open(os.path.join(args.dir, "spec.json"), "w") as handle:
        json.dump(spec, handle, indent=1)
    print(os.path.join(args.dir, "spec.json"))


if __name__ == "__main__":
    main()
