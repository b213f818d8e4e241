import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { DicomMessage } from "../../lib/images/dicom/dcmjs";
import { requestExport } from "../../lib/exports/mutations";
import { runExport } from "../../lib/exports/run-export";
import { readTar } from "../../lib/exports/tar-reader";
import { decideBurnedIn } from "../../lib/review/mutations";
import { listPendingBurnedIn, pendingBurnedInCount } from "../../lib/review/queries";
import { dropTempStore, type seedAcceptedProject, seedInTempStore } from "../setup/seed-accepted";
import { importBurnedInDicom } from "../setup/burned-in";
import { SC_CLASS } from "../unit/images/helpers/dicom-builder";

// Images whose pixels may carry burned-in text are held back from every export until a lead
// reviews them on the review page: release, exclude, or paint a rectangle out of every copy.

const ROWS = 40;
const COLUMNS = 48;
const REGION = { x: 4, y: 6, width: 20, height: 10 };

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;
const ids: { flagged: string; secondary: string; excluded: string } = { flagged: "", secondary: "", excluded: "" };
const samplesOf = new Map<string, number[]>();

type Ds = Record<string, { Value?: unknown[] }>;
const dicomSamples = (bytes: Buffer) => {
  const ds = DicomMessage.readFile(new Uint8Array(bytes).buffer).dict as Ds;
  const px = new Uint16Array(ds["7FE00010"].Value![0] as ArrayBuffer);
  return { ds, px: Array.from(px.subarray(0, ROWS * COLUMNS)) };
};
const grayPixels = async (png: Buffer) => Array.from(await sharp(png).extractChannel(0).raw().toBuffer());
const inRegion = (i: number, width: number) => {
  const x = i % width;
  const y = Math.floor(i / width);
  return x >= REGION.x && x < REGION.x + REGION.width && y >= REGION.y && y < REGION.y + REGION.height;
};

async function importDicom(n: number, opts: { burnedIn?: boolean; sopClassUid?: string }) {
  const { id, samples } = await importBurnedInDicom(seed.projectId, n, { ...opts, rows: ROWS, columns: COLUMNS });
  samplesOf.set(id, samples);
  return id;
}

async function exportFiles() {
  const r = await requestExport(seed.fx.exporter.actor, seed.projectId, {});
  await runExport(r.exportId);
  const row = await db().export.findUniqueOrThrow({ where: { id: r.exportId } });
  const entries = readTar(await store().get(row.storageKey!));
  const root = entries[0].path.split("/")[0];
  return { counts: r.counts, files: new Map(entries.map((e) => [e.path.slice(root.length + 1), Buffer.from(e.data)])) };
}

beforeAll(async () => {
  ({ dir, seed } = await seedInTempStore("tandem-burned-in-", { covid: 2, controls: 1, dicom: false }, "store"));
  ids.flagged = await importDicom(1, { burnedIn: true });
  ids.secondary = await importDicom(2, { sopClassUid: SC_CLASS });
  ids.excluded = await importDicom(3, { burnedIn: true });
}, 180_000);

afterAll(() => dropTempStore(dir));

