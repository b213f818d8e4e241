import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { pilResizeBilinear } from "../../../lib/ml/pil-resize";

// Oracle: Pillow itself (the trainer's resize), run through the system Python.
function pillow(src: Uint8Array, w: number, h: number, ow: number, oh: number): Uint8Array {
  const code = `import sys
from PIL import Image
d=sys.stdin.buffer.read()
im=Image.frombytes("L",(${w},${h}),d).resize((${ow},${oh}),Image.BILINEAR)
sys.stdout.buffer.write(im.tobytes())`;
  const r = spawnSync(process.env.PYTHON ?? "/usr/bin/python3", ["-c", code], { input: Buffer.from(src) });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return new Uint8Array(r.stdout);
}

describe("Pillow-compatible bilinear resize", () => {
  const cases: [number, number, number, number][] = [
    [300, 257, 224, 224],
    [64, 64, 224, 224],
    [1000, 800, 224, 224],
    [50, 70, 33, 91],
  ];
  for (const [w, h, ow, oh] of cases) {
    it(`${w}×${h} → ${ow}×${oh} is byte-identical to Pillow`, () => {
      const src = new Uint8Array(w * h);
      let s = 12345;
      for (let i = 0; i < src.length; i++) {
        s = (s * 1103515245 + 12345) >>> 0;
        src[i] = ((i % w) * 3 + Math.floor(i / w) * 2 + (s >>> 24)) & 255;
      }
      const ours = pilResizeBilinear(src, w, h, ow, oh);
      const theirs = pillow(src, w, h, ow, oh);
      expect(ours.length).toBe(theirs.length);
      let diff = 0;
      for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) diff++;
      expect(diff).toBe(0);
    });
  }
});
