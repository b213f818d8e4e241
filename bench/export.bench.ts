import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { link } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { crc32 } from "../lib/masks/crc32";
import { cocoSummary } from "../lib/masks/rle";
import { encodeMaskPng } from "../lib/masks/png-codec";
import { pgCpuMs } from "./pg-cpu";
import { loadNote, median, RUNS, spread } from "./repeat";

// Exports N generated image/mask pairs from a fresh embedded database and a local store, and
// compares with tar(1) archiving the same files from a folder in the same run.

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const PAIRS = Number(process.env.EXPORT_BENCH_PAIRS ?? 20_000);
/**
 * EXPORT_BENCH_KEEP=<folder>: seed there once and keep it (database and store); a later run with
 * the same folder and pair count reuses it instead of seeding again (minutes at 20k pairs).
 */
const KEEP = process.env.EXPORT_BENCH_KEEP ? path.resolve(process.env.EXPORT_BENCH_KEEP) : null;
/**
 * EXPORT_BENCH_CODE=<checkout>: the export child runs that checkout's code (e.g. the commit before
 * a change, with its own node_modules and generated client) on the same data: a before/after
 * pair on one seeded dataset, each against tar in its own run.
 */
const CODE = path.resolve(process.env.EXPORT_BENCH_CODE ?? ".");
/** EXPORT_BENCH_TIMELINE=1: print each run's resident memory and CPU (export, database) per second. */
const TIMELINE = process.env.EXPORT_BENCH_TIMELINE === "1";
const SIZE = 256;

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

const NOISY_BASES = 16;

/** Filtered PNG rows (filter byte 0 + pixels) of a synthetic CXR-like image with per-pixel noise. */
function baseRows(seed: number): Buffer {
  const raw = Buffer.alloc((SIZE + 1) * SIZE);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const lung = ((x - SIZE * 0.3) / (SIZE * 0.18)) ** 2 + ((y - SIZE * 0.5) / (SIZE * 0.3)) ** 2 < 1;
      raw[y * (SIZE + 1) + 1 + x] = (60 + ((120 * y) >> 8) - (lung ? 40 : 0) + (s >>> 29)) & 0xff;
    }
  }
  return raw;
}

function pngOf(raw: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 1 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

type MaskFixture = { png: Buffer; sha256: string; area: number; coco: { rleCounts: string; bbox: number[] } };

/**
 * Seeding fixtures, cheap per pair: 16 noisy base images are computed once and each pair's image
 * is one of them with its index written into its first row (so every image has its own bytes and
 * SHA-256, as the schema requires), deflated at level 1; the masks (a disc whose centre and radius
 * cycle, every fifth one empty) repeat, so each distinct mask is made, hashed and summarised once.
 */
class Fixtures {
  private readonly bases: Buffer[] = [];
  private readonly masks = new Map<string, MaskFixture>();

  image(i: number): Buffer {
    const raw = Buffer.from((this.bases[i % NOISY_BASES] ??= baseRows(i % NOISY_BASES)));
    raw.writeUInt32BE(i >>> 0, 1);
    return pngOf(raw);
  }

  mask(i: number): MaskFixture {
    const empty = i % 5 === 0;
    const k = empty ? "empty" : `${i % 7}/${i % 23}`;
    let hit = this.masks.get(k);
    if (!hit) {
      const m = new Uint8Array(SIZE * SIZE);
      const cx = SIZE * (0.25 + ((i % 7) / 7) * 0.5);
      const r = 12 + (i % 23);
      let area = 0;
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++)
          if (!empty && (x - cx) ** 2 + (y - SIZE / 2) ** 2 < r * r) {
            m[y * SIZE + x] = 1;
            area++;
          }
      // Masks made by Tandem carry their COCO RLE and bbox from the moment they are stored.
      const png = encodeMaskPng(m, SIZE, SIZE);
      hit = { png, sha256: sha(png), area, coco: cocoSummary(m, SIZE, SIZE) };
      this.masks.set(k, hit);
    }
    return hit;
  }
}