describe("burned-in text review", () => {
  it("holds flagged images (Burned In Annotation YES, secondary capture) back from exports until reviewed", async () => {
    const images = await db().image.findMany({
      where: { id: { in: Object.values(ids) } },
      select: { burnedInReview: true },
    });
    expect(images.map((i) => i.burnedInReview)).toEqual(["PENDING", "PENDING", "PENDING"]);
    expect(await pendingBurnedInCount(seed.projectId)).toBe(3);
    const { counts, files } = await exportFiles();
    expect(counts).toMatchObject({ heldBack: 3, chosen: seed.images.length });
    for (const id of Object.values(ids)) {
      expect([...files.keys()].filter((p) => p.includes(id))).toEqual([]);
    }
    expect(files.get("README.md")!.toString()).toMatch(/Left out: burned-in text awaiting a lead's review \| 3 \|/);
  });

  it("lets only a lead decide, and refuses a malformed decision without changing anything", async () => {
    await expect(decideBurnedIn(seed.fx.md.actor, ids.flagged, { decision: "RELEASE" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(decideBurnedIn(seed.fx.exporter.actor, ids.flagged, { decision: "RELEASE" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(listPendingBurnedIn(seed.fx.md.actor, seed.projectId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(decideBurnedIn(seed.fx.lead.actor, ids.secondary, { decision: "MASK" })).rejects.toThrow(/region/);
    await expect(
      decideBurnedIn(seed.fx.lead.actor, ids.secondary, {
        decision: "MASK",
        region: { x: 40, y: 0, width: 20, height: 5 },
      }),
    ).rejects.toThrow(/not inside the 48×40 image/);
    const before = await db().image.findUniqueOrThrow({ where: { id: ids.secondary } });
    expect(before.burnedInReview).toBe("PENDING");
    expect(dicomSamples(await store().get(before.originalKey)).px).toEqual(samplesOf.get(ids.secondary));
    expect(await pendingBurnedInCount(seed.projectId)).toBe(3);
  });

  it("masks a drawn rectangle in the working image, its thumbnail and the stored original alike, and audits it", async () => {
    const img = await db().image.findUniqueOrThrow({ where: { id: ids.secondary } });
    const workingBefore = await grayPixels(await store().get(img.storageKey));
    const thumbBefore = await store().get(img.thumbKey);
    const originalBefore = dicomSamples(await store().get(img.originalKey));

    const r = await decideBurnedIn(seed.fx.lead.actor, ids.secondary, { decision: "MASK", region: REGION });
    expect(r).toMatchObject({ review: "MASKED", pending: 2 });
    await expect(decideBurnedIn(seed.fx.lead.actor, ids.secondary, { decision: "RELEASE" })).rejects.toMatchObject({
      code: "CONFLICT",
    });

    const working = await grayPixels(await store().get(img.storageKey));
    const original = dicomSamples(await store().get(img.originalKey));
    let inside = 0;
    for (let i = 0; i < ROWS * COLUMNS; i++) {
      if (inRegion(i, COLUMNS)) {
        inside++;
        expect(working[i], `working pixel ${i}`).toBe(0);
        expect(original.px[i], `original sample ${i}`).toBe(0);
      } else {
        expect(working[i]).toBe(workingBefore[i]);
        expect(original.px[i]).toBe(originalBefore.px[i]);
      }
    }
    expect(inside).toBe(REGION.width * REGION.height);
    // The masked region was not black before: the change is real.
    expect(workingBefore.filter((_, i) => inRegion(i, COLUMNS)).some((v) => v > 0)).toBe(true);
    expect((await store().get(img.thumbKey)).equals(thumbBefore)).toBe(false);
    expect(original.ds["00280301"].Value).toEqual(["NO"]);
    expect(original.ds["00080018"].Value![0]).not.toBe(originalBefore.ds["00080018"].Value![0]);

    const after = await db().image.findUniqueOrThrow({ where: { id: ids.secondary } });
    expect(after).toMatchObject({
      burnedInReview: "MASKED",
      burnedInReviewedById: seed.fx.lead.id,
      burnedInRegion: REGION,
      exportBlocked: false,
    });
    const audit = await db().auditLog.findMany({
      where: { objectId: ids.secondary, action: "image.burned_in_review" },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: seed.fx.lead.id, projectId: seed.projectId });
    expect(audit[0].after).toMatchObject({ decision: "MASK", region: REGION, burnedInReview: "MASKED" });
  });

  it("releases, excludes, and then exports the released and masked images (masked pixels in the archive too)", async () => {
    await decideBurnedIn(seed.fx.lead.actor, ids.flagged, { decision: "RELEASE" });
    const last = await decideBurnedIn(seed.fx.lead.actor, ids.excluded, { decision: "EXCLUDE" });
    expect(last).toMatchObject({ review: "EXCLUDED", pending: 0, nextImageId: null });
    const { counts, files } = await exportFiles();
    expect(counts).toMatchObject({ heldBack: 0, blocked: 1, chosen: seed.images.length + 2 });
    expect(files.has(`Images/${ids.flagged}.png`)).toBe(true);
    expect(files.has(`Images/${ids.secondary}.png`)).toBe(true);
    expect([...files.keys()].filter((p) => p.includes(ids.excluded))).toEqual([]);
    const released = dicomSamples(files.get(`DICOM/${ids.flagged}.dcm`)!);
    expect(released.px).toEqual(samplesOf.get(ids.flagged));
    const masked = dicomSamples(files.get(`DICOM/${ids.secondary}.dcm`)!);
    const png = await grayPixels(files.get(`Images/${ids.secondary}.png`)!);
    for (let i = 0; i < ROWS * COLUMNS; i++) {
      if (inRegion(i, COLUMNS)) {
        expect(masked.px[i]).toBe(0);
        expect(png[i]).toBe(0);
      } else {
        expect(masked.px[i]).toBe(samplesOf.get(ids.secondary)![i]);
      }
    }
    // The segmentation references the masked instance, not the one with the text.
    const seg = DicomMessage.readFile(new Uint8Array(files.get(`DICOM-SEG/${ids.secondary}.dcm`)!).buffer).dict as Ds;
    const ref = JSON.stringify(seg["00081115"]);
    expect(ref).toContain(String(masked.ds["00080018"].Value![0]));
  });
});
