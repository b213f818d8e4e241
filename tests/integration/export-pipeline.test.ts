import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import path from "node:path";
import { type BuildInput, buildArchive } from "../../lib/exports/build-archive";
import { defineWriter } from "../../lib/exports/format-writer";
import { requestExport } from "../../lib/exports/mutations";
import { exportItemPages, exportProject, selectionCounts } from "../../lib/exports/queries";
import { runExport } from "../../lib/exports/run-export";
import { canonicalOptions } from "../../lib/exports/schema";
import { readTar } from "../../lib/exports/tar-reader";
import { db, pool } from "../../lib/db/client";
import type { ExportItem, ExportProgress } from "../../lib/exports/types";
import { EXPORT_WRITERS } from "../../lib/exports/writers";
import { store } from "../../lib/storage/store";
import { dropTempStore, type seedAcceptedProject, seedInTempStore } from "../setup/seed-accepted";

// The item pipeline of the archive builder: pages fetched one ahead, items whose needs are at
// hand written at once and the others awaited in order within the concurrency bound, and the
// archive thread's progress and hash when it writes the file itself.

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;
const options = canonicalOptions({ acceptedOnly: true });

beforeAll(async () => {
  ({ dir, seed } = await seedInTempStore("tandem-export-pipeline-", { covid: 6, controls: 1 }));
}, 120_000);

afterAll(() => dropTempStore(dir));

/** The builder's input for this project, to a file in a fresh spool folder, with `extra` on top. */
async function inputTo(name: string, extra: Partial<BuildInput> = {}): Promise<BuildInput> {
  const tmpDir = mkdtempSync(path.join(dir, "spool-"));
  const counts = await selectionCounts(seed.projectId, options);
  const project = await exportProject(seed.projectId);
  return {
    project,
    options,
    counts,
    items: exportItemPages(seed.projectId, options),
    models: [],
    store: store(),
    out: path.join(tmpDir, name),
    tmpDir,
    ...extra,
  };
}

/**
 * Checks that every idle connection of this process's pool is outside any transaction (there a
 * statement starts its own, so its start is the transaction's) and returns how many there are.
 * (Other test files share the database from other processes: pg_stat_activity would see theirs.)
 */
async function idleOutsideTransactions(): Promise<number> {
  const idle = await Promise.all(Array.from({ length: pool().idleCount }, () => pool().connect()));
  try {
    for (const c of idle) {
      const { rows } = await c.query<{ outside: boolean }>("SELECT now() = statement_timestamp() AS outside");
      expect(rows[0].outside).toBe(true);
    }
    return idle.length;
  } finally {
    for (const c of idle) c.release();
  }
}

async function collect(pageSize: number, o = options): Promise<ExportItem[]> {
  const items: ExportItem[] = [];
  for await (const page of exportItemPages(seed.projectId, o, pageSize)) items.push(...page);
  return items;
}

