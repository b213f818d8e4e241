import { createHash } from "node:crypto";
import type { Writable } from "node:stream";
import { MessageChannel, Worker } from "node:worker_threads";
import { assertArchivePath, type ArchiveEntry, type ArchiveWriter, type StoredFile } from "./archive-entry";
import { HASH_THREAD_SOURCE, TAR_THREAD_SOURCE } from "./tar-thread-source";
import { splitName } from "./tar-writer";

// A tar writer whose per-file work runs on a thread of its own. An export of tens of thousands
// of small files spent most of its main-thread time per file (a header buffer, a stream write, a
// read round trip through the thread pool, promise hand-overs); tar(1) does the same work in a
// tight loop of system calls. Here the main thread only queues compact operations in archive
// order (a stored file's path, its archive name and what to check), and the thread reads each
// file with synchronous calls straight into a 256 KiB stage behind its header, checks it, pads
// it and hands the full stage on. To a file, the thread writes the stage itself and a third
// thread hashes it (the main thread, busy with the items' tables, would hold the archive thread
// back whenever it ran late on a stage); to a stream, the main thread hashes and writes it.
// Written here rather than with a library: tar-stream and tar-fs run per entry on the main
// thread through streams (the cost this removes), and the header must match tar-writer.ts's
// deterministic one byte for byte.

// 256 KiB: on the ext4 disk of the bench machine a 1 MiB write() cost four times the system
// time of the same bytes in 64–256 KiB writes (225 MB: 0.34–0.46 s against 0.08–0.10 s).
const STAGE_BYTES = 256 << 10;
/** Stages the thread may hand over before they are hashed (and written): bounds memory. */
const MAX_CHUNKS = 16;
/**
 * The threads allocate little that lives (a batch of operations, a stage): a small young
 * generation keeps their heaps, and so the process's resident memory, from growing with the
 * export's length.
 */
const THREAD_HEAP = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 };
/** Operations per message, and the bytes of carried bodies that close a batch early. */
const BATCH_OPS = 256;
const BATCH_BYTES = 512 * 1024;
/** Batches sent and not yet done by the thread: the main thread waits beyond this. */
const MAX_BATCHES = 4;

export type StoredFileProblem =
  | { problem: "sha256" }
  | { problem: "not-png" }
  | { problem: "size"; width: number; height: number }
  | { problem: "read"; code: string };

type Op = unknown[];
type Reply =
  | { chunk: ArrayBuffer; n: number }
  | { ack: number }
  | { done: number }
  | { error: { batch: number; index: number } & (StoredFileProblem | { problem: "overrun" }) };

export class ThreadTarWriter implements ArchiveWriter {
  private readonly worker: Worker;
  private readonly credit = new Int32Array(new SharedArrayBuffer(8));
  private readonly hash = createHash("sha256");
  private written = 0;
  private count = 0;
  private ops: Op[] = [];
  /** The stored files of each batch in flight, by operation index: to name one that fails. */
  private files: (StoredFile | null)[] = [];
  private readonly inFlight = new Map<number, (StoredFile | null)[]>();
  private opBytes = 0;
  private nextId = 1;
  private failure: Error | null = null;
  private waiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private ended: { resolve: (n: number) => void; reject: (e: Error) => void } | null = null;
  private closed = false;
  /** When the thread writes the file itself: the thread that hashes its stages, and its answer. */
  private readonly hasher: Worker | null = null;
  private hashed: Promise<{ sha256: string; bytes: number }> | null = null;
  /** Bytes the hashing thread has seen (progress), shared with it. */
  private readonly hashedBytes = new Float64Array(new SharedArrayBuffer(8));
  private readonly out: Writable | null;

  /**
   * `out`: a file path the thread writes itself (write calls from the thread, no stream), or a
   * stream the main thread writes the stages to. `problem` builds the error for a stored file
   * that fails its check (the same words the reading path uses).
   */
  constructor(
    out: Writable | string,
    private readonly problem: (file: StoredFile, p: StoredFileProblem) => Error,
  ) {
    const outPath = typeof out === "string" ? out : null;
    this.out = typeof out === "string" ? null : out;
    // To a file: stages go from the archive thread to the hashing thread and back (two channels).
    const toHasher = outPath ? new MessageChannel() : null;
    const back = outPath ? new MessageChannel() : null;
    if (toHasher && back) {
      this.hasher = new Worker(HASH_THREAD_SOURCE, {
        eval: true,
        name: "export-hash",
        execArgv: [],
        resourceLimits: THREAD_HEAP,
        workerData: {
          stages: toHasher.port2,
          returned: back.port1,
          credit: this.credit.buffer,
          progress: this.hashedBytes.buffer,
        },
        transferList: [toHasher.port2, back.port1],
      });
      this.hashed = new Promise((resolve, reject) => {
        this.hasher!.once("message", resolve);
        this.hasher!.once("error", reject);
        this.hasher!.once("exit", (code) => reject(new Error(`the hashing thread stopped (exit code ${code})`)));
      });
      this.hashed.catch((e: Error) => this.fail(e));
    }
    const returned = back?.port2;
    const hashPort = toHasher?.port1;
    this.worker = new Worker(TAR_THREAD_SOURCE, {
      eval: true,
      name: "export-archive",
      execArgv: [],
      resourceLimits: THREAD_HEAP,
      workerData: {
        stageBytes: STAGE_BYTES,
        maxChunks: MAX_CHUNKS,
        credit: this.credit.buffer,
        returned,
        hashPort,
        outPath,
      },
      transferList: returned && hashPort ? [returned, hashPort] : [],
    });
    this.worker.on("message", (m: Reply) => this.onMessage(m));
    this.worker.on("error", (e: Error) => this.fail(e));
    this.worker.on("exit", (code) => {
      if (!this.closed) this.fail(new Error(`the archive thread stopped (exit code ${code})`));
    });
    this.out?.on("error", (e) => this.fail(e));
  }

