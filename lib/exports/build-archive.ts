import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { ObjectStore } from "../storage/types";
import type { ArchiveEntry, ArchiveWriter, StoredFile } from "./archive-entry";
import { archiveLayout, exportName } from "./archive-layout";
import { ByteSink } from "./byte-sink";
import { datasheet } from "./datasheet";
import { ExportStats } from "./export-stats";
import { modelCard, modelFolder } from "./model-card";
import type { ArchiveOut, ItemContext, WriterFactory, WriterSetup } from "./format-writer";
import { EmptyMasks, itemSources, storedFileError } from "./item-sources";
import { optionsFingerprint, type ExportOptions } from "./schema";
import { SpoolFile } from "./spool-file";
import { assignSplit } from "./splits";
import { ThreadTarWriter } from "./tar-thread";
import { TarWriter } from "./tar-writer";
import type { ExportItem, ExportModel, ExportProgress, ExportProject, ExportResult, SelectionCounts } from "./types";
import { EXPORT_WRITERS } from "./writers";
import { ZipWriter } from "./zip-writer";
import { shortId } from "../labels/short-id";

export interface BuildInput {
  project: ExportProject;
  options: ExportOptions;
  counts: SelectionCounts;
  /** Pages of items in archive order (exportItemPages). */
  items: AsyncIterable<ExportItem[]>;
  models: ExportModel[];
  store: ObjectStore;
  /** Where the archive goes: a stream, or the path of a local file to write (ended either way). */
  out: Writable | string;
  /** An empty folder for spooled tables; the caller removes it. */
  tmpDir: string;
  onProgress?: (p: ExportProgress) => void;
  signal?: AbortSignal;
  concurrency?: number;
  /** Saves values computed for masks stored before they were kept (RLE, bbox); see WriterSetup. */
  backfill?: WriterSetup["backfill"];
  /** Saves working-PNG hashes computed for images stored before the hash was kept with them, batched. */
  saveImageHashes?: (rows: { imageId: string; sha256: string }[]) => Promise<void>;
  /** The formats to write; the registry (writers/index.ts) unless a test adds one. */
  writers?: readonly WriterFactory[];
}

const FORMAT_VERSION = "tandem-dataset/v1";
const BACKFILL_BATCH = 500;
/** Items written between turns of the event loop on the thread path (see the item loop). */
const YIELD_EVERY = 32;

/**
 * Writes the whole dataset archive to `out` in one pass. Entry order is fixed (per image in id
 * order, each registered writer's files in registry order: image, mask, DICOM, segmentation;
 * then models; then each writer's tables, README and manifest), headers carry fixed times and
 * owners, and every table is built from the same ordered rows, so the same project state and
 * options give the same bytes. The builder knows no format: it iterates the writers.
 *
 * A tar from a store with local files is written by ThreadTarWriter: stored images and masks go
 * to its thread as references, read and checked there, so the main thread's work per item is
 * the tables and the manifest. Any other store, or zip, reads the bytes here (same archive).
 */
export async function buildArchive(input: BuildInput): Promise<ExportResult> {
  const direct = input.options.format !== "zip" && typeof input.store.localPath === "function";
  const thread = direct ? new ThreadTarWriter(input.out, storedFileError) : null;
  const stream = thread ? null : typeof input.out === "string" ? createWriteStream(input.out) : input.out;
  try {
    const result = await build(input, thread, stream);
    if (stream && typeof input.out === "string") await finished(stream);
    return result;
  } catch (e) {
    if (stream && typeof input.out === "string") stream.destroy();
    throw e;
  } finally {
    await thread?.close();
  }
}

async function build(
  input: BuildInput,
  thread: ThreadTarWriter | null,
  stream: Writable | null,
): Promise<ExportResult> {
  const spools: SpoolFile[] = [];
  try {
    return await buildWith(input, thread, stream, spools);
  } finally {
    // Closed ones are left as they are; a failed build's open files are closed (their folder is removed).
    for (const f of spools) f.dispose();
  }
}