describe("export pipeline", () => {
  it("gives the same items at every page size, one that divides the count and one item per page included", async () => {
    const whole = await collect(1000);
    const n = whole.length;
    expect(n).toBe((await selectionCounts(seed.projectId, options)).chosen);
    expect(n).toBeGreaterThanOrEqual(6);
    for (const size of [1, 2, 3, n - 1, n, n + 1]) expect(await collect(size)).toEqual(whole);
  });

  it("places every column of a page's rows in the item: each field as the tables hold it", async () => {
    const items = await collect(3);
    expect(items.some((i) => i.model !== null) && items.some((i) => i.votes > 0)).toBe(true);
    for (const item of items) {
      const image = await db().image.findUniqueOrThrow({ where: { id: item.imageId } });
      const gt = await db().groundTruth.findFirstOrThrow({ where: { imageId: item.imageId, isCurrent: true } });
      const mask = gt.maskId
        ? await db().mask.findUniqueOrThrow({ where: { id: gt.maskId }, include: { modelRun: true } })
        : null;
      const round = gt.roundId ? await db().round.findUniqueOrThrow({ where: { id: gt.roundId } }) : null;
      const votes = gt.roundId ? await db().vote.count({ where: { roundId: gt.roundId, imageId: item.imageId } }) : 0;
      const run = mask?.modelRun;
      expect({ ...item, agreeing: 0 }).toEqual({
        imageId: image.id,
        width: image.width,
        height: image.height,
        sourceFormat: image.sourceFormat,
        imageKey: image.storageKey,
        imageSha256: image.workingSha256,
        originalKey: image.originalKey,
        patient: image.patientPseudonym,
        label: image.label,
        source: image.sourceDataset,
        view: image.view,
        split: image.split,
        fold: image.fold,
        groundTruthId: gt.id,
        mask: mask && {
          id: mask.id,
          key: mask.storageKey,
          sha256: mask.sha256,
          width: mask.width,
          height: mask.height,
          area: mask.area,
          rleCounts: mask.rleCounts,
          bbox: mask.bbox,
        },
        stage: gt.stage,
        round: round?.number ?? null,
        decision: gt.decision,
        sourceKind: gt.sourceKind,
        model: run ? { arch: run.arch, encoder: run.encoder, fold: run.fold, weightsSha256: run.weightsSha256 } : null,
        votes,
        agreeing: 0,
        acceptedAt: gt.acceptedAt,
      });
      expect(item.agreeing).toBeLessThanOrEqual(votes);
    }
  });

  it("keeps free text whole: tabs, newlines, quotes and backslashes in a pseudonym, source or view shift no field", async () => {
    const [first, second] = await collect(1000);
    const saved = await db().image.findMany({
      where: { id: { in: [first.imageId, second.imageId] } },
      select: { id: true, patientPseudonym: true, sourceDataset: true, view: true },
    });
    const odd = { patientPseudonym: 'P\t"1"\\', sourceDataset: "site\nB\t(2)", view: "" };
    await db().image.update({ where: { id: first.imageId }, data: odd });
    await db().image.update({
      where: { id: second.imageId },
      data: { patientPseudonym: null, sourceDataset: null, view: null },
    });
    try {
      const items = await collect(2);
      const a = items.find((i) => i.imageId === first.imageId)!;
      const b = items.find((i) => i.imageId === second.imageId)!;
      expect([a.patient, a.source, a.view]).toEqual([odd.patientPseudonym, odd.sourceDataset, ""]);
      expect([b.patient, b.source, b.view]).toEqual([null, null, null]);
      expect(a.groundTruthId).toBe(first.groundTruthId);
      expect(a.acceptedAt).toEqual(first.acceptedAt);
    } finally {
      for (const r of saved) await db().image.update({ where: { id: r.id }, data: r });
    }
  });

  it("reads every page from one snapshot, and a reader that stops early leaves no transaction open", async () => {
    const whole = await collect(1000);
    const last = whole.at(-1)!;
    const pages = exportItemPages(seed.projectId, options, 2)[Symbol.asyncIterator]();
    const firstPage = await pages.next();
    expect(firstPage.done).toBe(false);
    // Changed after the first page came: the export still sees the image as it was.
    await db().image.update({ where: { id: last.imageId }, data: { sourceDataset: "changed mid-export" } });
    try {
      const rest: ExportItem[] = [];
      for (let p = await pages.next(); !p.done; p = await pages.next()) rest.push(...p.value);
      expect([...firstPage.value!, ...rest]).toEqual(whole);
      expect((await collect(1000)).at(-1)!.source).toBe("changed mid-export");
    } finally {
      await db().image.update({ where: { id: last.imageId }, data: { sourceDataset: last.source } });
    }
    const early = exportItemPages(seed.projectId, options, 1)[Symbol.asyncIterator]();
    expect((await early.next()).done).toBe(false);
    await early.return?.(undefined);
    // The early reader's connection among them.
    expect(await idleOutsideTransactions()).toBeGreaterThan(0);
  });

  it("a run opens its item cursor beside its start-up queries, and closes it when refused at the start or when built", async () => {
    // Every connection of this process's pool back in it and outside any transaction: the
    // cursor's connection among them (a leaked one stays checked out, or idle in its transaction).
    const poolIsClear = async () => {
      expect(pool().totalCount).toBe(pool().idleCount);
      await idleOutsideTransactions();
    };
    const gt = await db().groundTruth.findFirstOrThrow({ where: { projectId: seed.projectId, isCurrent: true } });
    // Requested with every image accepted; one loses its accepted mask before the run starts.
    const refused = await requestExport(seed.fx.exporter.actor, seed.projectId, {}, { enqueue: false });
    await db().groundTruth.update({ where: { id: gt.id }, data: { isCurrent: false } });
    try {
      await expect(runExport(refused.exportId)).rejects.toMatchObject({
        code: "CONFLICT",
        message: expect.stringMatching(/^1 chosen images have no accepted mask/),
      });
    } finally {
      await db().groundTruth.update({ where: { id: gt.id }, data: { isCurrent: true } });
    }
    await poolIsClear();
    const built = await requestExport(seed.fx.exporter.actor, seed.projectId, {}, { enqueue: false });
    const file = path.join(mkdtempSync(path.join(dir, "run-")), "dataset.tar");
    const r = await runExport(built.exportId, { toFile: file });
    expect(r.imageCount).toBe((await selectionCounts(seed.projectId, options)).chosen);
    expect(createHash("sha256").update(readFileSync(file)).digest("hex")).toBe(r.sha256);
    await poolIsClear();
  });

  it("keeps its snapshot past the server's idle-in-transaction and transaction timeouts while a slow consumer holds it back", async () => {
    // A process of its own whose every connection has both timeouts short (as a DBA sets them
    // against leaked sessions): it reads two items a page and waits 400 ms before the next.
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set("options", "-c idle_in_transaction_session_timeout=150 -c transaction_timeout=900");
    const script = `
      const { exportItemPages } = await import("./lib/exports/queries.ts");
      const { canonicalOptions } = await import("./lib/exports/schema.ts");
      const { pool } = await import("./lib/db/client.ts");
      const { rows: [t] } = await pool().query("SELECT current_setting('idle_in_transaction_session_timeout') AS idle, current_setting('transaction_timeout') AS tx");
      let n = 0;
      const t0 = Date.now();
      for await (const page of exportItemPages(process.env.PROJECT_ID, canonicalOptions({ acceptedOnly: true }), 2)) {
        n += page.length;
        await new Promise((r) => setTimeout(r, 400));
      }
      console.log(JSON.stringify({ n, ms: Date.now() - t0, ...t }));
      process.exit(0);`;
    const child = spawnSync(
      process.execPath,
      ["--import", "./scripts/node-loader.mjs", "--input-type=module", "-e", script],
      {
        env: { ...process.env, DATABASE_URL: url.toString(), PROJECT_ID: seed.projectId },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const r = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
      n: number;
      ms: number;
      idle: string;
      tx: string;
    };
    // The server did impose them, the read outlasted both, and every item came.
    expect([r.idle, r.tx]).toEqual(["150ms", "900ms"]);
    expect(r.ms).toBeGreaterThan(1200);
    expect(r.n).toBe((await collect(1000)).length);
  }, 90_000);

  it("filters on the ground truth before a page is cut: every other image accepted too early, small pages still list all the rest", async () => {
    const whole = await collect(1000);
    const early = whole.filter((_, i) => i % 2 === 0).map((i) => i.groundTruthId);
    const saved = await db().groundTruth.findMany({
      where: { id: { in: early } },
      select: { id: true, acceptedAt: true },
    });
    const cut = new Date(Math.min(...whole.map((i) => i.acceptedAt.getTime())) - 1000);
    await db().groundTruth.updateMany({
      where: { id: { in: early } },
      data: { acceptedAt: new Date(cut.getTime() - 60_000) },
    });
    try {
      const after = canonicalOptions({ acceptedOnly: true, acceptedAfter: cut });
      const want = whole.filter((i) => !early.includes(i.groundTruthId)).map((i) => i.imageId);
      expect(want.length).toBeGreaterThanOrEqual(3);
      for (const size of [1, 2, 3, 250]) expect((await collect(size, after)).map((i) => i.imageId)).toEqual(want);
    } finally {
      for (const g of saved) await db().groundTruth.update({ where: { id: g.id }, data: { acceptedAt: g.acceptedAt } });
    }
  });

  it("writes items in archive order when some preparations wait and others do not, with at most `concurrency` waiting", async () => {
    let waiting = 0;
    let mostWaiting = 0;
    const written: string[] = [];
    let seen = 0;
    const probe = defineWriter(() => ({
      id: "probe",
      prepare(item) {
        // Every other item waits (longer for earlier ones, so they would finish out of order).
        if (seen++ % 2) return item.imageId;
        waiting++;
        mostWaiting = Math.max(mostWaiting, waiting);
        const delay = 40 - (seen % 5) * 8;
        return new Promise<string>((resolve) =>
          setTimeout(() => {
            waiting--;
            resolve(item.imageId);
          }, delay),
        );
      },
      writeItem(_ctx, id) {
        written.push(id);
      },
      datasheet: () => ({ files: [] }),
    }));
    await buildArchive(
      await inputTo("a.tar", {
        items: exportItemPages(seed.projectId, options, 2),
        concurrency: 2,
        writers: [...EXPORT_WRITERS, probe],
      }),
    );
    expect(written).toEqual((await collect(1000)).map((i) => i.imageId));
    expect(mostWaiting).toBeGreaterThan(0);
    expect(mostWaiting).toBeLessThanOrEqual(2);
  });

  it("to a file (archive and hashing threads): the reported size, the last progress and the SHA-256 are the file's", async () => {
    const progress: ExportProgress[] = [];
    const input = await inputTo("a.tar", { onProgress: (p) => progress.push({ ...p }) });
    const file = input.out as string;
    const result = await buildArchive(input);
    const bytes = readFileSync(file);
    expect(result.sizeBytes).toBe(bytes.length);
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const last = progress.at(-1)!;
    expect(last.phase).toBe("done");
    expect(last.bytes).toBe(bytes.length);
    expect(progress.filter((p) => p.phase === "images").map((p) => p.done)).toEqual(
      Array.from({ length: result.imageCount + 1 }, (_, i) => i),
    );
    expect(readTar(bytes).length).toBe(result.fileCount);
  });
});
