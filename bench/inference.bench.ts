import { execFile, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { loadModel, predictBatch, type Model } from "../lib/ml/onnx-model";
import { occlusionMap } from "../lib/ml/activation-maps";
import { classifyBatch, loadClassifier } from "../lib/ml/classifier-model";
import { pilResizeBilinear } from "../lib/ml/pil-resize";
import { testPixels } from "../tests/setup/synthetic-images";
import { int8Agreement } from "../lib/ml/int8-calibration";
import { quantizeOnnx } from "../workers/int8-model";
import { loadNote } from "./repeat";

// Inference: U-Net/DenseNet-121 at 224² (random initialisation: speed does not depend on the
// weights), onnxruntime-node against PyTorch on the same weights in the same run, then a whole
// prediction job over N stored images against a bare session loop over the same images.
// Classifiers (BENCH_CLASSIFIERS, default resnet18,squeezenet1_1): ms/image and occlusion-map time.

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
 * The opt-in int8 model of the same network (calibrated on 8 images, checked on 8 others) against
 * PyTorch's float figures from the same run, and its masks against the float model's. The weights
 * are random, so agreement here checks the arithmetic; a trained model's agreement is measured per
 * run by the prediction job and shown on the runs page.
 */
async function int8Rows(onnxPath: string, float: Model, t1: number, t8: number): Promise<Row[]> {
  const images = (from: number) =>
    Array.from({ length: 8 }, (_, i) => pilResizeBilinear(testPixels(256, 256, from + i), 256, 256, SIZE, SIZE));
  const q = await quantizeOnnx(onnxPath, images(100), SIZE);
  process.env.ORT_SPIN = "1"; // as the float session compared with PyTorch
  const int8 = await loadModel(q.bytes, SIZE);
  delete process.env.ORT_SPIN;
  const i1 = await ortMsPerImage(int8, 1);
  const i8 = await ortMsPerImage(int8, BATCH);
  const a = await int8Agreement(float, int8, images(200));
  await int8.session.release();
  const agree = `masks vs float on 8 other images: ${(100 * a.pixelAgreement).toFixed(2)}% of pixels, max |Δp| ${a.maxProbabilityDifference.toFixed(3)} (random weights)`;
  return [
    {
      name: "U-Net/DenseNet-121 224², batch 1: onnxruntime-node int8 (opt-in)",
      value: i1,
      unit: "ms/image",
      note: `${q.convolutions} convolutions quantised; ${(q.bytes.length / 1e6).toFixed(1)} MB`,
    },
    { name: `U-Net/DenseNet-121 224², batch ${BATCH}: onnxruntime-node int8`, value: i8, unit: "ms/image" },
    { name: "onnxruntime-node int8 ÷ PyTorch float, batch 1", value: i1 / t1, unit: "ratio", note: "target ≤ 0.40" },
    {
      name: `onnxruntime-node int8 ÷ PyTorch float, batch ${BATCH}`,
      value: i8 / t8,
      unit: "ratio",
      note: `target ≤ 0.40; ${agree}`,
    },
  ];
}

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

/** Seeds N working PNGs and a trained Stage-II run, runs the predict job's chunks, and times them. */
async function predictJob(work: string, pgDir: string, onnx: Buffer, sha256: string) {
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
    const run = await db().modelRun.create({
      data: {
        projectId: project.id,
        roundId: round.id,
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
    // Timed before and after the job, so a machine getting busier or quieter meanwhile evens out.
    const model = await loadModel(onnx, SIZE);
    await predictBatch(model, inputs.slice(0, BATCH));
    let bareCpu = 0;
    const bare = async () => {
      const t = performance.now(),
        c = cpuSeconds(pgDir);
      for (let i = 0; i < inputs.length; i += BATCH) await predictBatch(model, inputs.slice(i, i + BATCH));
      bareCpu += (cpuSeconds(pgDir) - c) / 2;
      return (performance.now() - t) / 1000;
    };
    const bareBefore = await bare();

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
    const bareAfter = await bare();
    const bareS = (bareBefore + bareAfter) / 2;
    const candidates = await db().candidate.count({ where: { roundId: round.id } });
    if (candidates !== JOB_IMAGES)
      throw new Error(`the job registered ${candidates} candidates for ${JOB_IMAGES} images`);
    return { jobS, bareS, bareBefore, bareAfter, jobCpu, bareCpu };
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
    const py = await pytorch(work);
    const onnx = readFileSync(py.onnx);
    // Against PyTorch the session keeps onnxruntime's default of spinning idle pool threads, as
    // PyTorch's OpenMP threads do; the prediction job turns spinning off (its CPU goes to decoding
    // and encoding between batches), measured below as well.
    process.env.ORT_SPIN = "1";
    const model = await loadModel(onnx, SIZE);
    delete process.env.ORT_SPIN;
    const quiet = await loadModel(onnx, SIZE);
    const [constant] = await predictBatch(model, [new Uint8Array(SIZE * SIZE).fill(128)]);
    const ort1 = await ortMsPerImage(model, 1);
    const ort8 = await ortMsPerImage(model, BATCH);
    const quiet1 = await ortMsPerImage(quiet, 1);
    const quiet8 = await ortMsPerImage(quiet, BATCH);
    await quiet.session.release();
    const t1 = py.ms_per_image["1"],
      t8 = py.ms_per_image[String(BATCH)];
    const meanProb = constant.reduce((a, b) => a + b, 0) / constant.length;
    const cpu = `CPU, ${THREADS} threads each; random init; median of ${ITERS} runs; ${load} at start`;
    const rows: Row[] = [
      { name: "U-Net/DenseNet-121 224², batch 1: onnxruntime-node", value: ort1, unit: "ms/image", note: cpu },
      {
        name: "U-Net/DenseNet-121 224², batch 1: PyTorch",
        value: t1,
        unit: "ms/image",
        note: `torch ${py.torch}, same weights`,
      },
      { name: `U-Net/DenseNet-121 224², batch ${BATCH}: onnxruntime-node`, value: ort8, unit: "ms/image", note: cpu },
      {
        name: "U-Net/DenseNet-121 224², batch 1 / 8: onnxruntime-node without thread spinning (the job's setting)",
        value: quiet1,
        unit: "ms/image",
        note: `batch ${BATCH}: ${quiet8.toFixed(1)} ms/image`,
      },
      {
        name: `U-Net/DenseNet-121 224², batch ${BATCH}: PyTorch`,
        value: t8,
        unit: "ms/image",
        note: `torch ${py.torch}, same weights`,
      },
      {
        name: "onnxruntime-node ms/image ÷ PyTorch ms/image, batch 1",
        value: ort1 / t1,
        unit: "ratio",
        note: "target ≤ 0.40",
      },
      {
        name: `onnxruntime-node ms/image ÷ PyTorch ms/image, batch ${BATCH}`,
        value: ort8 / t8,
        unit: "ratio",
        note: "target ≤ 0.40",
      },
      { name: "onnxruntime-node speed-up over PyTorch, batch 1", value: t1 / ort1, unit: "×", note: "target > 1" },
      {
        name: `onnxruntime-node speed-up over PyTorch, batch ${BATCH}`,
        value: t8 / ort8,
        unit: "×",
        note: `same weights check: mean p on a uniform 128/255 input differs by ${Math.abs(meanProb - py.constant_input_mean_prob).toExponential(1)}`,
      },
    ];
    rows.push(...(await int8Rows(py.onnx, model, t1, t8)));
    rows.push(...(await classifierRows(work, ort1)));
    const pg = await startEmbeddedPostgres({ dataDir: path.join(work, "pg"), database: "tandem_bench" });
    try {
      process.env.DATABASE_URL = pg.url;
      await migrate(pg.url);
      const { jobS, bareS, bareBefore, bareAfter, jobCpu, bareCpu } = await predictJob(
        work,
        pg.dataDir, // not always work/pg: a data folder the database user cannot reach is moved
        onnx,
        py.sha256,
      );
      const job = JOB_IMAGES / jobS,
        bare = JOB_IMAGES / bareS;
      const what = `${JOB_IMAGES} ${NATIVE}² PNGs, batch ${BATCH}`;
      rows.push(
        {
          name: "predict job end to end (fetch, decode, resize, infer, encode, store, register)",
          value: job,
          unit: "images/s",
          note: what,
        },
        {
          name: "bare onnxruntime-node session loop, same images",
          value: bare,
          unit: "images/s",
          note: `${what}; mean of ${(JOB_IMAGES / bareBefore).toFixed(2)} before and ${(JOB_IMAGES / bareAfter).toFixed(2)} after the job`,
        },
        {
          name: "predict job / bare session loop",
          value: job / bare,
          unit: "ratio",
          note: "target ≥ 0.90; wall clock",
        },
        {
          name: "predict job CPU per image (Node process + PostgreSQL)",
          value: (1000 * jobCpu) / JOB_IMAGES,
          unit: "ms/image",
          note: `bare loop: ${((1000 * bareCpu) / JOB_IMAGES).toFixed(0)} ms/image`,
        },
        {
          name: "bare loop CPU / predict job CPU",
          value: bareCpu / jobCpu,
          unit: "ratio",
          note: "the same ratio in CPU time: steady on a shared machine",
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
