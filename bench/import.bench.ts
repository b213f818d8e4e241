// Import throughput: 1,000 generated 1024×1024 8-bit gray PNGs through the whole ingest path
// (hash, dedupe lookup, decode, the check that keeps a gray PNG's own image data as its working
// PNG instead of re-encoding it, thumbnail, perceptual hash, three stored objects, one row),
// against a bare sharp decode+encode loop over the same files, with the near-duplicates the
// import reported and the CPU time per image of both. Then 200 JPEG 2000 DICOMs of
// 2048×2048 (synthetic 12-bit chest films, encoded by GDCM) the same way, against a bare
// OpenJPEG decode loop.
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { loadNote, median, RUNS, spread } from "./repeat";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const COUNT = Number(process.env.IMPORT_BENCH_COUNT ?? 1000);
const SOURCE_DIR = process.env.IMPORT_BENCH_DIR;
const SIZE = 1024;
/** 0 leaves the JPEG 2000 part out (a quick PNG-only run). */
const J2K_COUNT = Number(process.env.IMPORT_BENCH_J2K_COUNT ?? 200);
const J2K_SIZE = 2048;
const J2K_FILMS = 10;
const J2K_DISTINCT = 20;
const J2K_LOSSLESS = "1.2.840.10008.1.2.4.90";
/** The bare-decoder floor is timed on this many of the files (it measures a rate). */
const BARE_J2K_COUNT = 50;

/**
 * COUNT chest X-rays from the synthetic generator as an archive holds them (lib/simulate,
 * `archive: true`: anatomy, framing, exposure, noise, labels and infection vary with the seed),
 * half COVID-19 and half control, written as 8-bit grayscale PNGs like real CXR exports, so
 * the near-duplicate check sees what real films look like rather than one phantom with noise.
 * The PNGs are kept under tmp/bench-cache between runs (generating 1024² films takes a while
 * here). With IMPORT_BENCH_DIR the first COUNT PNGs of that folder are used instead (real
 * films: e.g. ../shared/data/cxr-train/images, to compare the near-duplicate count).
 */
export async function generate(dir: string): Promise<{ bytes: number; source: string }> {
  mkdirSync(dir, { recursive: true });
  if (SOURCE_DIR) {
    const names = readdirSync(SOURCE_DIR)
      .filter((f) => f.endsWith(".png"))
      .sort()
      .slice(0, COUNT);
    if (names.length < COUNT) throw new Error(`${SOURCE_DIR} holds ${names.length} PNGs; ${COUNT} wanted`);
    let bytes = 0;
    for (const name of names) {
      const png = readFileSync(path.join(SOURCE_DIR, name));
      writeFileSync(path.join(dir, name), png);
      bytes += png.length;
    }
    return { bytes, source: `PNGs from ${SOURCE_DIR}` };
  }
  const cache = path.resolve(`tmp/bench-cache/cxr-${SIZE}-archive-gray-v2`);
  mkdirSync(cache, { recursive: true });
  const { generateCxr } = await import("../lib/simulate/synthetic-cxr");
  let bytes = 0;
  for (let i = 0; i < COUNT; i++) {
    const name = `cxr-${String(i).padStart(5, "0")}.png`;
    const cached = path.join(cache, name);
    if (!existsSync(cached)) {
      const cxr = generateCxr({
        seed: 7000 + i,
        width: SIZE,
        height: SIZE,
        label: i % 2 ? "covid" : "control",
        archive: true,
      });
      const png = await sharp(Buffer.from(cxr.pixels), { raw: { width: SIZE, height: SIZE, channels: 1 } })
        .toColourspace("b-w")
        .png({ compressionLevel: 6 })
        .toBuffer();
      writeFileSync(`${cached}.part`, png);
      renameSync(`${cached}.part`, cached);
    }
    const png = readFileSync(cached);
    writeFileSync(path.join(dir, name), png);
    bytes += png.length;
  }
  return { bytes, source: `synthetic CXR PNGs ${SIZE}×${SIZE}, 8-bit gray (lib/simulate, archive look)` };
}

function gdcmJ2k(src: string, out: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile("gdcmconv", ["--j2k", src, out], { timeout: 300_000 }, (err, _o, stderr) =>
      err
        ? reject(
            new Error(
              `gdcmconv --j2k failed (GDCM is installed by TANDEM_NEED_TEST_TOOLS=1 bash scripts/ensure-deps.sh): ${stderr || err.message}`,
            ),
          )
        : resolve(),
    ),
  );
}

/**
 * J2K_COUNT JPEG 2000 Lossless DICOMs of synthetic 12-bit chest films. GDCM encodes J2K_DISTINCT
 * of them (J2K_FILMS films, each image with its own seeded low bits); the J2K_COUNT files wrap
 * those codestreams in turn, each file with its own SOP Instance UID, so no two files share
 * bytes and every one is decoded in full. Encodings are kept under tmp/ between runs: on this
 * 2-core machine each takes seconds.
 */
