import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { loadMask } from "../../lib/masks/queries";
import { cocoSummary } from "../../lib/masks/rle";
import { addMember } from "../../lib/projects/mutations";
import { selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { castVote, nextBallot } from "../../lib/voting/mutations";
import { requestExport } from "../../lib/exports/mutations";
import { runExport } from "../../lib/exports/run-export";
import { exportName } from "../../lib/exports/archive-layout";
import { readTar } from "../../lib/exports/tar-reader";
import { makeProject, makeUser } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { discMask, drawAllManual, fakeTrainAndPredict } from "../setup/protocol";
import { dropTempStore, type seedAcceptedProject, seedInTempStore } from "../setup/seed-accepted";

// Issue 21: what an export writes per item (the working PNG's SHA-256, the mask's SHA-256, COCO
// RLE, bbox and area) is computed once, when the image or mask is stored, and kept with it; the
// export reads those facts instead of recomputing them, and fills them in for older rows.

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Builds a tar export of the seeded project to a file; returns its bytes, manifest and COCO. */
async function exportOnce(name: string) {
  const { exportId } = await requestExport(seed.fx.exporter.actor, seed.projectId, {}, { enqueue: false });
  const file = path.join(dir, `${name}.tar`);
  await runExport(exportId, { toFile: file });
  const bytes = readFileSync(file);
  const entries = readTar(bytes);
  const root = entries[0].path.split("/")[0];
  const files = new Map(entries.map((e) => [e.path.slice(root.length + 1), e.data]));
  const manifest = new Map(
    files
      .get("MANIFEST.sha256")!
      .toString()
      .trim()
      .split("\n")
      .map((l) => [l.slice(66), l.slice(0, 64)] as const),
  );
  const coco = JSON.parse(files.get("annotations/coco.json")!.toString()) as {
    images: { id: number; tandem_id: string }[];
    annotations: { image_id: number; segmentation: { counts: string }; bbox: number[]; area: number }[];
  };
  const annotationOf = (imageId: string) => {
    const img = coco.images.find((i) => i.tandem_id === imageId)!;
    return coco.annotations.find((a) => a.image_id === img.id);
  };
  return { bytes, files, manifest, annotationOf };
}

const acceptedMask = async (imageId: string) => {
  const gt = await db().groundTruth.findFirstOrThrow({ where: { imageId, isCurrent: true } });
  return db().mask.findUniqueOrThrow({ where: { id: gt.maskId! } });
};

beforeAll(async () => {
  ({ dir, seed } = await seedInTempStore("tandem-export-facts-", { covid: 3, controls: 1, dicom: false }));
}, 120_000);

afterAll(() => dropTempStore(dir));

describe("export facts: computed once when stored, kept with the row", () => {
  it("a mask accepted by vote (its normalised rendering) carries its hash, RLE and bbox; an imported image its working PNG's hash", async () => {
    const W = 64;
    const fx = await makeProject({ folds: 2, stage1Archs: [{ arch: "unet", encoder: "tiny" }] });
    const voter = await makeUser();
    await addMember(fx.admin.actor, fx.project.id, { email: voter.email, roles: ["MD"] });
    await addTestImages(fx.project.id, 1, () => ({ label: "COVID", patientPseudonym: "F1" }));
    await selectStage1Subset(fx.lead.actor, fx.project.id, { size: 1 });
    await startStage1(fx.lead.actor, fx.project.id);
    await drawAllManual(fx.project.id, fx.md.id, { mask: () => discMask(W, W, -5), elapsedMs: 1000 });
    const { roundId } = await startStage1Training(fx.lead.actor, fx.project.id);
    await fakeTrainAndPredict(roundId);
    const b = (await nextBallot(voter.actor, fx.project.id))!;
    await castVote(voter.actor, b.ballotId, { choice: 1, durationMs: 10, idempotencyKey: `facts-${b.ballotId}` });

    const { imageId } = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
    const image = await db().image.findUniqueOrThrow({ where: { id: imageId } });
    expect(image.state).toBe("ACCEPTED");
    expect(image.workingSha256).toBe(sha(await store().get(image.storageKey)));
    const mask = await acceptedMask(image.id);
    expect(mask.kind).toBe("NORMALISED");
    const png = await store().get(mask.storageKey);
    const pixels = (await loadMask(mask.storageKey)).mask;
    expect(mask.sha256).toBe(sha(png));
    expect(mask.area).toBe(pixels.reduce((s, v) => s + v, 0));
    const summary = cocoSummary(pixels, mask.width, mask.height);
    expect(mask.rleCounts).toBe(summary.rleCounts);
    expect(mask.bbox).toEqual(summary.bbox);
  }, 60_000);

  it("the export lists the stored facts as they are: a deliberately wrong stored hash and RLE show through", async () => {
    const target = seed.images[0];
    const before = await db().image.findUniqueOrThrow({ where: { id: target.id } });
    const mask = await acceptedMask(target.id);
    // Another valid RLE, bbox and a hash no file has: only a stored fact can put these in the archive.
    const other = cocoSummary(new Uint8Array(target.width * target.height).fill(1, 0, 5), target.width, target.height);
    const fakeSha = "f".repeat(64);
    await db().image.update({ where: { id: target.id }, data: { workingSha256: fakeSha } });
    await db().mask.update({ where: { id: mask.id }, data: { rleCounts: other.rleCounts, bbox: other.bbox } });
    try {
      const out = await exportOnce("wrong-facts");
      const name = exportName(target.id);
      expect(out.manifest.get(`Images/${name}.png`)).toBe(fakeSha);
      // The file itself is the stored working PNG, byte for byte.
      expect(sha(out.files.get(`Images/${name}.png`)!)).toBe(before.workingSha256);
      expect(out.annotationOf(target.id)).toMatchObject({
        segmentation: { counts: other.rleCounts },
        bbox: other.bbox,
      });
    } finally {
      await db().image.update({ where: { id: target.id }, data: { workingSha256: before.workingSha256 } });
      await db().mask.update({ where: { id: mask.id }, data: { rleCounts: mask.rleCounts, bbox: mask.bbox } });
    }
  }, 60_000);

  it("rows stored before the facts were kept export the same bytes, and the export writes the facts back", async () => {
    const withFacts = await exportOnce("with-facts");
    const ids = seed.images.map((i) => i.id);
    const images = await db().image.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    const masks = await Promise.all(seed.images.filter((i) => i.mask).map((i) => acceptedMask(i.id)));
    expect(masks.length).toBe(3);
    expect(images.every((i) => i.workingSha256 !== null)).toBe(true);
    // As a row from before the migrations: no working hash, no RLE, no bbox.
    await db().image.updateMany({ where: { id: { in: ids } }, data: { workingSha256: null } });
    await db().mask.updateMany({ where: { id: { in: masks.map((m) => m.id) } }, data: { rleCounts: null, bbox: [] } });

    const without = await exportOnce("without-facts");
    expect(without.bytes.equals(withFacts.bytes)).toBe(true);

    const imagesAfter = await db().image.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    expect(imagesAfter.map((i) => i.workingSha256)).toEqual(images.map((i) => i.workingSha256));
    const masksAfter = await Promise.all(masks.map((m) => db().mask.findUniqueOrThrow({ where: { id: m.id } })));
    expect(masksAfter.map((m) => [m.rleCounts, m.bbox])).toEqual(masks.map((m) => [m.rleCounts, m.bbox]));
  }, 60_000);
});
