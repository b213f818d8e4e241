import { Worker } from "node:worker_threads";
import { AppError } from "../errors/app-error";

// Reads many small local files for a caller that wants them in bulk (an export reads two per
// image, tens of thousands in a row). fs.readFile costs four thread-pool round trips per file
// (open, fstat, read, close), and on a busy two-core machine each hand-over can wait for a core:
// a profile of a 4,000-pair export spent more of its time in those hand-overs than in the work.
// Here a worker thread reads each batch with plain synchronous calls, as tar(1) does, into one
// buffer it hands back without a copy; the requests of one event-loop turn form one batch.

/** The worker's code: plain JavaScript that runs as CommonJS or as a module (getBuiltinModule, not require). */
const READER_SOURCE = `
const { parentPort } = process.getBuiltinModule("node:worker_threads");
const fs = process.getBuiltinModule("node:fs");
parentPort.on("message", ({ id, paths }) => {
  const fds = [], sizes = [], errors = [];
  let total = 0;
  for (const p of paths) {
    try {
      const fd = fs.openSync(p, "r");
      fds.push(fd);
      const n = fs.fstatSync(fd).size;
      sizes.push(n);
      total += n;
      errors.push(null);
    } catch (e) {
      fds.push(-1);
      sizes.push(0);
      errors.push(e.code || String(e.message));
    }
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < paths.length; i++) {
    if (fds[i] < 0) continue;
    try {
      let got = 0;
      while (got < sizes[i]) {
        const n = fs.readSync(fds[i], data, at + got, sizes[i] - got, got);
        if (n === 0) break;
        got += n;
      }
      if (got !== sizes[i]) errors[i] = "the file shrank while it was read";
    } catch (e) {
      errors[i] = e.code || String(e.message);
    } finally {
      fs.closeSync(fds[i]);
    }
    at += sizes[i];
  }
  parentPort.postMessage({ id, sizes, errors, data }, [data.buffer]);
});
`;

/** Files per message: bounds a batch's buffer (the callers' window bounds how many are asked at once). */
const MAX_BATCH = 64;

type Request = { path: string; resolve: (b: Buffer) => void; reject: (e: Error) => void };
type Reply = { id: number; sizes: number[]; errors: (string | null)[]; data: Uint8Array };

export class BatchedFileReader {
  private worker: Worker | null = null;
  private queue: Request[] = [];
  private scheduled = false;
  private readonly inFlight = new Map<number, Request[]>();
  private nextId = 1;

  /** The whole file; a missing one is NOT_FOUND, as the store's get says. */
  read(path: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ path, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const id = this.nextId++;
      this.inFlight.set(id, batch);
      const worker = this.start();
      worker.ref();
      worker.postMessage({ id, paths: batch.map((r) => r.path) });
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // No inherited flags: the parent's loader or --input-type have nothing to do with this code.
    const worker = new Worker(READER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    worker.on("message", (m: Reply) => {
      const batch = this.inFlight.get(m.id);
      this.inFlight.delete(m.id);
      if (!this.inFlight.size) worker.unref();
      if (!batch) return;
      const all = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
      let at = 0;
      batch.forEach((r, i) => {
        const error = m.errors[i];
        if (error === "ENOENT") r.reject(new AppError("NOT_FOUND", "Object not found"));
        else if (error) r.reject(new Error(`reading ${r.path}: ${error}`));
        else r.resolve(all.subarray(at, at + m.sizes[i]));
        at += m.sizes[i];
      });
    });
    const fail = (e: Error) => {
      this.worker = null;
      for (const batch of this.inFlight.values()) for (const r of batch) r.reject(e);
      this.inFlight.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (this.worker === worker) fail(new Error(`the file reader thread stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }
}
