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
// order (a stored file's path, its archive name and what to check; a spooled table's path), and
// the thread reads each file with synchronous calls straight into a 256 KiB stage behind its
// header, checks it, pads it and hands the full stage on. To a file, a third thread hashes and
// writes the stages (the main thread, busy with the items' tables, would hold the archive thread
// back whenever it ran late on a stage); to a stream, the main thread hashes and writes them.
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
/** Fields are joined with NUL, which no path or archive name holds. */
const SEP = "\u0000";

export type StoredFileProblem =
  | { problem: "sha256" }
  | { problem: "not-png" }
  | { problem: "truncated" }
  | { problem: "size"; width: number; height: number }
  | { problem: "read"; code: string };

type Reply =
  | { chunk: ArrayBuffer; n: number }
  | { ack: number; shas: string[] }
  | { done: number }
  | { error: { batch: number; index: number } & (StoredFileProblem | { problem: "overrun" | "short" | "operation" }) };

const STORED_FILE_PROBLEMS = new Set<string>([
  "sha256",
  "not-png",
  "truncated",
  "size",
  "read",
] satisfies StoredFileProblem["problem"][]);

type Pending = { resolve: (sha: string) => void; reject: (e: Error) => void };

export class ThreadTarWriter implements ArchiveWriter {
  private readonly worker: Worker;
  private readonly credit = new Int32Array(new SharedArrayBuffer(8));
  private readonly hash = createHash("sha256");
  private written = 0;
  private count = 0;
  /** The batch being built: its fields, the bodies it carries, and the stored file of each operation. */
  private fields: string[] = [];
  private carried: Uint8Array[] = [];
  private carriedBytes = 0;
  private files: (StoredFile | null)[] = [];
  /** Per batch in flight: its stored files (to name one that fails) and the hashes it owes. */
  private readonly inFlight = new Map<number, { files: (StoredFile | null)[]; owed: Pending[] }>();
  private owed: Pending[] = [];
  private nextId = 1;
  private failure: Error | null = null;
  private waiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private ended: { resolve: (n: number) => void; reject: (e: Error) => void } | null = null;
  private closed = false;
  /** The hashing thread wrote and closed the whole file. */
  private complete = false;
  /** When the archive goes to a file: the thread that hashes and writes its stages, and its answer. */
  private readonly hasher: Worker | null = null;
  private hashed: Promise<{ sha256: string; bytes: number }> | null = null;
  /** Bytes the hashing thread has written (progress), shared with it. */
  private readonly hashedBytes = new Float64Array(new SharedArrayBuffer(8));
  private readonly out: Writable | null;