// Runs in the child: only the export, timed from its first query to the stored archive. With
// TIMELINE set, one sample per second: resident memory, the process's CPU and the database's.
const EXPORT_CHILD = `
const { runExport } = await import(process.env.RUN_EXPORT);
const { pgCpuMs } = await import(process.env.PG_CPU);
const fs = await import("node:fs");
const startRss = process.memoryUsage.rss();
// Peak RSS as the kernel keeps it (VmHWM), reset here so module loading does not count; where
// that is not available, sampled every 20 ms (which costs the export some CPU).
const hwm = () => Number(/VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024;
let exact = false;
try { fs.writeFileSync("/proc/self/clear_refs", "5"); exact = hwm() > 0; } catch {}
let peak = startRss;
const sampler = exact ? null : setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20);
const peakNow = () => (exact ? hwm() : Math.max(peak, process.memoryUsage.rss()));
// With EXPORT_BENCH_NODE_FLAGS=--expose-gc: collect every second, separating live memory from garbage V8 has not collected yet.
const collector = globalThis.gc ? setInterval(() => globalThis.gc(), 1000) : null;
const timeline = [];
let last = { cpu: process.cpuUsage(), pg: pgCpuMs(process.env.PG_DATA) ?? 0 };
const ticker = process.env.TIMELINE ? setInterval(() => {
  const now = { cpu: process.cpuUsage(), pg: pgCpuMs(process.env.PG_DATA) ?? 0 };
  const d = process.cpuUsage(last.cpu);
  timeline.push({ rss: process.memoryUsage.rss(), cpuS: (d.user + d.system) / 1e6, pgS: (now.pg - last.pg) / 1000 });
  last = now;
}, 1000) : null;
// CPU seconds per thread, by thread name (the archive and hashing threads are named), sampled
// every 250 ms from /proc so that threads which end before the export returns are counted.
const threadCpu = new Map();
const sampleThreads = () => {
  try {
    for (const t of fs.readdirSync("/proc/self/task")) {
      try {
        const s = fs.readFileSync("/proc/self/task/" + t + "/stat", "utf8");
        const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
        const name = s.slice(s.indexOf("(") + 1, s.lastIndexOf(")"));
        threadCpu.set(t, { name, s: (Number(f[11]) + Number(f[12])) / 100 });
      } catch {}
    }
  } catch {}
};
sampleThreads();
const threads0 = new Map(threadCpu);
const threadSampler = setInterval(sampleThreads, 250);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let halfway = 0;
const r = await runExport(process.env.EXPORT_ID, {
  onProgress: (p) => { if (!halfway && p.done >= p.total / 2) halfway = peakNow(); },
});
const seconds = (performance.now() - t0) / 1000;
// CPU of every thread of the process (main, file reader, libuv pool): what load cannot inflate.
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
if (sampler) clearInterval(sampler);
if (collector) clearInterval(collector);
if (ticker) clearInterval(ticker);
clearInterval(threadSampler);
sampleThreads();
const threads = {};
for (const [t, { name, s }] of threadCpu) threads[name] = (threads[name] ?? 0) + s - (threads0.get(t)?.s ?? 0);
peak = peakNow();
process.stdout.write(JSON.stringify({ ...r, seconds, cpuSeconds, peak, startRss, halfway, timeline, threads, exact }) + "\\n");
process.exit(0);
`;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const mb = (n: number) => Math.round((n / 1e6) * 10) / 10;

