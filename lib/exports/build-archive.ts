import { createHash } from "node:crypto";
import path from "node:path";
import type { Writable } from "node:stream";
import type { ObjectStore } from "../storage/types";
import type { ArchiveEntry, ArchiveWriter } from "./archive-entry";
import { archiveLayout, exportName } from "./archive-layout";
import { ByteSink } from "./byte-sink";
import { COCO_MIDDLE, COCO_TAIL, cocoAnnotation, cocoHead, cocoImage } from "./coco";
import { datasheet } from "./datasheet";
import { ExportStats } from "./export-stats";
import { metadataHeader, metadataRow } from "./metadata-csv";
import { modelCard, modelFolder } from "./model-card";
import { mapOrdered } from "./ordered-pool";
import { itemPreparer } from "./prepare-item";
import { optionsFingerprint, type ExportOptions } from "./schema";
import { SpoolFile } from "./spool-file";
import { assignSplit } from "./splits";
import { TarWriter } from "./tar-writer";
import type { ExportItem, ExportModel, ExportProgress, ExportProject, ExportResult, SelectionCounts } from "./types";
import { ZipWriter } from "./zip-writer";
import { foldNumber } from "../ml/fold";
import { shortId } from "../labels/short-id";

export interface BuildInput {
  project: ExportProject;
  options: ExportOptions;
  counts: SelectionCounts;
  items: AsyncIterable<ExportItem>;
  models: ExportModel[];
  store: ObjectStore;
  out: Writable;
  /** An empty folder for spooled tables; the caller removes it. */
  tmpDir: string;
  onProgress?: (p: ExportProgress) => void;
  signal?: AbortSignal;
  concurrency?: number;
}

const FORMAT_VERSION = "tandem-dataset/v1";

class Spools {
  readonly cocoImages: SpoolFile;
  readonly cocoAnnotations: SpoolFile;
  readonly metadata: SpoolFile;
  readonly train: SpoolFile;
  readonly test: SpoolFile;
  readonly folds: SpoolFile;
  readonly manifest: SpoolFile;
  readonly zipDirectory: SpoolFile;
  constructor(dir: string) {
    const f = (n: string) => new SpoolFile(path.join(dir, n));
    this.cocoImages = f("coco-images.part");
    this.cocoAnnotations = f("coco-annotations.part");
    this.metadata = f("metadata.csv");
    this.train = f("train.txt");
    this.test = f("test.txt");
    this.folds = f("folds.csv");
    this.manifest = f("manifest.sha256");
    this.zipDirectory = f("zip-central-directory.bin");
  }
  async closeTables(): Promise<void> {
    for (const s of [this.cocoImages, this.cocoAnnotations, this.metadata, this.train, this.test, this.folds]) await s.close();
  }
}

type Body = Omit<ArchiveEntry, "path">;

function spoolEntry(s: SpoolFile): Body {
  return { size: s.size, crc32: s.crc32, body: () => s.read() };
}

function cocoEntry(head: string, s: Spools): Body {
  const parts = [Buffer.from(head), Buffer.from(COCO_MIDDLE), Buffer.from(COCO_TAIL)];
  return {
    size: parts[0].length + s.cocoImages.size + parts[1].length + s.cocoAnnotations.size + parts[2].length,
    body: async function* () {
      yield parts[0];
      yield* s.cocoImages.read();
      yield parts[1];
      yield* s.cocoAnnotations.read();
      yield parts[2];
    },
  };
}

/**
 * Writes the whole dataset archive to `out` in one pass. Entry order is fixed (per image in id
 * order: image, mask, DICOM, segmentation; then models; then the tables, README and manifest),
 * headers carry fixed times and owners, and every table is built from the same ordered rows, so
 * the same project state and options give the same bytes.
 */
