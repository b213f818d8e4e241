import { Worker } from "node:worker_threads";
import { sessionOptions } from "./onnx-model";
import type { Prediction } from "./predictor";

export type NamedOutputs = Record<string, { data: Float32Array; dims: number[] }>;
type Reply = {
  type?: "ready";
  outputNames?: string[];
  id?: number;
  prob?: Float32Array;
  presence?: Float32Array | null;
  outputs?: NamedOutputs;
  error?: string;
};

/**
 * A model whose session lives on a worker thread (see inference-worker.mjs). The thread is
 * referenced only while a load or a prediction is pending, so an idle model never keeps the
 * process alive.
 */
export class ThreadedModel {
  private readonly pending = new Map<number, { resolve(p: Reply): void; reject(e: Error): void }>();
  private nextId = 0;
  private closing = false;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    readonly size: number,
    readonly outputNames: readonly string[],
  ) {
    worker.on("message", (m: Reply) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!this.pending.size) {
        worker.unref();
        if (this.closing) void this.close();
      }
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m);
    });
    worker.on("error", (e: Error) => this.failAll(e));
    worker.on("exit", (code) => {
      this.exited = true;
      this.failAll(new Error(`the inference thread exited (${code})`));
    });
  }

  /** `threads`: onnxruntime's intra-op threads for this session (default: ORT_THREADS, or onnxruntime's own). */
  static load(bytes: Uint8Array, size: number, threads?: number): Promise<ThreadedModel> {
    const options = sessionOptions();
    const worker = new Worker(new URL("./inference-worker.mjs", import.meta.url), {
      workerData: { model: bytes, size, options: threads ? { ...options, intraOpNumThreads: threads } : options },
      // The worker is plain JavaScript: no TypeScript loader (tsx, vitest) needs to follow it.
      execArgv: [],
    });
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      worker.once("error", onError);
      worker.once("message", (m: Reply) => {
        worker.off("error", onError);
        if (m.type !== "ready") return reject(new Error("the inference thread did not start"));
        worker.unref();
        resolve(new ThreadedModel(worker, size, m.outputNames ?? []));
      });
    });
  }

  /** size×size 8-bit images in, one probability map each out. */
  async predict(images: Uint8Array[]): Promise<Float32Array[]> {
    return (await this.predictWithPresence(images)).maps;
  }

  /** Probability maps, and the presence head's probability per image (null: a model without the head). */
  async predictWithPresence(images: Uint8Array[]): Promise<Prediction> {
    if (this.exited) throw new Error("the inference thread has ended");
    const reply = await this.send(images, false);
    const prob = reply.prob!;
    return {
      maps: images.map((_, b) => prob.subarray(b * this.size * this.size, (b + 1) * this.size * this.size)),
      presence: reply.presence ? Array.from(reply.presence) : null,
    };
  }

  /** size×size 8-bit images in (one batch), every output of the network out, by name. */
  async run(images: Uint8Array[]): Promise<NamedOutputs> {
    if (this.exited) throw new Error("the inference thread has ended");
    return (await this.send(images, true)).outputs!;
  }

  private send(images: Uint8Array[], all: boolean): Promise<Reply> {
    const id = this.nextId++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, images, all });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  /** Ends the thread after the predictions already asked for. */
  closeWhenIdle(): void {
    this.closing = true;
    if (!this.pending.size) void this.close();
  }

  private failAll(e: Error) {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
