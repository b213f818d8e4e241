// Import throughput: 1,000 generated 1024×1024 PNGs through the whole ingest path (hash,
// dedupe lookup, decode, re-encode, thumbnail, perceptual hash, three stored objects, one row),
// against a bare sharp decode+encode loop over the same files.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const COUNT = Number(process.env.IMPORT_BENCH_COUNT ?? 1000);
const SIZE = 1024;

/** A chest-film-like phantom: bright mediastinum, two darker lung fields, a vertical gradient. */
function phantom(): Float32Array {
  const out = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const u = x / SIZE, v = y / SIZE;
      const lung = (cx: number) => ((u - cx) / 0.17) ** 2 + ((v - 0.5) / 0.33) ** 2 < 1;
      out[y * SIZE + x] = u < 0.06 || u > 0.94 ? 8 : lung(0.3) || lung(0.7) ? 60 + 20 * v : 140 + 60 * v;
    }
  }
  return out;
}

/** Phantom + per-image shift + noise (seeded): no two files share bytes, so nothing dedupes. */
function pixels(base: Float32Array, seed: number): Buffer {
  const px = Buffer.alloc(SIZE * SIZE);
  let s = (seed * 2654435761) >>> 0 || 1;
  const shift = (seed % 40) - 20;
  for (let i = 0; i < px.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const v = base[i] + shift + ((s >>> 0) % 25) - 12;
    px[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return px;
}

async function generate(dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const base = phantom();
  let bytes = 0;
  for (let i = 0; i < COUNT; i++) {
    const png = await sharp(pixels(base, i + 1), { raw: { width: SIZE, height: SIZE, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
    writeFileSync(path.join(dir, `cxr-${String(i).padStart(5, "0")}.png`), png);
    bytes += png.length;
  }
  return bytes;
}

/** The floor: read, decode and re-encode each file with sharp, nothing else. */
async function bareSharpLoop(dir: string): Promise<number> {
  const t0 = performance.now();
  for (const f of readdirSync(dir).sort()) {
    await sharp(readFileSync(path.join(dir, f))).png({ compressionLevel: 6 }).toBuffer();
  }
  return (performance.now() - t0) / 1000;
}

export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-import-"));
  const saved = { ...process.env };
  const { startEmbeddedPostgres } = await import("../lib/db/embedded");
  const { migrate } = await import("../lib/db/migrate");
  const pg = await startEmbeddedPostgres({ dataDir: path.join(root, "pg"), database: "bench" });
  try {
    // Before any module that reads them is used.
    process.env.DATABASE_URL = pg.url;
    process.env.STORAGE_DIR = path.join(root, "storage");
    process.env.AUTH_SECRET ??= "bench-auth-secret-0123456789abcdefghijklmn";
    process.env.PSEUDONYM_KEY ??= "bench-pseudonym-key-0123456789abcdefghijkl";
    process.env.LOG_LEVEL = "warn";
    await migrate(pg.url);
    const { closeDb } = await import("../lib/db/client");
    const { setStoreForTests } = await import("../lib/storage/store");
    await closeDb();
    setStoreForTests(undefined);
    const { createUser } = await import("../lib/auth/mutations");
    const { createProject } = await import("../lib/projects/mutations");
    const { importFiles } = await import("../lib/imports/mutations");
    const { filesFromPath } = await import("../lib/imports/folder-source");

    const images = path.join(root, "images");
    const bytes = await generate(images);
    const admin = await createUser({ email: "bench@bench.local", name: "bench", password: "correct horse battery", isAdmin: true });
    const actor = { userId: admin.id, isAdmin: true };
    const project = await createProject(actor, { name: "Bench", slug: "bench-import" } as never);

    const t0 = performance.now();
    const batch = await importFiles(actor, project.id, filesFromPath(images, { maxFileBytes: 200 * 1024 * 1024 }), {});
    const importSeconds = (performance.now() - t0) / 1000;
    if (batch.imported !== COUNT) throw new Error(`imported ${batch.imported} of ${COUNT} (failed ${batch.failed}, duplicates ${batch.duplicates})`);
    const t1 = performance.now();
    const again = await importFiles(actor, project.id, filesFromPath(images, { maxFileBytes: 200 * 1024 * 1024 }), {});
    const resumeSeconds = (performance.now() - t1) / 1000;
    const sharpSeconds = await bareSharpLoop(images);
    await closeDb();
    setStoreForTests(undefined);

    const importRate = COUNT / importSeconds;
    const sharpRate = COUNT / sharpSeconds;
    const near = batch.report.files.filter((f) => f.nearDuplicateOf).length;
    const note = `${COUNT} PNGs ${SIZE}×${SIZE}, ${(bytes / COUNT / 1024).toFixed(0)} KiB each, concurrency 2, ${os.cpus().length} CPUs`;
    return [
      { name: "import throughput", value: importRate, unit: "images/s", note: `${note}; ${importSeconds.toFixed(1)} s; ${near} near-duplicate reports` },
      { name: "bare sharp decode+encode", value: sharpRate, unit: "images/s", note: `same files, sequential loop; ${sharpSeconds.toFixed(1)} s` },
      { name: "import ÷ bare sharp", value: importRate / sharpRate, unit: "ratio", note: "1.0 = ingest costs no more than one decode+encode" },
      { name: "re-run (all already in)", value: COUNT / resumeSeconds, unit: "files/s", note: `${again.duplicates} skipped by hash before decoding` },
    ];
  } finally {
    await pg.discard();
    for (const k of ["DATABASE_URL", "STORAGE_DIR", "AUTH_SECRET", "PSEUDONYM_KEY", "LOG_LEVEL"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(root, { recursive: true, force: true });
  }
}
