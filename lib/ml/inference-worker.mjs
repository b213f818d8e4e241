// One onnxruntime-node session on a worker thread. onnxruntime-node's session.run blocks the
// thread that calls it, so the prediction job runs it here and keeps its own event loop free
// for fetching, decoding, encoding and storing while the network computes.
// Plain JavaScript: worker threads start without the TypeScript loader. `all` asks for every
// output by name (a classifier's prob and cam); otherwise the reply holds the pixel
// probabilities ("prob", or the only output of an older model) and, when the model has a
// presence head, its image-level probabilities ("presence").
import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";

const { model, size, options } = workerData;
const session = await ort.InferenceSession.create(new Uint8Array(model), options);
parentPort.postMessage({ type: "ready", outputNames: [...session.outputNames] });

parentPort.on("message", async ({ id, images, all }) => {
  try {
    const pixels = size * size;
    const input = new Float32Array(images.length * pixels);
    images.forEach((img, b) => {
      for (let i = 0; i < pixels; i++) input[b * pixels + i] = img[i] / 255;
    });
    const out = await session.run({
      [session.inputNames[0]]: new ort.Tensor("float32", input, [images.length, 1, size, size]),
    });
    if (all) {
      const outputs = Object.fromEntries(
        session.outputNames.map((n) => [n, { data: out[n].data, dims: out[n].dims.map(Number) }]),
      );
      parentPort.postMessage({ id, outputs });
    } else {
      const prob = (out.prob ?? out[session.outputNames[0]]).data;
      parentPort.postMessage({ id, prob, presence: out.presence ? out.presence.data : null });
    }
  } catch (e) {
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
