import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { db } from "../../lib/db/client";
import { createImportBatch, failStaleImportBatches, importIntoBatch } from "../../lib/imports/mutations";
import type { ImportFile } from "../../lib/imports/types";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { sweepOrphanObjects } from "../../lib/storage/sweep-orphans";
import { startRunner } from "../../workers/runner";
import { makeProject } from "../setup/fixtures";
import { makeImage } from "../setup/images";
import { testS3Store } from "../setup/s3";

// The maintenance jobs against real parts: PostgreSQL and an S3-protocol server (s3rver).
const s3 = () => testS3Store();

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store().list(prefix)) out.push(k);
  return out.sort();
}

async function pngFile(name: string, seed: number): Promise<ImportFile> {
  const px = Buffer.alloc(64 * 64, 0).map((_, i) => (i * seed) % 251);
  const bytes = await sharp(px, { raw: { width: 64, height: 64, channels: 1 } })
    .png()
    .toBuffer();
  return { name, bytes };
}

describe("orphan sweep (S3)", () => {
  beforeAll(() => setStoreForTests(s3()));
  afterAll(() => setStoreForTests(undefined));

  it("deletes objects no row references once past the grace period, and only those; twice is a no-op", async () => {
    const { project } = await makeProject();
    const prefix = `projects/${project.id}/`;
    const img = await makeImage(project.id);
    const kept = await keysUnder(prefix);
    expect(kept.length).toBe(3); // working, original, thumbnail of the real image
    // What a crash between the object write and the row insert leaves behind:
    const orphans = [
      `${prefix}images/${randomUUID()}/working.png`,
      `${prefix}masks/${randomUUID()}.png`,
      `${prefix}runs/${randomUUID()}/model.onnx`,
      `${prefix}runs/${randomUUID()}/prob/${img.id}.png`,
      `${prefix}exports/${randomUUID()}/dataset.zip`,
      `${prefix}imports/${randomUUID()}/metadata.json`,
    ];
    const unknownShape = `${prefix}notes/readme.txt`;
    for (const k of [...orphans, unknownShape]) await store().put(k, Buffer.from("x"));

    // Within the grace period nothing is touched (a write may be about to get its row).
    const early = await sweepOrphanObjects({ graceMs: 3_600_000, prefix });
    expect(early.deleted).toBe(0);
    expect(await keysUnder(prefix)).toHaveLength(kept.length + orphans.length + 1);

    const now = new Date(Date.now() + 2 * 3_600_000);
    const first = await sweepOrphanObjects({ graceMs: 3_600_000, prefix, now });
    expect(first.deletedKeys.sort()).toEqual([...orphans].sort());
    expect(await keysUnder(prefix)).toEqual([...kept, unknownShape].sort());
    // The image still reads.
    const row = await db().image.findUniqueOrThrow({ where: { id: img.id } });
    expect((await store().get(row.storageKey)).length).toBeGreaterThan(0);

    const second = await sweepOrphanObjects({ graceMs: 3_600_000, prefix, now });
    expect(second.deleted).toBe(0);
    expect(await keysUnder(prefix)).toEqual([...kept, unknownShape].sort());
  });

  it("objects of a deleted row become orphans and are swept", async () => {
    const { project } = await makeProject();
    const prefix = `projects/${project.id}/`;
    const a = await makeImage(project.id);
    await makeImage(project.id);
    await db().image.delete({ where: { id: a.id } });
    const r = await sweepOrphanObjects({ graceMs: 60_000, prefix, now: new Date(Date.now() + 120_000) });
    expect(r.deleted).toBe(3);
    expect(r.deletedKeys.every((k) => k.includes(a.id))).toBe(true);
    expect(await keysUnder(prefix)).toHaveLength(3);
  });
});

describe("orphan sweep (local disk)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tandem-sweep-"));
    setStoreForTests(new LocalStore(dir));
  });
  afterAll(() => {
    setStoreForTests(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("removes temp files of writes that never finished, once old", async () => {
    const { project } = await makeProject();
    const prefix = `projects/${project.id}/`;
    await makeImage(project.id);
    const imgDir = path.join(dir, "projects", project.id, "images");
    const sub = path.join(imgDir, readdirSync(imgDir)[0]);
    const tmp = path.join(sub, `working.png.tmp-${randomUUID()}`);
    writeFileSync(tmp, "half a png");
    const fresh = await sweepOrphanObjects({ graceMs: 600_000, prefix });
    expect(fresh.deleted).toBe(0);
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(tmp, old, old);
    const swept = await sweepOrphanObjects({ graceMs: 600_000, prefix });
    expect(swept.deletedKeys).toEqual([path.relative(dir, tmp)]);
    expect(readdirSync(sub).sort()).toEqual(["original.png", "thumb.jpg", "working.png"]);
  });
});

describe("stale imports", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tandem-stale-"));
    setStoreForTests(new LocalStore(dir));
  });
  afterAll(() => {
    setStoreForTests(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("an import left RUNNING is failed and reported, keeping what it imported; twice is a no-op", async () => {
    const { project, lead } = await makeProject();
    const stale = await createImportBatch(lead.actor, project.id);
    const live = await createImportBatch(lead.actor, project.id);
    async function* files(seed: number) {
      yield await pngFile(`a-${seed}.png`, seed);
    }
    await importIntoBatch(lead.actor, project.id, stale.id, files(3));
    await importIntoBatch(lead.actor, project.id, live.id, files(5));
    await db()
      .$executeRaw`UPDATE "ImportBatch" SET "updatedAt" = now() - interval '7 hours' WHERE id = ${stale.id}::uuid`;

    const failed = await failStaleImportBatches(6 * 3_600_000);
    expect(failed.map((b) => b.id)).toContain(stale.id);
    expect(failed.map((b) => b.id)).not.toContain(live.id);
    const row = await db().importBatch.findUniqueOrThrow({ where: { id: stale.id } });
    expect(row.status).toBe("FAILED");
    expect(row.finishedAt).not.toBeNull();
    expect((row.report as { error: string }).error).toMatch(/abandoned: no upload for 360 minutes/);
    expect(row.imported).toBe(1);
    expect(await db().image.count({ where: { importBatchId: stale.id } })).toBe(1);
    expect(await db().auditLog.count({ where: { action: "import.abandoned", objectId: stale.id } })).toBe(1);
    expect((await db().importBatch.findUniqueOrThrow({ where: { id: live.id } })).status).toBe("RUNNING");

    const again = await failStaleImportBatches(6 * 3_600_000);
    expect(again.map((b) => b.id)).not.toContain(stale.id);
    expect(await db().auditLog.count({ where: { action: "import.abandoned", objectId: stale.id } })).toBe(1);
  });

  it("workers enqueue the periodic maintenance once per period and run it", async () => {
    const runners = [
      startRunner({ names: ["failStaleImports"], pollMs: 50 }),
      startRunner({ names: ["failStaleImports"], pollMs: 50 }),
    ];
    try {
      const key = () => `failStaleImports@${Math.floor(Date.now() / 900_000)}`;
      const t0 = Date.now();
      for (;;) {
        const job = await db().job.findUnique({ where: { singletonKey: key() } });
        if (job?.status === "SUCCEEDED") {
          expect(job.result).toMatchObject({ failed: expect.any(Number) });
          break;
        }
        if (Date.now() - t0 > 30_000) throw new Error(`periodic job did not run: ${JSON.stringify(job)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await db().job.count({ where: { singletonKey: key() } })).toBe(1);
    } finally {
      await Promise.all(runners.map((r) => r.stop(1000)));
    }
  });
});