export async function run(): Promise<BenchResult[]> {
  if (KEEP) mkdirSync(KEEP, { recursive: true });
  const work = KEEP ?? mkdtempSync(path.join(os.tmpdir(), "tandem-export-bench-"));
  const markerPath = path.join(work, "seeded.json");
  type Seeded = { pairs: number; projectId: string; exporterId: string; payloadBytes: number; seedS: number };
  const kept = existsSync(markerPath) ? (JSON.parse(readFileSync(markerPath, "utf8")) as Seeded) : null;
  if (kept && kept.pairs !== PAIRS)
    throw new Error(`${work} holds ${kept.pairs} seeded pairs, not ${PAIRS}: use another EXPORT_BENCH_KEEP folder`);
  const saved = {
    DATABASE_URL: process.env.DATABASE_URL,
    AUTH_SECRET: process.env.AUTH_SECRET,
    PSEUDONYM_KEY: process.env.PSEUDONYM_KEY,
  };
  const pg = await startEmbeddedPostgres({ dataDir: path.join(work, "pg"), database: "tandem_bench" });
  try {
    process.env.DATABASE_URL = pg.url;
    process.env.AUTH_SECRET ??= `bench-${randomUUID()}-${randomUUID()}`;
    process.env.PSEUDONYM_KEY ??= `bench-${randomUUID()}-${randomUUID()}`;
    await migrate(pg.url);
    // Imported only now: these modules reach the database through DATABASE_URL.
    const { db, closeDb } = await import("../lib/db/client");
    const { LocalStore } = await import("../lib/storage/local-store");
    const { setStoreForTests } = await import("../lib/storage/store");
    const { createUser } = await import("../lib/auth/mutations");
    const { createProject, addMember } = await import("../lib/projects/mutations");
    const { requestExport } = await import("../lib/exports/mutations");
    const { uuidv7 } = await import("../lib/db/uuid");
    try {
      const storeDir = path.join(work, "store");
      const store = new LocalStore(storeDir);
      setStoreForTests(store);
      // Seed: objects in the store, the same files hard-linked into a plain folder for tar (same
      // inodes, so both read the same bytes through the same page cache), rows by multi-row inserts.
      async function seed(): Promise<Seeded> {
        const admin = await createUser({
          email: "bench-admin@bench.local",
          name: "admin",
          password: "bench password 123",
          isAdmin: true,
        });
        const exporter = await createUser({
          email: "bench-exporter@bench.local",
          name: "exporter",
          password: "bench password 123",
        });
        const project = await createProject(
          { userId: admin.id, isAdmin: true },
          { name: "Export bench", slug: "export-bench" },
        );
        await addMember({ userId: admin.id, isAdmin: true }, project.id, {
          email: exporter.email,
          roles: ["EXPORTER"],
        });

        const t0 = performance.now();
        mkdirSync(path.join(plain, "Images"), { recursive: true });
        mkdirSync(path.join(plain, "Ground-truths"), { recursive: true });
        const fixtures = new Fixtures();
        const storeAndLink = async (key: string, bytes: Buffer, plainPath: string) => {
          await store.put(key, bytes);
          await link(path.join(storeDir, key), plainPath);
        };
        let payloadBytes = 0;
        const SEED_BATCH = 2000;
        for (let start = 0; start < PAIRS; start += SEED_BATCH) {
          const images: object[] = [];
          const masks: object[] = [];
          const gts: object[] = [];
          const writes: Promise<void>[] = [];
          for (let i = start; i < Math.min(PAIRS, start + SEED_BATCH); i++) {
            const image = fixtures.image(i);
            const { png: mask, sha256: maskSha, area, coco } = fixtures.mask(i);
            const imageId = uuidv7();
            const maskId = uuidv7();
            const imageKey = `projects/${project.id}/images/${imageId}/working.png`;
            const maskKey = `projects/${project.id}/masks/${maskId}.png`;
            const imageSha = sha(image);
            writes.push(
              storeAndLink(imageKey, image, path.join(plain, "Images", `${imageId}.png`)),
              storeAndLink(maskKey, mask, path.join(plain, "Ground-truths", `${imageId}.png`)),
            );
            payloadBytes += image.length + mask.length;
            images.push({
              id: imageId,
              projectId: project.id,
              originalName: `bench-${i}.png`,
              sourceFormat: "PNG",
              sha256: imageSha,
              pixelSha256: imageSha,
              workingSha256: imageSha,
              storageKey: imageKey,
              originalKey: imageKey,
              thumbKey: imageKey,
              width: SIZE,
              height: SIZE,
              bitDepth: 8,
              patientPseudonym: `P-BENCH${i % 5000}`,
              label: "COVID",
              sourceDataset: i % 2 ? "site-a" : "site-b",
              state: "ACCEPTED",
            });
            masks.push({
              id: maskId,
              projectId: project.id,
              imageId,
              kind: "MANUAL",
              storageKey: maskKey,
              sha256: maskSha,
              area,
              width: SIZE,
              height: SIZE,
              ...coco,
            });
            gts.push({
              projectId: project.id,
              imageId,
              maskId,
              decision: "CONSENSUS",
              sourceKind: "MANUAL",
              stage: "STAGE_I",
            });
          }
          await Promise.all(writes);
          await db().image.createMany({ data: images as never });
          await db().mask.createMany({ data: masks as never });
          await db().groundTruth.createMany({ data: gts as never });
          const done = Math.min(PAIRS, start + SEED_BATCH);
          process.stderr.write(
            `export bench: seeded ${done}/${PAIRS} pairs in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
          );
        }
        const seedS = (performance.now() - t0) / 1000;
        return { pairs: PAIRS, projectId: project.id, exporterId: exporter.id, payloadBytes, seedS };
      }
      const plain = path.join(work, "plain");
      const seeded = kept ?? (await seed());
      const { payloadBytes, seedS } = seeded;
      const project = { id: seeded.projectId };
      const exporter = { id: seeded.exporterId };
      if (!kept) writeFileSync(markerPath, JSON.stringify(seeded));

      // Export in a process of its own, as a worker would run it, sampling its resident set size;
      // then tar(1) over the same image and mask files, same disk, both from the page cache.
      // Alternated RUNS times.
      const load = loadNote();
      const flags = process.env.EXPORT_BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? [];
      const tarFile = path.join(work, "plain.tar");
      const runs: {
        exportS: number;
        exportCpuS: number;
        tarS: number;
        tarCpuS: number;
        hashedTarS: number;
        peak: number;
        baseline: number;
        halfway: number;
        pgCpuS: number;
        threads: Record<string, number>;
        exact: boolean;
        sizeBytes: number;
        fileCount: number;
        sha256: string;
      }[] = [];
      let tarBytes = 0;
      let hasher = "";
      // Both sides meet the files in the page cache: read once, untimed, before the first run
      // (else the first export met files evicted since the last bench and the tar after it found
      // them warm). Through a pipe: tar writing to /dev/null skips reading the files.
      const warm = spawnSync(
        "bash",
        ["-c", 'set -o pipefail; tar --hard-dereference -cf - -C "$1" . | cat > /dev/null', "warm", plain],
        { encoding: "utf8" },
      );
      if (warm.status !== 0) throw new Error(`reading the files failed: ${warm.stderr}`);
      for (let k = 0; k < RUNS; k++) {
        const { exportId } = await requestExport(
          { userId: exporter.id, isAdmin: false },
          project.id,
          {},
          { enqueue: false },
        );
        const pgDir = path.join(work, "pg");
        const pg0 = pgCpuMs(pgDir) ?? NaN;
        const child = spawnSync(
          process.execPath,
          [...flags, "--import", "./scripts/node-loader.mjs", "--input-type=module", "-e", EXPORT_CHILD],
          {
            cwd: CODE,
            env: {
              ...process.env,
              STORAGE_DRIVER: "local",
              STORAGE_DIR: storeDir,
              EXPORT_ID: exportId,
              RUN_EXPORT: pathToFileURL(path.join(CODE, "lib/exports/run-export.ts")).href,
              PG_CPU: pathToFileURL(path.resolve("bench/pg-cpu.ts")).href,
              PG_DATA: pgDir,
              TIMELINE: TIMELINE ? "1" : "",
            },
            encoding: "utf8",
            maxBuffer: 1 << 20,
          },
        );
        if (child.status !== 0) throw new Error(`export process failed: ${child.stderr.slice(-2000)}`);
        // The export's backends end with its connections: let the postmaster reap them (their CPU then counts).
        await new Promise((r) => setTimeout(r, 300));
        const pgCpuS = ((pgCpuMs(pgDir) ?? NaN) - pg0) / 1000;
        const result = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
          sizeBytes: number;
          fileCount: number;
          sha256: string;
          timeline: { rss: number; cpuS: number; pgS: number }[];
          threads: Record<string, number>;
          exact: boolean;
          seconds: number;
          cpuSeconds: number;
          peak: number;
          startRss: number;
          halfway: number;
        };
        if (TIMELINE)
          process.stderr.write(
            `export run ${k + 1}, CPU by thread ${JSON.stringify(result.threads)}; per second: ${result.timeline.map((t, i) => `${i + 1}s ${mb(t.rss)} MB, CPU ${t.cpuS.toFixed(2)} + db ${t.pgS.toFixed(2)} s`).join("; ")}\n`,
          );
        rmSync(path.join(storeDir, "projects", project.id, "exports"), { recursive: true, force: true });
        // tar through bash, whose `times` then prints the CPU its child used (user and system).
        const a0 = performance.now();
        const tar = spawnSync(
          "bash",
          ["-c", 'tar --hard-dereference -cf "$1" -C "$2" . && times', "tar", tarFile, plain],
          { encoding: "utf8" },
        );
        const tarS = (performance.now() - a0) / 1000;
        if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
        const tarCpuS = [...(tar.stdout.trim().split("\n").at(-1) ?? "").matchAll(/(\d+)m([\d.]+)s/g)]
          .map((m) => Number(m[1]) * 60 + Number(m[2]))
          .reduce((a, b) => a + b, 0);
        tarBytes = statSync(tarFile).size;
        rmSync(tarFile);
        // The same tar hashed as it is written, three processes in a pipe: the bare tools doing what
        // the export does with the files (an archive plus its SHA-256), for comparison.
        const h0 = performance.now();
        const hashedTar = spawnSync(
          "bash",
          [
            "-c",
            // OpenSSL's SHA-256 uses the CPU's SHA instructions, as the export's does; coreutils'
            // sha256sum (9.1) does not and takes about 7 times longer.
            'set -o pipefail; h=sha256sum; command -v openssl > /dev/null && h="openssl dgst -sha256"; tar --hard-dereference -cf - -C "$2" . | tee "$1" | $h > /dev/null; echo "$h"',
            "tar",
            tarFile,
            plain,
          ],
          { encoding: "utf8" },
        );
        const hashedTarS = (performance.now() - h0) / 1000;
        if (hashedTar.status !== 0) throw new Error(`tar | tee | sha256 failed: ${hashedTar.stderr}`);
        hasher = hashedTar.stdout.trim();
        rmSync(tarFile);
        runs.push({
          exportS: result.seconds,
          exportCpuS: result.cpuSeconds,
          tarS,
          tarCpuS,
          hashedTarS,
          peak: result.peak,
          baseline: result.startRss,
          halfway: result.halfway,
          pgCpuS,
          threads: result.threads,
          exact: result.exact,
          sizeBytes: result.sizeBytes,
          fileCount: result.fileCount,
          sha256: result.sha256,
        });
      }
      const col = <K extends keyof (typeof runs)[number]>(k: K) => runs.map((r) => r[k] as number);
      const exportS = median(col("exportS"));
      const tarS = median(col("tarS"));
      const ratios = runs.map((r) => r.tarS / r.exportS);
      const cpuRatios = runs.map((r) => r.tarCpuS / r.exportCpuS);
      const peak = Math.max(...col("peak"));
      const baseline = median(col("baseline"));
      const growth = runs.map((r) => r.peak - r.halfway);
      const result = { sizeBytes: runs[0].sizeBytes, fileCount: runs[0].fileCount };
      const shas = [...new Set(runs.map((r) => r.sha256))];

      const note = `${PAIRS} pairs ${SIZE}×${SIZE}, ${mb(payloadBytes)} MB of PNGs, seeded in ${seedS.toFixed(0)} s${kept ? " (kept from an earlier run)" : ""}, local store, ${os.cpus().length} CPUs${CODE === path.resolve(".") ? "" : `; export code from ${CODE}`}`;
      return [
        {
          name: "export throughput",
          value: Math.round(PAIRS / exportS),
          unit: "images/s",
          note: `${note}; ${spread(runs.map((r) => PAIRS / r.exportS))}; ${load} at start`,
        },
        {
          name: "export throughput",
          value: Math.round((result.sizeBytes / 1e6 / exportS) * 10) / 10,
          unit: "MB/s",
          note: `archive ${mb(result.sizeBytes)} MB, ${result.fileCount} files`,
        },
        { name: "export wall time", value: Math.round(exportS * 10) / 10, unit: "s", note: spread(col("exportS")) },
        {
          name: "export CPU time",
          value: Math.round(median(col("exportCpuS")) * 100) / 100,
          unit: "s",
          note: `all threads of the export process; ${spread(col("exportCpuS"))}; tar used ${median(col("tarCpuS")).toFixed(2)} s (${spread(col("tarCpuS"))})`,
        },
        {
          name: "export CPU by thread",
          value: Math.round(median(runs.map((r) => r.threads.MainThread ?? 0)) * 100) / 100,
          unit: "s main",
          note: `median per thread: ${[...new Set(runs.flatMap((r) => Object.keys(r.threads)))]
            .map((n) => `${n} ${median(runs.map((r) => r.threads[n] ?? 0)).toFixed(2)}`)
            .join(", ")} (from /proc, 10 ms ticks)`,
        },
        {
          name: "export database CPU time",
          value: Math.round(median(col("pgCpuS")) * 100) / 100,
          unit: "s",
          note: `PostgreSQL's processes during the export; ${spread(col("pgCpuS"))}`,
        },
        {
          name: "export peak RSS",
          value: mb(peak),
          unit: "MB",
          note: `highest of ${runs.length} runs (${col("peak").map(mb).join(", ")}; ${runs.every((r) => r.exact) ? "the kernel's peak, VmHWM" : "sampled every 20 ms"}); ${mb(baseline)} MB when the export started${flags.length ? `; node ${flags.join(" ")}` : ""}`,
        },
        {
          name: "export RSS growth, 2nd half",
          value: mb(median(growth)),
          unit: "MB",
          note: `peak RSS at the end minus at half-way, per run ${growth.map(mb).join(", ")}: flat means memory does not grow with the number of images`,
        },
        {
          name: "export archive SHA-256",
          value: shas.length,
          unit: "distinct",
          note: shas.join(", "),
        },
        {
          name: "tar -cf same files",
          value: Math.round(tarS * 100) / 100,
          unit: "s",
          note: `${mb(tarBytes)} MB, ${Math.round(PAIRS / tarS)} pairs/s; ${spread(col("tarS"))}`,
        },
        {
          name: "export throughput / tar throughput",
          value: Math.round(median(ratios) * 100) / 100,
          unit: "ratio",
          note: `target ≥ 0.80; per run ${ratios.map((r) => r.toFixed(2)).join(", ")}; ${spread(ratios)}; the export also writes COCO, CSV, manifest and hashes the archive`,
        },
        {
          name: "tar piped to tee and a SHA-256",
          value: Math.round(median(col("hashedTarS")) * 100) / 100,
          unit: "s",
          note: `the same files archived and hashed as they are written (tar -cf - piped to tee, which writes the file, and to ${hasher}), the export's file work done by the bare tools; ${spread(col("hashedTarS"))}`,
        },
        {
          name: "export throughput / hashed-tar throughput",
          value: Math.round(median(runs.map((r) => r.hashedTarS / r.exportS)) * 100) / 100,
          unit: "ratio",
          note: `per run ${runs.map((r) => (r.hashedTarS / r.exportS).toFixed(2)).join(", ")}; ${spread(runs.map((r) => r.hashedTarS / r.exportS))}: against the bare tools doing the export's file work (the target row compares with tar alone)`,
        },
        {
          name: "export / tar, by CPU time",
          value: Math.round(median(cpuRatios) * 100) / 100,
          unit: "ratio",
          note: `tar CPU ÷ export CPU per run ${cpuRatios.map((r) => r.toFixed(2)).join(", ")}: the same comparison with what a loaded machine cannot stretch`,
        },
      ];
    } finally {
      setStoreForTests(undefined);
      await closeDb();
    }
  } finally {
    if (KEEP) await pg.stop();
    else await pg.discard();
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    if (!KEEP) rmSync(work, { recursive: true, force: true });
  }
}