async function generateJ2k(root: string): Promise<{ dir: string; bytes: number }> {
  const { cxrSource } = await import("../tests/setup/compressed-dicom");
  const { buildDicom, imageModule, nativePixels } = await import("../tests/unit/images/helpers/dicom-builder");
  const { scanDicomStructure } = await import("../lib/images/dicom/scan-structure");
  const ds = {
    ...imageModule({ rows: J2K_SIZE, columns: J2K_SIZE, bitsAllocated: 16, bitsStored: 12 }),
    "00080060": { vr: "CS", Value: ["DX"] },
  };
  const encodedDir = path.resolve(`tmp/bench-cache/j2k-${J2K_SIZE}-distinct`);
  const encoded = (i: number) => path.join(encodedDir, `cxr-${String(i).padStart(4, "0")}.dcm`);
  const missing = Array.from({ length: J2K_DISTINCT }, (_, i) => i).filter((i) => !existsSync(encoded(i)));
  if (missing.length) {
    mkdirSync(encodedDir, { recursive: true });
    const work = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-j2k-"));
    const films = Array.from({ length: J2K_FILMS }, (_, f) => cxrSource(J2K_SIZE, J2K_SIZE, 8, f + 1).samples);
    const worker = async () => {
      for (let i = missing.shift(); i !== undefined; i = missing.shift()) {
        const film = films[i % J2K_FILMS];
        const samples = new Uint16Array(film.length);
        let s = ((i + 1) * 2654435761) >>> 0 || 1;
        for (let k = 0; k < film.length; k++) {
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          samples[k] = film[k] * 16 + ((s >>> 0) & 15);
        }
        const src = path.join(work, `${i}.dcm`);
        writeFileSync(
          src,
          buildDicom(ds, { pixelData: nativePixels(samples, 16), sopInstanceUid: `2.25.${1000 + i}` }),
        );
        await gdcmJ2k(src, `${encoded(i)}.part`);
        renameSync(`${encoded(i)}.part`, encoded(i));
        rmSync(src);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const codestreams = Array.from({ length: J2K_DISTINCT }, (_, i) => {
    const bytes = readFileSync(encoded(i));
    const px = scanDicomStructure(bytes).pixelData;
    if (!px?.encapsulated || px.fragments.length !== 1)
      throw new Error(`${encoded(i)}: expected one JPEG 2000 fragment`);
    return bytes.subarray(px.fragments[0].offset, px.fragments[0].offset + px.fragments[0].length);
  });
  const dir = path.join(root, "j2k");
  mkdirSync(dir);
  let bytes = 0;
  for (let i = 0; i < J2K_COUNT; i++) {
    const file = buildDicom(ds, {
      transferSyntaxUid: J2K_LOSSLESS,
      pixelData: [codestreams[i % J2K_DISTINCT]],
      sopInstanceUid: `2.25.${5000 + i}`,
    });
    writeFileSync(path.join(dir, `cxr-${String(i).padStart(4, "0")}.dcm`), file);
    bytes += file.length;
  }
  return { dir, bytes };
}

/** The floor for JPEG 2000: OpenJPEG decoding each file's frame, nothing else. */
async function bareOpenJpegLoop(dir: string): Promise<number> {
  const { scanDicomStructure } = await import("../lib/images/dicom/scan-structure");
  const { wasmDecoder } = await import("../lib/images/dicom/codecs/wasm-codecs");
  const Decoder = await wasmDecoder("jpeg2000");
  const t0 = performance.now();
  for (const f of readdirSync(dir).sort().slice(0, BARE_J2K_COUNT)) {
    const bytes = readFileSync(path.join(dir, f));
    const px = scanDicomStructure(bytes).pixelData;
    if (!px?.encapsulated) throw new Error(`${f}: not encapsulated`);
    const frag = px.fragments[0];
    const d = new Decoder();
    d.getEncodedBuffer(frag.length).set(bytes.subarray(frag.offset, frag.offset + frag.length));
    d.decode();
    d.delete();
  }
  return (performance.now() - t0) / 1000;
}

/** The floor: read, decode and re-encode each file with sharp, nothing else. */
async function bareSharpLoop(dir: string): Promise<number> {
  const t0 = performance.now();
  for (const f of readdirSync(dir).sort()) {
    await sharp(readFileSync(path.join(dir, f)))
      .png({ compressionLevel: 6 })
      .toBuffer();
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
    const { bytes, source } = await generate(images);
    const admin = await createUser({
      email: "bench@bench.local",
      name: "bench",
      password: "correct horse battery",
      isAdmin: true,
    });
    const actor = { userId: admin.id, isAdmin: true };
    const project = await createProject(actor, { name: "Bench", slug: "bench-import" } as never);

    // Import into a fresh project and time the bare loop, alternated RUNS times (same load for
    // both). CPU time (this process, all its threads) is taken beside wall time: on a loaded
    // machine it says more about the work done than the wall clock does.
    const loadAtStart = loadNote();
    const importRuns: number[] = [];
    const sharpRuns: number[] = [];
    const importCpu: number[] = [];
    const sharpCpu: number[] = [];
    const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
    let batch!: Awaited<ReturnType<typeof importFiles>>;
    let firstProject = "";
    for (let k = 0; k < RUNS; k++) {
      const p = await createProject(actor, { name: `Bench ${k}`, slug: `bench-import-${k}` } as never);
      firstProject ||= p.id;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const b = await importFiles(actor, p.id, filesFromPath(images, { maxFileBytes: 200 * 1024 * 1024 }), {});
      importRuns.push((performance.now() - t0) / 1000);
      importCpu.push(cpuSeconds(process.cpuUsage(c0)));
      if (b.imported !== COUNT)
        throw new Error(`imported ${b.imported} of ${COUNT} (failed ${b.failed}, duplicates ${b.duplicates})`);
      batch ??= b;
      const c1 = process.cpuUsage();
      sharpRuns.push(await bareSharpLoop(images));
      sharpCpu.push(cpuSeconds(process.cpuUsage(c1)));
    }
    const loadAtEnd = loadNote();
    const importSeconds = median(importRuns);
    const sharpSeconds = median(sharpRuns);
    const t1 = performance.now();
    const again = await importFiles(
      actor,
      firstProject,
      filesFromPath(images, { maxFileBytes: 200 * 1024 * 1024 }),
      {},
    );
    const resumeSeconds = (performance.now() - t1) / 1000;

    const importRate = COUNT / importSeconds;
    const sharpRate = COUNT / sharpSeconds;
    const near = batch.report.files.filter((f) => f.nearDuplicateOf).length;
    const note = `${COUNT} ${source}, ${(bytes / COUNT / 1024).toFixed(0)} KiB each, concurrency 2, ${os.cpus().length} CPUs`;
    const ratios = importRuns.map((t, k) => sharpRuns[k] / t);
    const msPerImage = (xs: number[]) => `${((median(xs) * 1000) / COUNT).toFixed(1)} ms CPU/image`;
    const rows: BenchResult[] = [
      {
        name: "import throughput",
        value: importRate,
        unit: "images/s",
        note: `${note}; ${spread(importRuns.map((t) => COUNT / t))}; ${msPerImage(importCpu)} (the database server's not counted)`,
      },
      {
        name: "bare sharp decode+encode",
        value: sharpRate,
        unit: "images/s",
        note: `same files, sequential loop; ${spread(sharpRuns.map((t) => COUNT / t))}; ${msPerImage(sharpCpu)}`,
      },
      {
        name: "import ÷ bare sharp",
        value: median(ratios),
        unit: "ratio",
        note: `target ≥ 0.80; per run ${ratios.map((r) => r.toFixed(2)).join(", ")}; ${near} of ${COUNT} reported as near-duplicates; ${loadAtStart} at start, ${loadAtEnd} at end`,
      },
      {
        name: "re-run (all already in)",
        value: COUNT / resumeSeconds,
        unit: "files/s",
        note: `${again.duplicates} skipped by hash before decoding`,
      },
    ];
    if (J2K_COUNT > 0) {
      const j2k = await generateJ2k(root);
      const j2kProject = await createProject(actor, { name: "Bench J2K", slug: "bench-import-j2k" } as never);
      const t2 = performance.now();
      const j2kBatch = await importFiles(
        actor,
        j2kProject.id,
        filesFromPath(j2k.dir, { maxFileBytes: 200 * 1024 * 1024 }),
        {},
      );
      const j2kSeconds = (performance.now() - t2) / 1000;
      if (j2kBatch.imported !== J2K_COUNT) {
        const why = j2kBatch.report.files.find((f) => f.status === "failed")?.reason;
        throw new Error(`imported ${j2kBatch.imported} of ${J2K_COUNT} JPEG 2000 files${why ? `: ${why}` : ""}`);
      }
      const openJpegSeconds = await bareOpenJpegLoop(j2k.dir);
      const bareJ2k = Math.min(J2K_COUNT, BARE_J2K_COUNT);
      rows.push(
        {
          name: "import throughput, JPEG 2000 DICOM",
          value: J2K_COUNT / j2kSeconds,
          unit: "images/s",
          note: `${J2K_COUNT} JPEG 2000 Lossless DICOMs ${J2K_SIZE}×${J2K_SIZE} 12-bit (${J2K_DISTINCT} distinct codestreams), ${(j2k.bytes / J2K_COUNT / 1024).toFixed(0)} KiB each, concurrency 2; ${j2kSeconds.toFixed(1)} s`,
        },
        {
          name: "bare OpenJPEG decode",
          value: bareJ2k / openJpegSeconds,
          unit: "images/s",
          note: `first ${bareJ2k} of the same files, sequential loop; ${openJpegSeconds.toFixed(1)} s`,
        },
        {
          name: "JPEG 2000 import ÷ bare decode",
          value: J2K_COUNT / j2kSeconds / (bareJ2k / openJpegSeconds),
          unit: "ratio",
          note: "1.0 = ingest costs no more than the OpenJPEG decode",
        },
      );
    }
    await closeDb();
    setStoreForTests(undefined);
    return rows;
  } finally {
    await pg.discard();
    for (const k of ["DATABASE_URL", "STORAGE_DIR", "AUTH_SECRET", "PSEUDONYM_KEY", "LOG_LEVEL"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(root, { recursive: true, force: true });
  }
}
