import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";

// The trainer's exported ONNX, run by onnxruntime-node, against PyTorch on the same input.
const cases: [string, string, number][] = [
  ["unet", "tiny", 64],
  ["unetpp", "tiny", 64],
  ["dla", "tiny", 64],
  ["unet", "densenet121", 64],
  ["dla", "resnet50", 64],
  ["unet", "inception_v3", 96],
];

function f32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

describe("ONNX export matches PyTorch in onnxruntime-node (pixel probabilities and presence)", () => {
  for (const [arch, encoder, size] of cases) {
    it(`${arch}/${encoder} at ${size}: max |ONNX − PyTorch| ≤ 1e-4`, async () => {
      const out = mkdtempSync(path.join(os.tmpdir(), "tandem-parity-"));
      const r = spawnSync(
        process.env.PYTHON ?? "/usr/bin/python3",
        ["-m", "tools.parity_case", arch, encoder, String(size), out],
        {
          cwd: path.resolve("workers/trainer"),
          encoding: "utf8",
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const input = f32(path.join(out, "input.f32"));
      const expected = f32(path.join(out, "expected.f32"));
      const session = await ort.InferenceSession.create(path.join(out, "model.onnx"));
      const res = await session.run({ image: new ort.Tensor("float32", input, [3, 1, size, size]) });
      const got = res.prob.data as Float32Array;
      expect(got.length).toBe(expected.length);
      let maxDiff = 0;
      for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
      let spread = 0;
      for (let i = 0; i < got.length; i++) spread = Math.max(spread, Math.abs(got[i] - got[0]));
      expect(spread).toBeGreaterThan(1e-3);
      // The presence head's image-level probability, the model's second named output.
      expect(session.outputNames).toEqual(["prob", "presence"]);
      const presence = res.presence.data as Float32Array;
      const expectedPresence = f32(path.join(out, "expected_presence.f32"));
      expect(presence.length).toBe(3);
      for (let i = 0; i < 3; i++) expect(Math.abs(presence[i] - expectedPresence[i])).toBeLessThanOrEqual(1e-4);
      expect(Math.max(...presence) - Math.min(...presence)).toBeGreaterThan(1e-4);
    }, 180_000);
  }
});
