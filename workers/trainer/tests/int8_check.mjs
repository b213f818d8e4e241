// The Node half of the int8 test (onnxruntime-node is the runtime Tandem predicts with).
//   node int8_check.mjs ranges probe.onnx tensors.json input.f32 n size out.json
//   node int8_check.mjs compare float.onnx int8.onnx input.f32 n size optimized.onnx  -> JSON
//   node int8_check.mjs layers probe.onnx int8probe.onnx input.f32 n size tensors.json -> {tensor: max |Δ| / max |float|}
import { readFileSync, writeFileSync } from "node:fs";
import * as ort from "onnxruntime-node";

const [mode, a, b, inputPath, n, size, out] = process.argv.slice(2);
const raw = readFileSync(inputPath);
const input = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const S = Number(size);
const feed = (k) => ({ image: new ort.Tensor("float32", input.slice(k * S * S, (k + 1) * S * S), [1, 1, S, S]) });
if (mode === "ranges") {
  const tensors = JSON.parse(readFileSync(b, "utf8"));
  const session = await ort.InferenceSession.create(a);
  const ranges = {};
  for (let k = 0; k < Number(n); k++) {
    const r = await session.run(feed(k), tensors);
    for (const t of tensors) {
      const d = r[t].data;
      let lo = Infinity, hi = -Infinity;
      for (const v of d) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const p = ranges[t];
      ranges[t] = p ? [Math.min(p[0], lo), Math.max(p[1], hi)] : [lo, hi];
    }
  }
  writeFileSync(out, JSON.stringify(ranges));
} else if (mode === "layers") {
  const tensors = JSON.parse(readFileSync(out, "utf8"));
  const [f, q] = [await ort.InferenceSession.create(a), await ort.InferenceSession.create(b)];
  const rel = {};
  for (let k = 0; k < Number(n); k++) {
    const [rf, rq] = [await f.run(feed(k), tensors), await q.run(feed(k), tensors)];
    for (const t of tensors) {
      let err = 0, peak = 0;
      const x = rf[t].data, y = rq[t].data;
      for (let i = 0; i < x.length; i++) { err = Math.max(err, Math.abs(x[i] - y[i])); peak = Math.max(peak, Math.abs(x[i])); }
      rel[t] = Math.max(rel[t] ?? 0, err / (peak || 1));
    }
  }
  process.stdout.write(JSON.stringify(rel));
} else {
  const f = await ort.InferenceSession.create(a);
  const q = await ort.InferenceSession.create(b, { graphOptimizationLevel: "all", optimizedModelFilePath: out });
  let maxDiff = 0, same = 0, total = 0;
  for (let k = 0; k < Number(n); k++) {
    const pf = (await f.run(feed(k))).prob.data, pq = (await q.run(feed(k))).prob.data;
    for (let i = 0; i < pf.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(pf[i] - pq[i]));
      if ((pf[i] >= 0.5) === (pq[i] >= 0.5)) same++;
      total++;
    }
  }
  process.stdout.write(JSON.stringify({ maxDiff, agreement: same / total, outputs: q.outputNames }));
}
