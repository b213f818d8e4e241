import { execFile, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { loadModel, modelInputSize, predictBatch, type Model } from "../lib/ml/onnx-model";
import { occlusionMap } from "../lib/ml/activation-maps";
import { classifyBatch, loadClassifier } from "../lib/ml/classifier-model";
import { pilResizeBilinear } from "../lib/ml/pil-resize";
import { networkInput } from "../lib/ml/prepare-input";
import { testPixels } from "../tests/setup/synthetic-images";
import { int8Agreement } from "../lib/ml/int8-calibration";
import { quantizeOnnx } from "../workers/int8-model";
import { loadNote, median, RUNS, spread } from "./repeat";

// Inference: U-Net/DenseNet-121 at 224² (random initialisation: speed does not depend on the
// weights), onnxruntime-node against PyTorch on the same weights in the same run, then a whole
// prediction job over N stored images against a bare session loop over the same images.
// Classifiers (BENCH_CLASSIFIERS, default resnet18,squeezenet1_1): ms/image and occlusion-map time.
// BENCH_RUNS paired runs (PyTorch, then onnxruntime float and int8 on the same weights) give each
// ratio's median and range; BENCH_INFER_ITERS calls per figure and run. BENCH_PREDICT_IMAGES=0 skips
// the prediction job; BENCH_INT8_MODEL (+ BENCH_INT8_CALIBRATION, BENCH_INT8_IMAGES) adds the int8
// agreement of a trained model.

type Row = { name: string; value: number; unit: string; note?: string };

const SIZE = 224;
const THREADS = Number(process.env.BENCH_THREADS ?? os.availableParallelism());
const ITERS = Number(process.env.BENCH_INFER_ITERS ?? 3);
const JOB_IMAGES = Number(process.env.BENCH_PREDICT_IMAGES ?? 1000);
const NATIVE = Number(process.env.BENCH_NATIVE_SIZE ?? 512);
const BATCH = 8;

/**
 * CPU seconds used so far by this process (all its threads: JS, the inference thread,
 * onnxruntime's pool, libuv) and by the PostgreSQL server under pgDir (postmaster and backends).
 * On a shared machine wall time swings with the neighbours' load; CPU time per image does not.
 */
function cpuSeconds(pgDir: string): number {
  const own = process.cpuUsage();
  let ticks = 0;
  const postmaster = Number(readFileSync(path.join(pgDir, "postmaster.pid"), "utf8").split("\n")[0]);
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
        .replace(/^.*\) /, "")
        .split(" ");
      // After "pid (comm) ": state is field 0, ppid 1, utime 11, stime 12, and the reaped children's 13, 14.
      if (Number(pid) === postmaster)
        ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      else if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return (own.user + own.system) / 1e6 + ticks / CLK_TCK;
}

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

type PyResult = {
  onnx: string;
  sha256: string;
  threads: number;
  torch: string;
  ms_per_image: Record<string, number>;
  constant_input_mean_prob: number;
};

