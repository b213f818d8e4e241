import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { db } from "../../lib/db/client";
import { freePort, startEmbeddedPostgres, type EmbeddedDb } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";
import { selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { setStoreForTests, store } from "../../lib/storage/store";
import { sweepOrphanObjects } from "../../lib/storage/sweep-orphans";
import { makeProject } from "../setup/fixtures";
import { discPng, MdClient, signInAt } from "../setup/md-client";
import { drawAllManual, fakeTrainAndPredict } from "../setup/protocol";
import { makeDrawingProject } from "../setup/drawing";
import { addTestImages } from "../setup/synthetic-images";
import { AppServer, FrontProxy } from "./fault-kit";
import { testS3Store } from "../setup/s3";

// Tandem's processes killed and its parts failing under it, each ending with nothing lost.
const s3Env = (endpoint: string) => ({
  STORAGE_DRIVER: "s3",
  S3_ENDPOINT: endpoint,
  S3_BUCKET: process.env.TEST_S3_BUCKET!,
  S3_ACCESS_KEY_ID: "S3RVER",
  S3_SECRET_ACCESS_KEY: "S3RVER",
  S3_FORCE_PATH_STYLE: "1",
});

/** The MD claims the project's next drawing task over HTTP; returns its id. */
async function claimTask(md: MdClient, projectId: string): Promise<string> {
  const res = await md.send("claim", "POST", `/api/projects/${projectId}/tasks/next`, "{}", "application/json");
  return (await res!.json()).task.id as string;
}

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Holds an image row locked so a write touching it blocks mid-transaction inside the app. */
async function holdImage(imageId: string) {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  await c.query("BEGIN");
  await c.query(`SELECT id FROM "Image" WHERE id = $1::uuid FOR UPDATE`, [imageId]);
  return {
    blocked: () =>
      until(
        "a write blocked on the image",
        async () =>
          (
            await c.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
            )
          ).rows[0].n > 0,
      ),
    release: async () => {
      await c.query("ROLLBACK");
      await c.end();
    },
  };
}