  /**
   * `out`: a file path the threads write themselves (write calls from the hashing thread, no
   * stream), or a stream the main thread writes the stages to. `problem` builds the error for
   * a stored file that fails its check (the same words the reading path uses).
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
          outPath,
          stages: toHasher.port2,
          returned: back.port1,
          credit: this.credit.buffer,
          progress: this.hashedBytes.buffer,
        },
        transferList: [toHasher.port2, back.port1],
      });
      this.hashed = new Promise((resolve, reject) => {
        this.hasher!.once("message", (m: { sha256: string; bytes: number } | { error: string }) =>
          "error" in m ? reject(new Error(`writing the archive: ${m.error}`)) : resolve(m),
        );
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
      const batch = this.inFlight.get(m.ack);
      this.inFlight.delete(m.ack);
      batch?.owed.forEach((p, i) => p.resolve(m.shas[i]));
      const w = this.waiter;
      this.waiter = null;
      w?.resolve();
    } else if ("done" in m) {
      this.ended?.resolve(m.done);
    } else {
      const { batch, index, ...p } = m.error;
      const file = this.inFlight.get(batch)?.files[index];
      this.fail(
        file && STORED_FILE_PROBLEMS.has(p.problem)
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
    for (const b of this.inFlight.values()) for (const p of b.owed) p.reject(e);
    for (const p of this.owed) p.reject(e);
  }

  /** Queues an operation; a promise only when the caller must wait for the thread (back-pressure). */
  private push(fields: string, file: StoredFile | null): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    this.fields.push(fields);
    this.files.push(file);
    if (this.fields.length >= BATCH_OPS || this.carriedBytes >= BATCH_BYTES) return this.send();
  }

  /** Bytes the batch carries; returns their offset and length as fields. */
  private carry(bytes: Uint8Array): string {
    const at = this.carriedBytes;
    this.carried.push(bytes);
    this.carriedBytes += bytes.length;
    return `${at}${SEP}${bytes.length}`;
  }

  private send(): Promise<void> | undefined {
    if (this.fields.length) {
      const id = this.nextId++;
      this.inFlight.set(id, { files: this.files, owed: this.owed });
      // The carried bodies in one buffer of their own, handed over (not copied again).
      const bytes = new Uint8Array(this.carriedBytes);
      let at = 0;
      for (const b of this.carried) {
        bytes.set(b, at);
        at += b.length;
      }
      this.worker.postMessage({ id, ops: this.fields.join(SEP), bytes }, [bytes.buffer]);
      this.fields = [];
      this.carried = [];
      this.carriedBytes = 0;
      this.files = [];
      this.owed = [];
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
    return `${name}${SEP}${prefix}`;
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
    const png = file.png;
    const wait = this.push(
      `s${SEP}${this.name(path)}${SEP}${file.path}${SEP}${file.verify ? file.sha256 : ""}${SEP}${png?.width ?? 0}${SEP}${png?.height ?? 0}`,
      file,
    );
    this.count++;
    return wait;
  }

  /**
   * Bytes in hand are hashed here and carried with the batch; a body of parts or a stream is
   * hashed by the thread as it packs it (the spooled tables' bytes never reach this thread).
   */
  async add(entry: ArchiveEntry): Promise<string> {
    const name = this.name(entry.path);
    this.count++;
    const { body } = entry;
    if (body instanceof Uint8Array) {
      if (body.length !== entry.size) throw new Error(`${entry.path}: ${body.length} bytes, declared ${entry.size}`);
      const sha = entry.sha256 ?? createHash("sha256").update(body).digest("hex");
      await this.push(`b${SEP}${name}${SEP}${this.carry(body)}`, null);
      return sha;
    }
    await this.push(`h${SEP}${name}${SEP}${entry.size}${SEP}1`, null);
    if (typeof body === "function") {
      let n = 0;
      for await (const c of body()) {
        n += c.length;
        if (n > entry.size) throw new Error(`${entry.path}: more bytes than the declared ${entry.size}`);
        await this.push(`c${SEP}${this.carry(c)}`, null);
      }
      if (n !== entry.size) throw new Error(`${entry.path}: ${n} bytes, declared ${entry.size}`);
    } else {
      for (const p of body.parts)
        await this.push(p instanceof Uint8Array ? `c${SEP}${this.carry(p)}` : `f${SEP}${p.path}`, null);
    }
    // The batch that carries the end of the body owes its hash.
    const sha = new Promise<string>((resolve, reject) => this.owed.push({ resolve, reject }));
    sha.catch(() => undefined); // raised where it is awaited below
    await this.push("e", null);
    await this.send();
    return sha;
  }

  /** Two zero blocks end the archive; then zeros up to a whole record, as tar(1) writes. */
  async finish(): Promise<void> {
    await this.push("z", null);
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
    this.complete = true;
    return { sha256: h.sha256, bytes };
  }

  /** Stops the threads (after end(), or when the build failed: the hashing thread closes the file first). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.credit, 1, 1);
    Atomics.notify(this.credit, 0);
    if (this.hasher && !this.complete) {
      const exited = new Promise((r) => this.hasher!.once("exit", r));
      this.hasher.postMessage({ abort: true });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
    }
    await Promise.all([this.worker.terminate(), this.hasher?.terminate()]);
  }
}