async function buildWith(
  input: BuildInput,
  thread: ThreadTarWriter | null,
  stream: Writable | null,
  spools: SpoolFile[],
): Promise<ExportResult> {
  const { project, options, store } = input;
  const spoolFile = (name: string) => {
    const f = new SpoolFile(path.join(input.tmpDir, name));
    spools.push(f);
    return f;
  };
  const layout = archiveLayout(options.layout ?? "tandem");
  const root = layout.root(project.slug);
  const spoolFiles: SpoolFile[] = [];
  const manifest = spoolFile("manifest.sha256");
  const sink = stream ? new ByteSink(stream) : null;
  const writer: ArchiveWriter =
    thread ??
    (options.format === "zip" ? new ZipWriter(sink!, spoolFile("zip-central-directory.bin")) : new TarWriter(sink!));
  const version = new TextHash();
  version.update(`${FORMAT_VERSION}\n${optionsFingerprint(options)}\n`);
  const stats = new ExportStats();
  const total = input.counts.chosen + input.models.length;
  let done = 0;
  const progress = (phase: ExportProgress["phase"]) =>
    input.onProgress?.({ phase, done, total, bytes: thread ? thread.bytes : sink!.bytes });

  /** A data file: listed in the manifest and part of the dataset version. */
  const addData = async (rel: string, body: ArchiveEntry["body"], size: number, known?: { sha256?: string }) => {
    const sha = await writer.add({ path: `${root}/${rel}`, size, body, sha256: known?.sha256 });
    listData(rel, sha);
  };
  const listData = (rel: string, sha: string) => {
    manifest.append(`${sha}  ${rel}\n`);
    version.update(`${rel} ${sha}\n`);
  };
  // A stored file on the thread: queued and listed at once (its SHA-256 is the recorded one).
  const addStored = (rel: string, file: StoredFile) => {
    const wait = thread!.queueStored(`${root}/${rel}`, file);
    listData(rel, file.sha256);
    return wait;
  };
  const out: ArchiveOut = {
    data: (rel, body, known) =>
      body instanceof Uint8Array ? addData(rel, body, body.length, known) : addStored(rel, body),
    derived: async (rel, entry) => {
      const sha = await writer.add({ ...entry, path: `${root}/${rel}` });
      await manifest.append(`${sha}  ${rel}\n`);
    },
    version: (text) => version.update(text),
    spool: (name) => {
      const f = spoolFile(name);
      spoolFiles.push(f);
      return f;
    },
  };
  const writers = (input.writers ?? EXPORT_WRITERS).map((make) =>
    make({ project, options, layout, backfill: input.backfill }),
  );

  progress("images");
  const empty = new EmptyMasks();
  let hashed: { imageId: string; sha256: string }[] = [];
  const saveHashes = async (atLeast: number) => {
    if (hashed.length < atLeast || !hashed.length) return;
    const rows = hashed;
    hashed = [];
    await input.saveImageHashes?.(rows);
  };
  const onHashed = (imageId: string, sha256: string) => void hashed.push({ imageId, sha256 });
  const files = thread !== null;

  // Each item is prepared (every writer's needs) ahead of writing, up to `concurrency` items
  // whose preparation is still running (reads from S3, DICOM); an item whose needs are all at
  // hand (local PNG pairs: references the thread reads) is written at once, and then nothing
  // per item is a promise.
  type Prepared = { item: ExportItem; needs: unknown[] };
  const prepare = (item: ExportItem): Prepared | Promise<Prepared> => {
    const src = itemSources(store, empty, item, onHashed, files);
    const needs: unknown[] = new Array(writers.length);
    let pending: Promise<unknown>[] | null = null;
    for (let w = 0; w < writers.length; w++) {
      const need = writers[w].prepare(item, src);
      if (need instanceof Promise) (pending ??= []).push(need.then((v) => (needs[w] = v)));
      else needs[w] = need;
    }
    if (!pending) return { item, needs };
    const all = Promise.all(pending).then(() => ({ item, needs }));
    all.catch(() => undefined); // awaited in order below; this only stops an early rejection going unhandled
    return all;
  };
  let index = 0;
  type Ctx = ItemContext & { item: ExportItem };
  /** Writes one item: synchronously unless a writer, the hash backfill or a pause must be awaited. */
  const write = ({ item, needs }: Prepared): Promise<void> | undefined => {
    if (input.signal?.aborted) throw input.signal.reason ?? new Error("export aborted");
    const name = exportName(item.imageId);
    const split = assignSplit(item, options.testFraction, project.folds, project.seed);
    const ctx: Ctx = { item, name, split, at: { split: split.split, label: item.label }, index: ++index };
    for (let w = 0; w < writers.length; w++) {
      const wrote = writers[w].writeItem(ctx, needs[w], out);
      if (wrote instanceof Promise) return writeRest(ctx, needs, w, wrote);
    }
    return written(ctx);
  };
  const writeRest = async (ctx: Ctx, needs: unknown[], w: number, wrote: Promise<void>) => {
    await wrote;
    for (w++; w < writers.length; w++) await writers[w].writeItem(ctx, needs[w], out);
    await written(ctx);
  };
  const written = (ctx: Ctx): Promise<void> | undefined => {
    stats.add(ctx.item, ctx.split, ctx.item.sourceFormat === "DICOM");
    done++;
    progress("images");
    if (hashed.length >= BACKFILL_BATCH) return saveHashes(BACKFILL_BATCH);
    // A long run of synchronous items would hold back the thread's messages (stages to hash and
    // hand back, acknowledgements): let them in now and then.
    if (thread && ctx.index % YIELD_EVERY === 0) return new Promise((r) => setImmediate(r));
  };
  const concurrency = Math.max(1, input.concurrency ?? 8);
  const ahead: (Prepared | Promise<Prepared>)[] = [];
  for await (const page of input.items) {
    for (const item of page) {
      while (ahead.length >= concurrency) await write(await ahead.shift()!);
      ahead.push(prepare(item));
      while (ahead.length && !(ahead[0] instanceof Promise)) {
        const wait = write(ahead.shift() as Prepared);
        if (wait) await wait;
      }
    }
  }
  while (ahead.length) await write(await ahead.shift()!);
  await saveHashes(1);

  progress("models");
  const folders = new Set<string>();
  for (const m of input.models) {
    // Runs of one round share arch, encoder and fold only by accident (a null fold is not unique): keep both.
    const base = modelFolder(m);
    const folder = folders.has(base) ? `${base}-${shortId(m.runId)}` : base;
    folders.add(folder);
    const size = await store.size(m.artifactKey);
    await addData(
      layout.model(folder),
      async function* () {
        yield* await store.getStream(m.artifactKey);
      },
      size,
    );
    const card = Buffer.from(modelCard(m));
    await addData(layout.modelCard(folder), card, card.length);
    done++;
    progress("models");
  }

  progress("metadata");
  const datasetVersion = version.digest();
  const frozenAt = stats.latestAcceptance?.toISOString() ?? null;
  for (const w of writers) await w.finish?.(out, { datasetVersion, frozenAt });
  const unacceptedLeftOut = options.acceptedOnly ? input.counts.unaccepted : 0;
  const sections = writers.map((w) => w.datasheet(options));
  const readme = Buffer.from(
    datasheet({
      project,
      options,
      stats,
      counts: input.counts,
      unacceptedLeftOut,
      datasetVersion,
      modelCount: input.models.length,
      files: sections.flatMap((s) => s.files),
      notes: sections.flatMap((s) => s.notes ?? []),
    }),
  );
  await out.derived(layout.readme, { size: readme.length, body: readme });
  await manifest.close();
  await writer.add({
    path: `${root}/${layout.manifest}`,
    size: manifest.size,
    crc32: manifest.crc32,
    body: { parts: [manifest.part()] },
  });
  await writer.finish();
  for (const f of spoolFiles) await f.close();
  const fileCount = writer.fileCount;
  const { sha256, bytes } = thread ? await thread.end() : { sha256: sink!.end(), bytes: sink!.bytes };
  progress("done");
  return { datasetVersion, sha256, sizeBytes: bytes, fileCount, imageCount: stats.images };
}

/** SHA-256 of text fed in many small pieces, hashed 64 K characters at a time (the same digest, far fewer updates). */
class TextHash {
  private readonly hash = createHash("sha256");
  private pending = "";
  update(text: string): void {
    this.pending += text;
    if (this.pending.length >= 1 << 16) {
      this.hash.update(this.pending);
      this.pending = "";
    }
  }
  digest(): string {
    return this.hash.update(this.pending).digest("hex");
  }
}