async function pytorch(dir: string): Promise<PyResult> {
  const args = [
    "bench_infer.py",
    "--out",
    dir,
    "--size",
    String(SIZE),
    "--batches",
    `1,${BATCH}`,
    "--iters",
    String(ITERS),
    "--warmup",
    "1",
    "--threads",
    String(THREADS),
  ];
  const { stdout } = await promisify(execFile)(process.env.PYTHON ?? "/usr/bin/python3", args, {
    cwd: path.resolve("workers/trainer"),
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as PyResult;
}

async function ortMsPerImage(model: Model, batch: number): Promise<number> {
  const inputs = Array.from({ length: batch }, (_, i) =>
    pilResizeBilinear(testPixels(256, 256, i), 256, 256, SIZE, SIZE),
  );
  await predictBatch(model, inputs);
  const times: number[] = [];
  for (let i = 0; i < ITERS; i++) {
    const t = performance.now();
    await predictBatch(model, inputs);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] / batch;
}

/**
 * The opt-in int8 model of the same network (calibrated on 8 images, checked on 8 others), made
 * once: every run exports the same seeded weights (checked by their sha256).
 */
async function int8Model(onnxPath: string, float: Model) {
  const images = (from: number) =>
    Array.from({ length: 8 }, (_, i) => pilResizeBilinear(testPixels(256, 256, from + i), 256, 256, SIZE, SIZE));
  const q = await quantizeOnnx(onnxPath, images(100), SIZE);
  process.env.ORT_SPIN = "1"; // as the float session compared with PyTorch
  const int8 = await loadModel(q.bytes, SIZE);
  delete process.env.ORT_SPIN;
  const agreement = await int8Agreement(float, int8, images(200));
  return { int8, q, agreement };
}

/**
 * int8 agreement on a trained model (random weights say nothing about it): BENCH_INT8_MODEL=<a
 * trained float model.onnx>, calibrated as the prediction job does on 16 images of
 * BENCH_INT8_CALIBRATION (a folder of PNGs, e.g. training images) and compared on up to 60 of
 * BENCH_INT8_IMAGES (other PNGs).
 */
export async function trainedInt8Rows(): Promise<Row[]> {
  const file = process.env.BENCH_INT8_MODEL;
  if (!file) return [];
  const float = await loadModel(readFileSync(file), 0);
  const size = modelInputSize(float);
  if (!size) throw new Error(`${file} has no fixed square input size`);
  float.size = size;
  const pngs = (dir: string | undefined, n: number) => {
    if (!dir) throw new Error("BENCH_INT8_MODEL needs BENCH_INT8_CALIBRATION and BENCH_INT8_IMAGES (folders of PNGs)");
    const all = readdirSync(dir)
      .filter((f) => f.endsWith(".png"))
      .sort();
    const step = Math.max(1, Math.floor(all.length / n));
    return Promise.all(
      all
        .filter((_, i) => i % step === 0)
        .slice(0, n)
        .map(async (f) => (await networkInput(readFileSync(path.join(dir, f)), size)).pixels),
    );
  };
  const q = await quantizeOnnx(file, await pngs(process.env.BENCH_INT8_CALIBRATION, 16), size);
  const int8 = await loadModel(q.bytes, size);
  const a = await int8Agreement(float, int8, await pngs(process.env.BENCH_INT8_IMAGES, 60));
  await Promise.all([float.session.release(), int8.session.release()]);
  return [
    {
      name: `int8 masks vs float masks, trained model (${path.basename(path.dirname(file))}/${path.basename(file)}, ${size}²)`,
      value: 100 * a.pixelAgreement,
      unit: "% pixels",
      note: `target ≥ 99.9; ${a.images} images; mean Dice ${a.meanDice.toFixed(4)} (min ${a.minDice.toFixed(3)}); max |Δp| ${a.maxProbabilityDifference.toFixed(3)}; ${q.convolutions} convolutions quantised, ${q.keptFloat} nearest the input kept float`,
    },
  ];
}

/** One measurement of every figure the ratios need, PyTorch first, then onnxruntime on the same weights. */
type Run = { t1: number; t8: number; o1: number; o8: number; n1: number; n8: number; i1: number; i8: number };

const CLASSIFIERS = (process.env.BENCH_CLASSIFIERS ?? "resnet18,squeezenet1_1").split(",").filter(Boolean);

/** Deep-COVID classifiers at 224² (trainer export, random init): ms/image and one occlusion map's time. */
async function classifierRows(work: string, segmentationMs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const arch of CLASSIFIERS) {
    const dir = path.join(work, `cls-${arch}`);
    execFileSync("mkdir", ["-p", dir]);
    await promisify(execFile)(
      process.env.PYTHON ?? "/usr/bin/python3",
      ["-m", "tools.classifier_case", arch, String(SIZE), dir],
      { cwd: path.resolve("workers/trainer") },
    );
    const model = await loadClassifier(readFileSync(path.join(dir, "model.onnx")), SIZE);
    const inputs = Array.from({ length: BATCH }, (_, i) =>
      pilResizeBilinear(testPixels(256, 256, i), 256, 256, SIZE, SIZE),
    );
    const median = async (fn: () => Promise<unknown>) => {
      await fn();
      const times: number[] = [];
      for (let i = 0; i < ITERS; i++) {
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
    };
    const one = await median(() => classifyBatch(model, [inputs[0]]));
    const eight = (await median(() => classifyBatch(model, inputs))) / BATCH;
    let runs = 0;
    const occlusion = await median(async () => (runs = (await occlusionMap(model, inputs[0])).runs));
    rows.push(
      {
        name: `${arch} classifier 224², batch 1: onnxruntime-node (prob + CAM)`,
        value: one,
        unit: "ms/image",
        note: `U-Net/DenseNet-121 in the same run: ${segmentationMs.toFixed(1)} ms/image`,
      },
      { name: `${arch} classifier 224², batch ${BATCH}: onnxruntime-node`, value: eight, unit: "ms/image" },
      {
        name: `${arch} occlusion map per image (${runs} runs, batches of 16)`,
        value: occlusion,
        unit: "ms/image",
        note: `${(occlusion / one).toFixed(1)}× one classification`,
      },
    );
  }
  return rows;
}

const PROFILE_IMAGES = 16;

/**
 * Where a predicted image's CPU goes: the job's own functions run one stage at a time over the
 * first PROFILE_IMAGES images (CPU of this process, its threads and PostgreSQL), per image.
 * Inference is the bare batch-of-8 session; the rest is what the job adds around it.
 */
async function stageProfile(
  images: { id: string; projectId: string; storageKey: string; width: number; height: number }[],
  run: { id: string; projectId: string; roundId: string | null },
  model: Model,
  pgDir: string,
): Promise<{ stage: string; ms: number }[]> {
  const { store } = await import("../lib/storage/store");
  const { networkInput } = await import("../lib/ml/prepare-input");
  const { encodeProbabilityPng } = await import("../lib/ml/probability-png");
  const { toNativeMask } = await import("../lib/ml/to-native-mask");
  const { encodeMaskPng } = await import("../lib/masks/png-codec");
  const { cocoSummary } = await import("../lib/masks/rle");
  const { storeMask } = await import("../lib/masks/mutations");
  const { registerStoredPredictions } = await import("../lib/protocol/mutations");
  const { createHash } = await import("node:crypto");
  const sample = images.slice(0, PROFILE_IMAGES);
  const cpu = new Map<string, number>();
  // This process's CPU for the stages in Node; PostgreSQL's as well for the database stage only
  // (reading it walks /proc, which costs milliseconds of its own: that cost is taken off).
  const own = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const c0 = cpuSeconds(pgDir);
  const walk = cpuSeconds(pgDir) - c0;
  const timed = async <T>(stage: string, f: () => Promise<T> | T, clock = own, overhead = 0): Promise<T> => {
    const c = clock();
    const out = await f();
    cpu.set(stage, (cpu.get(stage) ?? 0) + clock() - c - overhead);
    return out;
  };
  for (let i = 0; i < sample.length; i += BATCH) {
    const batch = sample.slice(i, i + BATCH);
    const pngs: Buffer[] = [];
    for (const img of batch) pngs.push(await timed("fetch (store get)", () => store().get(img.storageKey)));
    const inputs: Awaited<ReturnType<typeof networkInput>>[] = [];
    for (const png of pngs) inputs.push(await timed("decode + resize to 224²", () => networkInput(png, SIZE)));
    const maps = await timed("inference (bare session, batch 8)", () =>
      predictBatch(
        model,
        inputs.map((x) => x.pixels),
      ),
    );
    const rows: Awaited<ReturnType<typeof storeMask>>[] = [];
    for (const [b, img] of batch.entries()) {
      const probPng = await timed("probability PNG", () => encodeProbabilityPng(maps[b], SIZE, SIZE));
      const mask = await timed("upsample + threshold to native size", () =>
        toNativeMask(maps[b], SIZE, img.width, img.height),
      );
      const png = await timed("mask PNG", () => encodeMaskPng(mask, img.width, img.height));
      await timed("COCO RLE, bbox, area", () => cocoSummary(mask, img.width, img.height));
      await timed("SHA-256", () => createHash("sha256").update(png).digest("hex"));
      const probKey = `projects/${img.projectId}/runs/${run.id}/prob/${img.id}.png`;
      await timed("store puts (2 files)", async () => {
        await store().put(probKey, probPng);
        await store().put(`projects/${img.projectId}/runs/${run.id}/profile/${img.id}.png`, png);
      });
      rows.push(
        await storeMask({
          projectId: run.projectId,
          imageId: img.id,
          kind: "MACHINE",
          mask,
          width: img.width,
          height: img.height,
          modelRunId: run.id,
          roundId: run.roundId,
          probKey,
        }),
      );
    }
    await timed(
      "database (one statement per batch; PostgreSQL included)",
      () => registerStoredPredictions(run, rows),
      () => cpuSeconds(pgDir),
      walk,
    );
  }
  return [...cpu].map(([stage, s]) => ({ stage, ms: (1000 * s) / sample.length }));
}

/** Seeds N working PNGs and a trained Stage-II run, runs the predict job's chunks, and times them. */
export async function predictJob(work: string, pgDir: string, onnx: Buffer, sha256: string) {
  const { db, closeDb } = await import("../lib/db/client");
  const { LocalStore } = await import("../lib/storage/local-store");
  const { setStoreForTests } = await import("../lib/storage/store");
  const { uuidv7 } = await import("../lib/db/uuid");
  const { PREDICT_CHUNK } = await import("../lib/protocol/types");
  const { predictHandler } = await import("../workers/handlers/predict");
  try {
    const store = new LocalStore(path.join(work, "store"));
    setStoreForTests(store);
    const project = await db().project.create({
      data: {
        name: "Inference bench",
        slug: `bench-${randomUUID().slice(0, 8)}`,
        stage1Archs: [],
        stage2Networks: [],
        trainConfig: {},
      },
    });
    const inputs: Uint8Array[] = [];
    const rows: object[] = [];
    for (let i = 0; i < JOB_IMAGES; i++) {
      const px = testPixels(NATIVE, NATIVE, i);
      inputs.push(pilResizeBilinear(px, NATIVE, NATIVE, SIZE, SIZE));
      const id = uuidv7();
      const storageKey = `projects/${project.id}/images/${id}/working.png`;
      await store.put(
        storageKey,
        await sharp(Buffer.from(px), { raw: { width: NATIVE, height: NATIVE, channels: 1 } })
          .png()
          .toBuffer(),
      );
      rows.push({
        id,
        projectId: project.id,
        originalName: `bench-${i}.png`,
        sourceFormat: "PNG",
        sha256: `${i}`,
        pixelSha256: `${i}`,
        storageKey,
        originalKey: storageKey,
        thumbKey: storageKey,
        width: NATIVE,
        height: NATIVE,
        bitDepth: 8,
        label: "COVID",
        state: "AWAITING_CANDIDATES",
      });
    }
    await db().image.createMany({ data: rows as never });
    const round = await db().round.create({
      data: { projectId: project.id, number: 1, stage: "STAGE_II", status: "TRAINING" },
    });
    const artifactKey = `projects/${project.id}/runs/model.onnx`;
    await store.put(artifactKey, onnx);
    const newRun = (roundId: string | null) =>
      db().modelRun.create({
        data: {
          projectId: project.id,
          roundId,
          arch: "unet",
          encoder: "densenet121",
          fold: null,
          status: "SUCCEEDED",
          artifactKey,
          weightsSha256: sha256,
          config: { size: SIZE, epochs: 1, batchSize: BATCH, lr: 1e-4, freezeEncoder: false, pretrained: null },
        },
      });

    // The bare loop: the same images, already resized in memory, straight through one session.
    // Timed before and after each job, so a machine getting busier or quieter meanwhile evens out.
    const model = await loadModel(onnx, SIZE);
    await predictBatch(model, inputs.slice(0, BATCH));
    const bare = async () => {
      const t = performance.now(),
        c = cpuSeconds(pgDir);
      for (let i = 0; i < inputs.length; i += BATCH) await predictBatch(model, inputs.slice(i, i + BATCH));
      return { s: (performance.now() - t) / 1000, cpu: cpuSeconds(pgDir) - c };
    };
    // Each repetition predicts the same images for a new run (the first also loads the job's
    // model onto its inference thread, as a worker's first chunk does).
    const runs: {
      jobS: number;
      jobCpu: number;
      bareS: number;
      bareCpu: number;
      bareBefore: number;
      bareAfter: number;
    }[] = [];
    let before = await bare();
    for (let r = 0; r < RUNS; r++) {
      const run = await newRun(round.id);
      const chunks = Math.ceil(JOB_IMAGES / PREDICT_CHUNK);
      const j0 = performance.now(),
        c0 = cpuSeconds(pgDir);
      for (let chunk = 0; chunk < chunks; chunk++) {
        await predictHandler({
          jobId: randomUUID(),
          attempt: 1,
          payload: { runId: run.id, chunk, chunks },
          signal: new AbortController().signal,
          progress: async () => {},
        });
      }
      const jobS = (performance.now() - j0) / 1000;
      const jobCpu = cpuSeconds(pgDir) - c0;
      const after = await bare();
      runs.push({
        jobS,
        jobCpu,
        bareS: (before.s + after.s) / 2,
        bareCpu: (before.cpu + after.cpu) / 2,
        bareBefore: before.s,
        bareAfter: after.s,
      });
      before = after;
      const masks = await db().mask.count({ where: { modelRunId: run.id } });
      const candidates = await db().candidate.count({ where: { roundId: round.id } });
      if (masks !== JOB_IMAGES || candidates !== (r + 1) * JOB_IMAGES)
        throw new Error(`the job stored ${masks} masks and ${candidates} candidates in all for ${JOB_IMAGES} images`);
    }
    const stages = await stageProfile(
      rows.map((r) => r as { id: string; projectId: string; storageKey: string; width: number; height: number }),
      await newRun(null),
      model,
      pgDir,
    );
    await model.session.release();
    return { runs, stages };
  } finally {
    setStoreForTests(undefined);
    await closeDb();
  }
}

export async function run(): Promise<Row[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), "tandem-inference-bench-"));
  const saved = {
    DATABASE_URL: process.env.DATABASE_URL,
    ORT_THREADS: process.env.ORT_THREADS,
    ORT_SPIN: process.env.ORT_SPIN,
  };
  process.env.ORT_THREADS = String(THREADS);
  const load = loadNote();
  try {
    // Each of the RUNS runs times PyTorch (a fresh process exporting the same seeded weights), then
    // onnxruntime float and int8 on them, so a ratio pairs figures taken under the same load.
    // Against PyTorch the sessions keep onnxruntime's default of spinning idle pool threads, as
    // PyTorch's OpenMP threads do; the prediction job turns spinning off (its CPU goes to decoding
    // and encoding between batches), measured as well.
    const timed: Run[] = [];
    let first: { py: PyResult; model: Model; quiet: Model; int8: Awaited<ReturnType<typeof int8Model>> } | undefined;
    for (let r = 0; r < RUNS; r++) {
      const py = await pytorch(work);
      if (!first) {
        const onnx = readFileSync(py.onnx);
        process.env.ORT_SPIN = "1";
        const model = await loadModel(onnx, SIZE);
        delete process.env.ORT_SPIN;
        first = { py, model, quiet: await loadModel(onnx, SIZE), int8: await int8Model(py.onnx, model) };
      } else if (py.sha256 !== first.py.sha256) throw new Error("bench_infer.py exported other weights on a later run");
      const { model, quiet, int8 } = first;
      timed.push({
        t1: py.ms_per_image["1"],
        t8: py.ms_per_image[String(BATCH)],
        o1: await ortMsPerImage(model, 1),
        o8: await ortMsPerImage(model, BATCH),
        n1: await ortMsPerImage(quiet, 1),
        n8: await ortMsPerImage(quiet, BATCH),
        i1: await ortMsPerImage(int8.int8, 1),
        i8: await ortMsPerImage(int8.int8, BATCH),
      });
    }
    if (!first) throw new Error("no run");
    const { py, model } = first;
    await first.quiet.session.release();
    await first.int8.int8.session.release();
    const onnx = readFileSync(py.onnx);
    const [constant] = await predictBatch(model, [new Uint8Array(SIZE * SIZE).fill(128)]);
    const meanProb = constant.reduce((a, b) => a + b, 0) / constant.length;
    const of = (f: (r: Run) => number) => timed.map(f);
    const at = (f: (r: Run) => number) => ({ value: median(of(f)), spread: spread(of(f)) });
    const ort1 = median(of((r) => r.o1));
    const cpu = `CPU, ${THREADS} threads each; random init; each run the median of ${ITERS} calls; ${load} at start`;
    const msRow = (name: string, f: (r: Run) => number, note: string): Row => {
      const m = at(f);
      return { name, value: m.value, unit: "ms/image", note: note ? `${m.spread}; ${note}` : m.spread };
    };
    const ratioRow = (name: string, f: (r: Run) => number, note: string): Row => {
      const m = at(f);
      return { name, value: m.value, unit: "ratio", note: `target ≤ 0.40; ${m.spread}${note ? `; ${note}` : ""}` };
    };
    const { q, agreement } = first.int8;
    const agree = `int8 masks vs float on 8 other images: ${(100 * agreement.pixelAgreement).toFixed(2)}% of pixels, max |Δp| ${agreement.maxProbabilityDifference.toFixed(3)} (random weights: a check of the arithmetic; a trained run's agreement is measured by the prediction job)`;
    const rows: Row[] = [
      msRow("U-Net/DenseNet-121 224², batch 1: onnxruntime-node", (r) => r.o1, cpu),
      msRow("U-Net/DenseNet-121 224², batch 1: PyTorch", (r) => r.t1, `torch ${py.torch}, same weights`),
      msRow(`U-Net/DenseNet-121 224², batch ${BATCH}: onnxruntime-node`, (r) => r.o8, cpu),
      msRow(`U-Net/DenseNet-121 224², batch ${BATCH}: PyTorch`, (r) => r.t8, `torch ${py.torch}, same weights`),
      msRow(
        "U-Net/DenseNet-121 224², batch 1: onnxruntime-node without thread spinning (the job's setting)",
        (r) => r.n1,
        `batch ${BATCH}: ${median(of((r) => r.n8)).toFixed(1)} ms/image`,
      ),
      ratioRow("onnxruntime-node ms/image ÷ PyTorch ms/image, batch 1", (r) => r.o1 / r.t1, ""),
      ratioRow(`onnxruntime-node ms/image ÷ PyTorch ms/image, batch ${BATCH}`, (r) => r.o8 / r.t8, ""),
      {
        name: `onnxruntime-node speed-up over PyTorch, batch 1 / ${BATCH}`,
        value: median(of((r) => r.t1 / r.o1)),
        unit: "×",
        note: `batch ${BATCH}: ${median(of((r) => r.t8 / r.o8)).toFixed(2)}×; same weights check: mean p on a uniform 128/255 input differs by ${Math.abs(meanProb - py.constant_input_mean_prob).toExponential(1)}`,
      },
      msRow(
        "U-Net/DenseNet-121 224², batch 1: onnxruntime-node int8 (opt-in)",
        (r) => r.i1,
        `${q.convolutions} convolutions quantised, ${q.keptFloat} nearest the input kept float; ${(q.bytes.length / 1e6).toFixed(1)} MB`,
      ),
      msRow(`U-Net/DenseNet-121 224², batch ${BATCH}: onnxruntime-node int8`, (r) => r.i8, ""),
      ratioRow("onnxruntime-node int8 ÷ PyTorch float, batch 1", (r) => r.i1 / r.t1, ""),
      ratioRow(`onnxruntime-node int8 ÷ PyTorch float, batch ${BATCH}`, (r) => r.i8 / r.t8, agree),
    ];
    rows.push(...(await trainedInt8Rows()));
    rows.push(...(await classifierRows(work, ort1)));
    if (JOB_IMAGES === 0) return rows; // BENCH_PREDICT_IMAGES=0: inference rows only
    const pg = await startEmbeddedPostgres({ dataDir: path.join(work, "pg"), database: "tandem_bench" });
    try {
      process.env.DATABASE_URL = pg.url;
      await migrate(pg.url);
      const { runs, stages } = await predictJob(
        work,
        pg.dataDir, // not always work/pg: a data folder the database user cannot reach is moved
        onnx,
        py.sha256,
      );
      const what = `${JOB_IMAGES} ${NATIVE}² PNGs, batch ${BATCH}`;
      const jobRate = runs.map((r) => JOB_IMAGES / r.jobS),
        bareRate = runs.map((r) => JOB_IMAGES / r.bareS),
        wallRatio = runs.map((r) => r.bareS / r.jobS),
        cpuRatio = runs.map((r) => r.bareCpu / r.jobCpu),
        jobCpuMs = runs.map((r) => (1000 * r.jobCpu) / JOB_IMAGES),
        bareCpuMs = runs.map((r) => (1000 * r.bareCpu) / JOB_IMAGES);
      const inference = stages.find((x) => x.stage.startsWith("inference"))?.ms ?? NaN;
      const around = stages.filter((x) => !x.stage.startsWith("inference")).reduce((a, x) => a + x.ms, 0);
      rows.push(
        {
          name: "predict job end to end (fetch, decode, resize, infer, encode, store, register)",
          value: median(jobRate),
          unit: "images/s",
          note: `${what}; ${spread(jobRate)}`,
        },
        {
          name: "bare onnxruntime-node session loop, same images",
          value: median(bareRate),
          unit: "images/s",
          note: `${what}; each run's rate is the mean of the loops just before and after its job; ${spread(bareRate)}`,
        },
        {
          name: "predict job ÷ bare session loop, images/s (wall clock)",
          value: median(wallRatio),
          unit: "ratio",
          note: `target ≥ 0.90; ${spread(wallRatio)}; ${loadNote()} at the end`,
        },
        {
          name: "predict job ÷ bare session loop, images per CPU second",
          value: median(cpuRatio),
          unit: "ratio",
          note: `target ≥ 0.90; ${spread(cpuRatio)}; CPU of this process and PostgreSQL, steadier on a shared machine`,
        },
        {
          name: "predict job CPU per image (Node process + PostgreSQL)",
          value: median(jobCpuMs),
          unit: "ms/image",
          note: `${spread(jobCpuMs)}; bare loop: ${median(bareCpuMs).toFixed(0)} ms/image`,
        },
        ...stages.map((x) => ({
          name: `predict stage CPU: ${x.stage}`,
          value: x.ms,
          unit: "ms/image",
          note: `the job's functions one stage at a time, ${PROFILE_IMAGES} images`,
        })),
        {
          name: "predict stages around inference ÷ inference, CPU",
          value: around / inference,
          unit: "ratio",
          note: "≥ 0.90 on 2 busy cores needs this near 0.1: onnxruntime uses both",
        },
      );
    } finally {
      await pg.discard();
    }
    return rows;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(work, { recursive: true, force: true });
  }
}