describe("the web server SIGKILLed mid-write", () => {
  let app: AppServer;
  let proxy: FrontProxy;
  let base: string;

  beforeAll(async () => {
    setStoreForTests(testS3Store(process.env.TEST_S3_ENDPOINT!));
    proxy = new FrontProxy(() => app.port);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await AppServer.create({ APP_URL: base, NEXTAUTH_URL: base, ...s3Env(process.env.TEST_S3_ENDPOINT!) });
    await proxy.listen(port);
    await app.start();
  }, 120_000);

  afterAll(async () => {
    await app?.kill("SIGTERM");
    await proxy?.close();
    setStoreForTests(undefined);
  });

  it("mask submit: killed after the object is stored, before its row; the retry makes one mask and the orphan is swept", async () => {
    const fx = await makeDrawingProject({ images: 1, width: 64, height: 48 });
    const md = new MdClient(base, await signInAt(base, fx.md.email, fx.md.password));
    const png = discPng(64, 48);
    const taskId = await claimTask(md, fx.project.id);
    const key = randomUUID();
    const hold = await holdImage(fx.images[0].id);
    const inFlight = md.send("submit", "POST", `/api/tasks/${taskId}/submit`, new Uint8Array(png), "image/png", {
      "idempotency-key": key,
      "x-elapsed-ms": "100",
    });
    await hold.blocked();
    await app.kill("SIGKILL");
    await hold.release();
    expect((await inFlight)?.status ?? 0).toBe(0); // the client saw the connection drop
    expect(await db().mask.count({ where: { imageId: fx.images[0].id } })).toBe(0);
    const stored: string[] = [];
    for await (const k of store().list(`projects/${fx.project.id}/masks/`)) stored.push(k);
    expect(stored).toHaveLength(1); // the object made it, its row did not

    await app.start();
    expect(await md.submit(taskId, png, key)).toBe(true);
    expect(await md.submit(taskId, png, key)).toBe(true); // a second retry changes nothing
    const masks = await db().mask.findMany({ where: { imageId: fx.images[0].id } });
    expect(masks).toHaveLength(1);
    expect(md.acks.map((a) => (a as { maskId: string }).maskId)).toEqual([masks[0].id, masks[0].id]);
    expect((await db().task.findUniqueOrThrow({ where: { id: taskId } })).status).toBe("DONE");
    expect(await db().auditLog.count({ where: { action: "task.submit", objectId: taskId } })).toBe(1);

    const swept = await sweepOrphanObjects({
      graceMs: 60_000,
      prefix: `projects/${fx.project.id}/`,
      now: new Date(Date.now() + 3_600_000),
    });
    expect(swept.deletedKeys).toEqual(stored);
    expect((await store().get(masks[0].storageKey)).length).toBeGreaterThan(0);
  }, 120_000);

  it("mask submit: killed after the commit, before the client heard; the retry answers with the same mask", async () => {
    const fx = await makeDrawingProject({ images: 1, width: 64, height: 48 });
    const md = new MdClient(base, await signInAt(base, fx.md.email, fx.md.password));
    const taskId = await claimTask(md, fx.project.id);
    const key = randomUUID();
    proxy.loseResponse = (req) => req.method === "POST" && !!req.url?.endsWith("/submit");
    proxy.onLost = () => app.kill("SIGKILL");
    const lost = await md.send(
      "submit",
      "POST",
      `/api/tasks/${taskId}/submit`,
      new Uint8Array(discPng(64, 48)),
      "image/png",
      { "idempotency-key": key, "x-elapsed-ms": "100" },
    );
    expect(lost).toBeNull();
    const committed = await db().mask.findMany({ where: { imageId: fx.images[0].id } });
    expect(committed).toHaveLength(1);

    await app.start();
    expect(await md.submit(taskId, discPng(64, 48), key)).toBe(true);
    expect(await db().mask.count({ where: { imageId: fx.images[0].id } })).toBe(1);
    expect((md.acks[0] as { maskId: string }).maskId).toBe(committed[0].id);
  }, 120_000);

  describe("vote", () => {
    let fx: Awaited<ReturnType<typeof makeProject>>;
    beforeAll(async () => {
      fx = await makeProject({
        folds: 2,
        stage1Archs: [
          { arch: "unet", encoder: "tiny" },
          { arch: "dla", encoder: "tiny" },
        ],
      });
      await addTestImages(fx.project.id, 2, (i) => ({ label: "COVID", patientPseudonym: `F${i}` }), 64);
      await selectStage1Subset(fx.lead.actor, fx.project.id, { size: 2 });
      await startStage1(fx.lead.actor, fx.project.id);
      await drawAllManual(fx.project.id, fx.md.id);
      const { roundId } = await startStage1Training(fx.lead.actor, fx.project.id);
      await fakeTrainAndPredict(roundId);
    }, 120_000);

    async function ballot(md: MdClient) {
      const r = await (await md.send(
        "ballot",
        "POST",
        `/api/projects/${fx.project.id}/ballots/next`,
        "{}",
        "application/json",
      ))!.json();
      const b = await db().ballot.findUniqueOrThrow({ where: { id: r.ballot.ballotId } });
      return { id: b.id as string, imageId: b.imageId as string };
    }

    it("killed mid-transaction: the retry records the vote once", async () => {
      const md = new MdClient(base, await signInAt(base, fx.md.email, fx.md.password));
      const b = await ballot(md);
      const key = randomUUID();
      const hold = await holdImage(b.imageId);
      const body = JSON.stringify({ choice: 1, durationMs: 1000, idempotencyKey: key });
      const inFlight = md.send("vote", "POST", `/api/ballots/${b.id}/vote`, body, "application/json");
      await hold.blocked();
      await app.kill("SIGKILL");
      await hold.release();
      expect((await inFlight)?.status ?? 0).toBe(0);
      expect(await db().vote.count({ where: { ballotId: b.id } })).toBe(0);
      await app.start();
      expect(await md.vote(b.id, 1, key)).toBe(true);
      expect(await md.vote(b.id, 1, key)).toBe(true);
      expect(await db().vote.count({ where: { ballotId: b.id } })).toBe(1);
    }, 120_000);

    it("killed after the commit, before the client heard: the retry is answered as a duplicate", async () => {
      const md = new MdClient(base, await signInAt(base, fx.md.email, fx.md.password));
      const b = await ballot(md);
      const key = randomUUID();
      proxy.loseResponse = (req) => req.method === "POST" && !!req.url?.endsWith("/vote");
      proxy.onLost = () => app.kill("SIGKILL");
      const body = JSON.stringify({ choice: 2, durationMs: 1000, idempotencyKey: key });
      expect(await md.send("vote", "POST", `/api/ballots/${b.id}/vote`, body, "application/json")).toBeNull();
      expect(await db().vote.count({ where: { ballotId: b.id } })).toBe(1);
      await app.start();
      const again = await md.write("vote", "POST", `/api/ballots/${b.id}/vote`, () => body, "application/json");
      expect(again?.status).toBe(200);
      expect(await again!.json()).toEqual({ ok: true, duplicate: true });
      expect(await db().vote.count({ where: { ballotId: b.id } })).toBe(1);
    }, 120_000);
  });
});

