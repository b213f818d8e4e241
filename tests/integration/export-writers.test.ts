import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { saveMaskSummaries } from "../../lib/masks/mutations";
import { buildArchive } from "../../lib/exports/build-archive";
import { defineWriter, type WriterFactory } from "../../lib/exports/format-writer";
import { exportItemPages, exportProject, selectionCounts } from "../../lib/exports/queries";
import { canonicalOptions } from "../../lib/exports/schema";
import { readTar } from "../../lib/exports/tar-reader";
import { EXPORT_WRITERS } from "../../lib/exports/writers";
import { dropTempStore, type seedAcceptedProject, seedInTempStore } from "../setup/seed-accepted";

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;

/** Builds the archive in memory with the given writers; returns its files by path under the root. */
async function archive(writers?: readonly WriterFactory[], opts: { backfill?: boolean } = {}) {
  const options = canonicalOptions({ acceptedOnly: true });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const tmpDir = mkdtempSync(path.join(dir, "spool-"));
  const result = await buildArchive({
    project: await exportProject(seed.projectId),
    options,
    counts: await selectionCounts(seed.projectId, options),
    items: exportItemPages(seed.projectId, options),
    models: [],
    store: store(),
    out,
    tmpDir,
    writers,
    backfill: opts.backfill ? (_kind, rows) => saveMaskSummaries(rows) : undefined,
  });
  const entries = readTar(Buffer.concat(chunks));
  const root = entries[0].path.split("/")[0];
  return { result, files: new Map(entries.map((e) => [e.path.slice(root.length + 1), e.data.toString("latin1")])) };
}

beforeAll(async () => {
  ({ dir, seed } = await seedInTempStore("tandem-export-writers-", { covid: 4, controls: 1, dicom: true }));
}, 120_000);

afterAll(() => dropTempStore(dir));

describe("export writers", () => {
  it("pages items by image id: pages of two give the same items, with dates and masks, as one page", async () => {
    const options = canonicalOptions({ acceptedOnly: true });
    const collect = async (pageSize: number) => {
      const items = [];
      for await (const page of exportItemPages(seed.projectId, options, pageSize)) items.push(...page);
      return items;
    };
    const whole = await collect(1000);
    expect(whole.length).toBe((await selectionCounts(seed.projectId, options)).chosen);
    expect(whole.length).toBeGreaterThan(4);
    expect(await collect(2)).toEqual(whole);
    expect(whole.map((i) => i.imageId)).toEqual([...whole.map((i) => i.imageId)].sort());
    const gts = await db().groundTruth.findMany({ where: { projectId: seed.projectId, isCurrent: true } });
    for (const item of whole) {
      const gt = gts.find((g) => g.imageId === item.imageId)!;
      expect(item.acceptedAt).toBeInstanceOf(Date);
      expect(item.acceptedAt.getTime()).toBe(gt.acceptedAt.getTime());
      if (gt.maskId) {
        const mask = await db().mask.findUniqueOrThrow({ where: { id: gt.maskId } });
        expect(item.mask).toMatchObject({ id: mask.id, key: mask.storageKey, sha256: mask.sha256, area: mask.area });
        expect(item.mask?.bbox).toEqual(mask.bbox);
      } else expect(item.mask).toBeNull();
    }
  });

  it("a format registered beside the built-in ones adds its files, manifest lines and datasheet line, and changes nothing else", async () => {
    // A whole new format in a few lines: one text file per image and an index table.
    const labels = defineWriter(() => {
      const names: string[] = [];
      return {
        id: "labels",
        prepare: async (item) => item.label,
        async writeItem({ name }, label, out) {
          names.push(name);
          await out.data(`labels/${name}.txt`, Buffer.from(`${label}\n`));
        },
        async finish(out) {
          const index = Buffer.from(names.join("\n") + "\n");
          await out.derived("labels/index.txt", { size: index.length, body: index });
        },
        datasheet: () => ({ files: ["- `labels/<name>.txt`: the image's label (test format)."] }),
      };
    });
    const plain = await archive();
    const more = await archive([...EXPORT_WRITERS, labels]);
    const added = [...more.files.keys()].filter((k) => !plain.files.has(k)).sort();
    expect(added).toEqual([...seed.images.map((i) => `labels/${i.id}.txt`), "labels/index.txt"].sort());
    expect(more.files.get(`labels/${seed.images[0].id}.txt`)).toBe(`${seed.images[0].label}\n`);
    const manifest = more.files.get("MANIFEST.sha256")!;
    for (const f of added) expect(manifest).toContain(`  ${f}\n`);
    expect(more.files.get("README.md")).toContain("`labels/<name>.txt`: the image's label (test format).");
    // Its data files are part of the dataset version; every built-in file is unchanged.
    expect(more.result.datasetVersion).not.toBe(plain.result.datasetVersion);
    for (const [k, v] of plain.files) {
      if (["MANIFEST.sha256", "README.md", "annotations/coco.json"].includes(k)) continue; // these name the version or list every file
      expect(more.files.get(k), k).toBe(v);
    }
  });

  it("writes COCO from the masks' stored RLE; a mask stored without it is decoded once and filled in", async () => {
    const withStored = await archive();
    const maskIds = (
      await db().groundTruth.findMany({
        where: { projectId: seed.projectId, isCurrent: true, maskId: { not: null } },
        select: { maskId: true },
      })
    ).map((g) => g.maskId!);
    const before = await db().mask.findMany({
      where: { id: { in: maskIds } },
      select: { id: true, rleCounts: true, bbox: true, area: true },
      orderBy: { id: "asc" },
    });
    expect(before.filter((m) => m.area > 0).length).toBeGreaterThan(0);
    for (const m of before) expect(m.rleCounts).not.toBeNull();

    // A mask from before the column existed: no RLE, no bbox.
    await db().mask.updateMany({ where: { id: { in: maskIds } }, data: { rleCounts: null, bbox: [] } });
    const recomputed = await archive(undefined, { backfill: true });
    expect(recomputed.files.get("annotations/coco.json")).toBe(withStored.files.get("annotations/coco.json"));
    expect(recomputed.result.sha256).toBe(withStored.result.sha256);
    const after = await db().mask.findMany({
      where: { id: { in: maskIds } },
      select: { id: true, rleCounts: true, bbox: true, area: true },
      orderBy: { id: "asc" },
    });
    // Filled in for every non-empty mask (an empty one needs no annotation, so nothing to store).
    expect(after.filter((m) => m.area > 0)).toEqual(before.filter((m) => m.area > 0));

    // The stored values are what the export reads: a changed one shows in the COCO file.
    const target = after.find((m) => m.area > 0)!;
    await db().mask.update({ where: { id: target.id }, data: { bbox: [1, 2, 3, 4] } });
    const tampered = await archive();
    expect(tampered.files.get("annotations/coco.json")).toContain('"bbox":[1,2,3,4]');
    await db().mask.update({ where: { id: target.id }, data: { bbox: target.bbox } });
  });
});
