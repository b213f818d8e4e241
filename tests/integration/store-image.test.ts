import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { imageKeys, storeImage } from "../../lib/images/mutations";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { makeProject } from "../setup/fixtures";
import { decodedFromPixels, testPixels } from "../setup/synthetic-images";

// storeImage writes its row in plain SQL (INSERT … ON CONFLICT DO NOTHING): the row holds what
// Prisma used to write, and two stores of the same bytes at once leave one image and no
// orphaned objects.

beforeAll(() => {
  setStoreForTests(new LocalStore(mkdtempSync(path.join(os.tmpdir(), "tandem-store-image-"))));
});

async function objectsUnder(projectId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of store().list(`projects/${projectId}/images/`)) keys.push(k);
  return keys.sort();
}

describe("storeImage", () => {
  it("writes every column the import gives it", async () => {
    const { project } = await makeProject();
    const d = { ...(await decodedFromPixels(testPixels(40, 30, 1), 40, 30)), flags: ["burned-in-annotation" as const] };
    const r = await storeImage(project.id, d, {
      originalName: "a/b.png",
      label: "COVID",
      patientPseudonym: "P-1",
      sourceDataset: "site-a",
      view: "PA",
      tags: { scanner: "x" },
    });
    expect(r.duplicate).toBe(false);
    const row = await db().image.findUniqueOrThrow({ where: { id: r.id } });
    expect(row).toMatchObject({
      projectId: project.id,
      originalName: "a/b.png",
      sourceFormat: "PNG",
      sha256: d.sha256,
      pixelSha256: d.pixelSha256,
      phash: d.phash,
      width: 40,
      height: 30,
      bitDepth: 8,
      label: "COVID",
      patientPseudonym: "P-1",
      sourceDataset: "site-a",
      view: "PA",
      tags: { scanner: "x" },
      flags: ["burned-in-annotation"],
      burnedInReview: "PENDING",
      state: "UNANNOTATED",
      importBatchId: null,
      storageKey: imageKeys(project.id, r.id, "png").working,
      originalKey: imageKeys(project.id, r.id, "png").original,
      thumbKey: imageKeys(project.id, r.id, "png").thumb,
    });
    const plain = await storeImage(project.id, await decodedFromPixels(testPixels(40, 30, 2), 40, 30), {
      originalName: "c.png",
    });
    const second = await db().image.findUniqueOrThrow({ where: { id: plain.id } });
    expect(second).toMatchObject({ label: "UNKNOWN", tags: null, flags: [], burnedInReview: null, view: null });
  });

  it("keeps one image and no stray objects when the same bytes are stored twice at once", async () => {
    const { project } = await makeProject();
    const d = await decodedFromPixels(testPixels(48, 48, 7), 48, 48);
    const results = await Promise.all(
      [1, 2, 3].map((i) => storeImage(project.id, d, { originalName: `copy-${i}.png` })),
    );
    const ids = new Set(results.map((r) => r.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await db().image.count({ where: { projectId: project.id } })).toBe(1);
    const [id] = ids;
    expect(await objectsUnder(project.id)).toEqual(Object.values(imageKeys(project.id, id, "png")).sort());
  });
});