describe("PostgreSQL restarted under load", () => {
  let dir: string;
  let pgDb: EmbeddedDb | undefined;
  let app: AppServer | undefined;

  afterAll(async () => {
    await app?.kill("SIGTERM");
    await pgDb?.discard();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("requests fail cleanly while it is down and succeed again without restarting Tandem; every acknowledged write is kept", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tandem-pg-restart-"));
    const port = await freePort();
    pgDb = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port, database: "faults" });
    const url = pgDb.url;
    await migrate(url);
    const storageDir = path.join(dir, "storage");
    const seeded = spawnSync(
      process.execPath,
      ["--import", "./scripts/node-loader.mjs", "tests/setup/seed-drawing-db.ts", "40", "6"],
      {
        env: {
          ...process.env,
          DATABASE_URL: url,
          STORAGE_DRIVER: "local",
          STORAGE_DIR: storageDir,
          LOG_LEVEL: "error",
        },
        encoding: "utf8",
      },
    );
    expect(seeded.status, seeded.stderr).toBe(0);
    const seed = JSON.parse(seeded.stdout.trim().split("\n").pop()!) as {
      projectId: string;
      mds: { email: string; password: string }[];
    };
    const appPort = await freePort();
    const appUrl = `http://127.0.0.1:${appPort}`;
    app = new AppServer(appPort, {
      DATABASE_URL: url,
      STORAGE_DRIVER: "local",
      STORAGE_DIR: storageDir,
      APP_URL: appUrl,
      NEXTAUTH_URL: appUrl,
    });
    await app.start();
    const pid = app.proc!.pid;
    const mds = await Promise.all(
      seed.mds.map(
        async (m) =>
          new MdClient(app!.url, await signInAt(app!.url, m.email, m.password), {
            retries: 40,
            backoffMs: 100,
            timeoutMs: 15_000,
          }),
      ),
    );

    let downAt = 0;
    let upAt = 0;
    const load = Promise.all(
      mds.map(async (md) => {
        while (await md.drawOnce(seed.projectId)) await new Promise((r) => setTimeout(r, 150));
      }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    downAt = Date.now();
    await pgDb.stop();
    await new Promise((r) => setTimeout(r, 3000));
    pgDb = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port, database: "faults" });
    upAt = Date.now();
    await load;

    expect(app.proc!.pid).toBe(pid);
    expect(app.proc!.exitCode).toBeNull();
    const samples = mds.flatMap((m) => m.samples);
    const during = samples.filter((s) => s.at >= downAt && s.at <= upAt + 1000);
    const failed = samples.filter((s) => s.status >= 500 || s.status === 0);
    expect(failed.length).toBeGreaterThan(0); // the outage was felt…
    expect(failed.every((s) => s.status >= 500)).toBe(true); // …as error answers, not dropped connections
    // No request was refused as if final (a 4xx) because the database was down: the client stops on those.
    expect(samples.filter((s) => s.status >= 400 && s.status < 500)).toEqual([]);
    expect(samples.every((s) => s.ms < 15_000)).toBe(true); // and nothing hung
    expect(during.length).toBeGreaterThan(0);
    expect(mds.reduce((n, m) => n + m.gaveUp, 0)).toBe(0);
    expect(mds.reduce((n, m) => n + m.retriedOk, 0)).toBeGreaterThan(0);
    expect((await fetch(`${app.url}/api/ready`)).status).toBe(200);

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const acks = mds.flatMap((m) => m.acks) as { taskId: string; maskId: string }[];
      const tasks = await c.query(`SELECT id, status, "maskId" FROM "Task" WHERE "projectId" = $1::uuid`, [
        seed.projectId,
      ]);
      expect(tasks.rows.every((t) => t.status === "DONE")).toBe(true);
      expect(acks.length).toBe(tasks.rows.length);
      const byTask = new Map(tasks.rows.map((t) => [t.id, t.maskId]));
      for (const a of acks) expect(byTask.get(a.taskId)).toBe(a.maskId);
      const masks = await c.query(
        `SELECT "taskId", count(*)::int AS n FROM "Mask" WHERE "projectId" = $1::uuid GROUP BY "taskId"`,
        [seed.projectId],
      );
      expect(masks.rows.every((m) => m.n === 1)).toBe(true);
      expect(masks.rows.length).toBe(tasks.rows.length);
    } finally {
      await c.end();
    }
  }, 180_000);
});