  get fileCount(): number {
    return this.count;
  }

  /** Archive bytes handed to the output so far (progress; the thread's current stage not yet included). */
  get bytes(): number {
    return this.hasher ? this.hashedBytes[0] : this.written;
  }

  private onMessage(m: Reply): void {
    if ("chunk" in m) {
      const chunk = Buffer.from(m.chunk, 0, m.n);
      this.hash.update(chunk);
      this.written += m.n;
      const written = (e?: Error | null) => {
        if (e) return this.fail(e);
        Atomics.add(this.credit, 0, 1);
        Atomics.notify(this.credit, 0);
      };
      if (!this.out) return written();
      if (this.out.destroyed) return this.fail(new Error("the archive output was closed"));
      this.out.write(chunk, written);
    } else if ("ack" in m) {
      this.inFlight.delete(m.ack);
      const w = this.waiter;
      this.waiter = null;
      w?.resolve();
    } else if ("done" in m) {
      this.ended?.resolve(m.done);
    } else {
      const { batch, index, ...p } = m.error;
      const file = this.inFlight.get(batch)?.[index];
      this.fail(
        file && p.problem !== "overrun"
          ? this.problem(file, p as StoredFileProblem)
          : new Error(`the archive thread failed: ${JSON.stringify(p)}`),
      );
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.waiter?.reject(e);
    this.ended?.reject(e);
    this.waiter = null;
  }

  /** Queues an operation; a promise only when the caller must wait for the thread (back-pressure). */
  private push(op: Op, file: StoredFile | null, bytes = 0): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    this.ops.push(op);
    this.files.push(file);
    this.opBytes += bytes;
    if (this.ops.length >= BATCH_OPS || this.opBytes >= BATCH_BYTES) return this.send();
  }

  private send(): Promise<void> | undefined {
    if (this.ops.length) {
      const id = this.nextId++;
      this.inFlight.set(id, this.files);
      this.worker.postMessage({ id, ops: this.ops });
      this.ops = [];
      this.files = [];
      this.opBytes = 0;
    }
    if (this.failure) throw this.failure;
    if (this.inFlight.size >= MAX_BATCHES) return this.drain();
  }

  private async drain(): Promise<void> {
    while (this.inFlight.size >= MAX_BATCHES && !this.failure) {
      await new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
    }
    if (this.failure) throw this.failure;
  }

  private name(path: string) {
    const { name, prefix } = splitName(assertArchivePath(path));
    return [name, prefix] as const;
  }

  /** A stored file the thread reads itself; returns its recorded SHA-256 (checked as it is read when `verify`). */
  async addStored(path: string, file: StoredFile): Promise<string> {
    await this.queueStored(path, file);
    return file.sha256;
  }

  /**
   * addStored without the promise when there is nothing to wait for: the export queues a few
   * files per item, and most calls only append to the batch being built.
   */
  queueStored(path: string, file: StoredFile): Promise<void> | undefined {
    const [name, prefix] = this.name(path);
    const png = file.png;
    const wait = this.push(
      [0, name, prefix, file.path, file.verify ? file.sha256 : null, png?.width ?? 0, png?.height ?? 0],
      file,
    );
    this.count++;
    return wait;
  }

  async add(entry: ArchiveEntry): Promise<string> {
    const [name, prefix] = this.name(entry.path);
    this.count++;
    if (entry.body instanceof Uint8Array) {
      if (entry.body.length !== entry.size)
        throw new Error(`${entry.path}: ${entry.body.length} bytes, declared ${entry.size}`);
      const sha = entry.sha256 ?? createHash("sha256").update(entry.body).digest("hex");
      await this.push([1, name, prefix, entry.body], null, entry.body.length);
      return sha;
    }
    await this.push([2, name, prefix, entry.size], null);
    const hash = createHash("sha256");
    let n = 0;
    for await (const c of entry.body()) {
      n += c.length;
      if (n > entry.size) throw new Error(`${entry.path}: more bytes than the declared ${entry.size}`);
      hash.update(c);
      // Copied: a stream's chunks may share a pooled buffer.
      await this.push([3, Uint8Array.prototype.slice.call(c)], null, c.length);
    }
    if (n !== entry.size) throw new Error(`${entry.path}: ${n} bytes, declared ${entry.size}`);
    return hash.digest("hex");
  }

  /** Two zero blocks end the archive; then zeros up to a whole record, as tar(1) writes. */
  async finish(): Promise<void> {
    await this.push([4], null);
  }

  /** Waits for the thread's last bytes, ends the output and returns the archive's SHA-256 and size. */
  async end(): Promise<{ sha256: string; bytes: number }> {
    await this.send();
    const done = new Promise<number>((resolve, reject) => (this.ended = { resolve, reject }));
    this.worker.postMessage({ end: true });
    const bytes = await done;
    if (this.failure) throw this.failure;
    this.out?.end();
    if (!this.hashed) return { sha256: this.hash.digest("hex"), bytes };
    const h = await this.hashed;
    if (h.bytes !== bytes) throw new Error(`the hashing thread saw ${h.bytes} of the archive's ${bytes} bytes`);
    return { sha256: h.sha256, bytes };
  }

  /** Stops the threads (after end(), or when the build failed). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.credit, 1, 1);
    Atomics.notify(this.credit, 0);
    await Promise.all([this.worker.terminate(), this.hasher?.terminate()]);
  }
}