export async function buildArchive(input: BuildInput): Promise<ExportResult> {
  const { project, options, store } = input;
  const layout = archiveLayout(options.layout ?? "tandem");
  const root = layout.root(project.slug);
  const spools = new Spools(input.tmpDir);
  const sink = new ByteSink(input.out);
  const writer: ArchiveWriter = options.format === "zip" ? new ZipWriter(sink, spools.zipDirectory) : new TarWriter(sink);
  const version = createHash("sha256").update(`${FORMAT_VERSION}\n${optionsFingerprint(options)}\n`);
  const stats = new ExportStats();
  const total = input.counts.chosen + input.models.length;
  let done = 0;
  const progress = (phase: ExportProgress["phase"]) => input.onProgress?.({ phase, done, total, bytes: sink.bytes });

  /** A data file: listed in the manifest and part of the dataset version. */
  const addData = async (rel: string, body: ArchiveEntry["body"], size: number) => {
    const sha = await writer.add({ path: `${root}/${rel}`, size, body });
    await spools.manifest.append(`${sha}  ${rel}\n`);
    version.update(`${rel} ${sha}\n`);
  };
  /** A derived file: listed in the manifest only. */
  const addDerived = async (rel: string, entry: Body) => {
    const sha = await writer.add({ ...entry, path: `${root}/${rel}` });
    await spools.manifest.append(`${sha}  ${rel}\n`);
  };

  await spools.metadata.append(metadataHeader());
  await spools.folds.append("image,fold\n");
  let cocoId = 0;
  progress("images");
  for await (const p of mapOrdered(input.items, input.concurrency ?? 8, itemPreparer(store))) {
    if (input.signal?.aborted) throw input.signal.reason ?? new Error("export aborted");
    const name = exportName(p.item.imageId);
    const split = assignSplit(p.item, options.testFraction, project.folds, project.seed);
    const at = { split: split.split, label: p.item.label };
    const imagePath = layout.image(name, at);
    await addData(imagePath, p.image, p.image.length);
    const maskPath = layout.mask(name, at);
    if (maskPath) await addData(maskPath, p.maskPng, p.maskPng.length);
    if (p.dicom) {
      await addData(layout.dicom(name), p.dicom.source, p.dicom.source.length);
      await addData(layout.dicomSeg(name), p.dicom.seg, p.dicom.seg.length);
    }
    const row = metadataRow(name, p.item, split, p.dicom !== null);
    await spools.metadata.append(row);
    version.update(`row ${row}`);
    cocoId++;
    await spools.cocoImages.append(`${cocoId > 1 ? "," : ""}${cocoImage(cocoId, layout.id === "tandem" ? `${name}.png` : imagePath, p.item.width, p.item.height, p.item.imageId)}`);
    if (p.rle) {
      const first = spools.cocoAnnotations.size === 0;
      await spools.cocoAnnotations.append(`${first ? "" : ","}${cocoAnnotation(cocoId, cocoId, p.rle, p.area, p.bbox)}`);
    }
    await (split.split === "TEST" ? spools.test : spools.train).append(`${name}\n`);
    if (split.fold !== null) await spools.folds.append(`${name},${foldNumber(split.fold)}\n`);
    stats.add(p.item, split, p.dicom !== null);
    done++;
    progress("images");
  }

  progress("models");
  const folders = new Set<string>();
  for (const m of input.models) {
    // Runs of one round share arch, encoder and fold only by accident (a null fold is not unique): keep both.
    const base = modelFolder(m);
    const folder = folders.has(base) ? `${base}-${shortId(m.runId)}` : base;
    folders.add(folder);
    const size = await store.size(m.artifactKey);
    await addData(layout.model(folder), async function* () { yield* await store.getStream(m.artifactKey); }, size);
    const card = Buffer.from(modelCard(m));
    await addData(layout.modelCard(folder), card, card.length);
    done++;
    progress("models");
  }

  progress("metadata");
  const datasetVersion = version.digest("hex");
  await spools.closeTables();
  const frozenAt = stats.latestAcceptance?.toISOString() ?? null;
  const head = cocoHead({ description: `${project.name}: COVID-19 infection masks`, version: datasetVersion, contributor: "Tandem", frozenAt });
  await addDerived(layout.coco, cocoEntry(head, spools));
  await addDerived(layout.metadata, spoolEntry(spools.metadata));
  await addDerived(layout.train, spoolEntry(spools.train));
  await addDerived(layout.test, spoolEntry(spools.test));
  await addDerived(layout.folds, spoolEntry(spools.folds));
  const unacceptedLeftOut = options.acceptedOnly ? input.counts.unaccepted : 0;
  const readme = Buffer.from(datasheet({ project, options, stats, counts: input.counts, unacceptedLeftOut, datasetVersion, modelCount: input.models.length }));
  await addDerived(layout.readme, { size: readme.length, body: readme });
  await spools.manifest.close();
  await writer.add({ path: `${root}/${layout.manifest}`, ...spoolEntry(spools.manifest) });
  await writer.finish();
  const fileCount = writer.fileCount;
  const sha256 = sink.end();
  progress("done");
  return { datasetVersion, sha256, sizeBytes: sink.bytes, fileCount, imageCount: stats.images };
}
