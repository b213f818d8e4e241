"""Compare a run's model.onnx (onnxruntime) with its PyTorch predictions (pred/<id>.png).

    python tools/onnx_parity.py --spec spec.json --out outdir

Needs onnxruntime for Python; prints the largest difference in 1/255 steps per image.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tandem_trainer.data.images import read_gray  # noqa: E402
from tandem_trainer.spec import load_spec  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    import onnxruntime

    spec = load_spec(args.spec)
    session = onnxruntime.InferenceSession(os.path.join(args.out, "model.onnx"), providers=["CPUExecutionProvider"])
    worst = 0
    for item in spec.predict:
        image = read_gray(item.image, spec.size).astype(np.float32)[None, None] / 255
        prob = session.run(["prob"], {"image": image})[0][0, 0]
        onnx_png = np.clip(np.rint(prob * 255), 0, 255).astype(np.int16)
        torch_png = np.asarray(Image.open(os.path.join(args.out, "pred", f"{item.id}.png")), dtype=np.int16)
        diff = int(np.abs(onnx_png - torch_png).max())
        worst = max(worst, diff)
        print(f"{item.id}: max |onnx - pytorch| = {diff}/255")
    print(f"worst {worst}/255 over {len(spec.predict)} images")
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
