// Runs a segmentation model.onnx through onnxruntime-node (the runtime Tandem predicts with).
// usage: node segmentation_onnx_outputs.mjs model.onnx input.f32 n size  -> JSON {prob}
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";

const [modelPath, inputPath, n, size] = process.argv.slice(2);
const raw = readFileSync(inputPath);
const input = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const session = await ort.InferenceSession.create(modelPath, { executionProviders: ["cpu"] });
const out = await session.run({ image: new ort.Tensor("float32", input, [Number(n), 1, Number(size), Number(size)]) });
process.stdout.write(JSON.stringify({ prob: Array.from(out.prob.data) }));
