import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";

// The trainer's interactive.onnx (image + click maps in), run by onnxruntime-node, against PyTorch.
function f32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

describe("interactive ONNX export matches PyTorch in onnxruntime-node", () => {
  for (const size of [64, 128]) {
    it(`at ${size}: max |ONNX − PyTorch| ≤ 1e-4 and the clicks change the output`, async () => {
      const out = mkdtempSync(path.join(os.tmpdir(), "tandem-iparity-"));
      const r = spawnSync(
        process.env.PYTHON ?? "/usr/bin/python3",
        ["-m", "tools.interactive_parity_case", String(size), out],
        {
          cwd: path.resolve("workers/trainer"),
          encoding: "utf8",
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const image = f32(path.join(out, "image.f32"));
      const clicks = f32(path.join(out, "clicks.f32"));
      const expected = f32(path.join(out, "expected.f32"));
      const session = await ort.InferenceSession.create(path.join(out, "interactive.onnx"));
      expect(session.inputNames).toEqual(["image", "clicks"]);
      const run = async (c: Float32Array) =>
        (
          await session.run({
            image: new ort.Tensor("float32", image, [2, 1, size, size]),
            clicks: new ort.Tensor("float32", c, [2, 3, size, size]),
          })
        ).prob.data as Float32Array;
      const got = await run(clicks);
      expect(got.length).toBe(expected.length);
      let maxDiff = 0;
      for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
      const noClicks = await run(new Float32Array(clicks.length));
      let moved = 0;
      for (let i = 0; i < got.length; i++) moved = Math.max(moved, Math.abs(got[i] - noClicks[i]));
      expect(moved).toBeGreaterThan(1e-3);
    }, 180_000);
  }
});