describe("the storage server down during an import", () => {
  let dir: string;
  let s3: { run(): Promise<unknown>; close(): Promise<void> } | undefined;
  let app: AppServer | undefined;

  async function startS3(port: number) {
    const S3rver = (await import("s3rver")).default;
    const server = new S3rver({
      port,
      address: "127.0.0.1",
      silent: true,
      directory: path.join(dir, "s3"),
      configureBuckets: [{ name: process.env.TEST_S3_BUCKET!, configs: [] }],
    });
    await server.run();
    return server as unknown as { run(): Promise<unknown>; close(): Promise<void> };
  }

  afterAll(async () => {
    await app?.kill("SIGTERM");
    await s3?.close();
    setStoreForTests(undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("files uploaded while it is down are reported failed; no partial rows or objects", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tandem-s3-down-"));
    const s3Port = await freePort();
    const endpoint = `http://127.0.0.1:${s3Port}`;
    s3 = await startS3(s3Port);
    setStoreForTests(testS3Store(endpoint));
    const appPort = await freePort();
    const appUrl = `http://127.0.0.1:${appPort}`;
    app = new AppServer(appPort, { APP_URL: appUrl, NEXTAUTH_URL: appUrl, ...s3Env(endpoint) });
    await app.start();
    const fx = await makeProject();
    const lead = new MdClient(appUrl, await signInAt(appUrl, fx.lead.email, fx.lead.password), { retries: 1 });
    const created = await lead.send(
      "import",
      "POST",
      `/api/projects/${fx.project.id}/imports`,
      "{}",
      "application/json",
    );
    expect(created?.status).toBe(201);
    const batchId = ((await created!.json()) as { import: { id: string } }).import.id;
    const sharp = (await import("sharp")).default;
    const png = (seed: number) =>
      sharp(Buffer.from(Array.from({ length: 64 * 64 }, (_, i) => (i * seed + seed) % 251)), {
        raw: { width: 64, height: 64, channels: 1 },
      })
        .png()
        .toBuffer();
    const upload = async (name: string, seed: number) => {
      const r = await lead.send(
        "upload",
        "POST",
        `/api/projects/${fx.project.id}/imports/${batchId}/files`,
        new Uint8Array(await png(seed)),
        "application/octet-stream",
        { "x-file-name": encodeURIComponent(name) },
      );
      expect(r?.status, name).toBe(200);
      return ((await r!.json()) as { entries: { name: string; status: string; reason?: string; imageId?: string }[] })
        .entries;
    };
    const before = [...(await upload("up-1.png", 3)), ...(await upload("up-2.png", 5))];
    expect(before.map((e) => e.status)).toEqual(["imported", "imported"]);

    await s3.close();
    const during = [
      ...(await upload("down-1.png", 7)),
      ...(await upload("down-2.png", 11)),
      ...(await upload("down-3.png", 13)),
    ];
    expect(during.map((e) => e.status)).toEqual(["failed", "failed", "failed"]);
    for (const e of during) expect(e.reason).toMatch(/could not be stored.*nothing was kept/);

    s3 = await startS3(s3Port);
    const after = await upload("up-3.png", 17);
    expect(after.map((e) => e.status)).toEqual(["imported"]);
    const fin = await lead.send(
      "finish",
      "POST",
      `/api/projects/${fx.project.id}/imports/${batchId}/finish`,
      "{}",
      "application/json",
    );
    expect(fin?.status).toBe(200);

    const batch = await db().importBatch.findUniqueOrThrow({ where: { id: batchId } });
    expect(batch).toMatchObject({ status: "SUCCEEDED", imported: 3, failed: 3, total: 6 });
    const images = await db().image.findMany({ where: { projectId: fx.project.id } });
    expect(images.map((i) => i.originalName).sort()).toEqual(["up-1.png", "up-2.png", "up-3.png"]);
    const expectedKeys = images.flatMap((i) => [i.storageKey, i.originalKey, i.thumbKey]).sort();
    const objects: string[] = [];
    for await (const k of store().list(`projects/${fx.project.id}/images/`)) objects.push(k);
    expect(objects.sort()).toEqual(expectedKeys);
    for (const k of expectedKeys) expect((await store().get(k)).length).toBeGreaterThan(0);
  }, 180_000);
});
