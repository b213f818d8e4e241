// Seeds a project with a known protocol history straight through the database: users, images,
// rounds, runs, masks, candidates, ballots, votes with known durations, ground truths, jobs.
// Every Stage-I image follows S1_CASES[n % 6] and every Stage-II image S2_CASES[n % 10], so the
// default sizes give one image per case (hand-checkable) and the bench scales the same story
// to 120k images with INSERT … SELECT generate_series. Row ids are md5(project:tag:n), so one
// statement can point at rows another statement made.
import { createHash, randomUUID } from "node:crypto";
import { db } from "../../lib/db/client";
import { sqlTransaction } from "../../lib/db/raw";
import { rebuildDashboardTotals } from "../../lib/protocol/mutations";
import { createUser } from "../../lib/auth/mutations";
import { encodeMaskPng } from "../../lib/masks/png-codec";
import { store } from "../../lib/storage/store";
import { key } from "../../lib/storage/keys";
import type { Actor } from "../../lib/auth/types";

export type SeedOptions = {
  s1?: number;
  stage2?: number;
  controls?: number;
  unannotated?: number;
  folds?: number;
  /** stage2-voting (default): the full history; stage1-drawing: half the manual masks drawn; not-started: images only. */
  phase?: "stage2-voting" | "stage1-drawing" | "not-started";
  /** Job name of the seeded failed job (tests pick one no worker claims). */
  failedJobName?: string;
  password?: string;
};

export type SeededUser = { id: string; email: string; name: string; password: string; actor: Actor };
export type SeededProject = {
  projectId: string;
  slug: string;
  lead: SeededUser;
  mds: SeededUser[];
  stranger: SeededUser;
  roundIds: string[];
  failedJobId: string;
};

/** Choices per voter (md1, md2, md3): M = manual, digits = network index, N = none, null = no vote. */
type Choice = "M" | "0" | "1" | "2" | "3" | "4" | "N" | null;
export const S1_CASES: { votes: Choice[]; decision: "CONSENSUS" | "LEAD" | "REDRAWN"; chosen: string }[] = [
  { votes: ["M", "M", "M"], decision: "CONSENSUS", chosen: "M" },
  { votes: ["0", "0", "0"], decision: "CONSENSUS", chosen: "0" },
  { votes: ["0", "1", "0"], decision: "CONSENSUS", chosen: "0" },
  { votes: ["2", "2", "M"], decision: "CONSENSUS", chosen: "2" },
  { votes: ["M", "1", "2"], decision: "LEAD", chosen: "1" }, // a three-way tie the lead settled
  { votes: ["N", "N", "M"], decision: "REDRAWN", chosen: "R" }, // rejected, then drawn by md3
];
export const S2_CASES: { votes: Choice[]; state: string; chosen: string | null }[] = [
  { votes: ["0", "0", "0"], state: "ACCEPTED", chosen: "0" },
  { votes: ["1", "1", "3"], state: "ACCEPTED", chosen: "1" },
  { votes: ["2", "2", "2"], state: "ACCEPTED", chosen: "2" },
  { votes: ["3", "3", "N"], state: "ACCEPTED", chosen: "3" },
  { votes: ["0", "4", "4"], state: "ACCEPTED", chosen: "4" },
  { votes: ["0", "0", "1"], state: "ACCEPTED", chosen: "0" },
  { votes: ["1", "1", null], state: "AWAITING_VOTE", chosen: null }, // md3 holds an open ballot
  { votes: [null, null, null], state: "AWAITING_VOTE", chosen: null },
  { votes: ["N", "N", "N"], state: "AWAITING_REDRAW", chosen: null },
  { votes: ["0", "2", "N"], state: "DISPUTED", chosen: null },
];
export const STAGE1_ARCHS = [
  { arch: "unet", encoder: "densenet121" },
  { arch: "unetpp", encoder: "densenet121" },
  { arch: "dla", encoder: "densenet121" },
];
export const STAGE2_NETWORKS = [
  ...STAGE1_ARCHS,
  { arch: "unet", encoder: "resnet50" },
  { arch: "unetpp", encoder: "inception_v3" },
];

// 10×10 masks made of whole rows, so Dice between any two is easy to work out by hand.
const SHAPES: Record<string, [number, number]> = { A: [0, 4], B: [0, 3], C: [2, 6], D: [0, 6], E: [5, 9] };
/** Which shape each source draws: Stage I manual/unet/unetpp/dla, Stage II networks 0–4, redraws. */
const S1_SHAPE: Record<string, string> = { M: "A", "0": "B", "1": "C", "2": "D", R: "A" };
const S2_SHAPE = ["A", "B", "C", "D", "E"];

/** Vote duration: md1 2 s, md2 4 s, md3 6 s, plus 1 s per case index. */
export const voteMs = (voter: number, c: number) => (voter + 1) * 2000 + c * 1000;
/** Manual drawing of Stage-I case c: 60 s + 10 s per case; the redraw takes 150 s. */
export const manualMs = (c: number) => 60_000 + c * 10_000;
export const REDRAW_MS = 150_000;
export const BASE_TIME = new Date("2025-03-03T00:00:00Z");

function shapePng(rows: [number, number]) {
  const m = new Uint8Array(100);
  for (let y = rows[0]; y <= rows[1]; y++) m.fill(1, y * 10, y * 10 + 10);
  return encodeMaskPng(m, 10, 10);
}

/** The uuid Postgres makes from md5(text)::uuid. */
export function seedId(text: string): string {
  const h = createHash("md5").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function runMetrics(a: number, fold: number | null) {
  const f1 = 0.7 + 0.02 * a + 0.01 * (fold ?? 0);
  const score = (v: number) => ({ value: v, ci: 0.01 });
  const summary = (base: number) => ({
    n: 1000,
    confusion: { tp: 100, fp: 10, tn: 880, fn: 10 },
    sensitivity: score(base + 0.05),
    specificity: score(0.99),
    precision: score(base),
    f1: score(base),
    f2: score(base + 0.02),
    accuracy: score(0.98),
    roc_auc: 0.95,
    pr_auc: 0.8,
  });
  const epochs = [1, 2, 3, 4, 5].map((e) => ({
    epoch: e,
    train_loss: 1 / (e + 1) + 0.01 * a,
    val: { loss: 1 / (e + 1) + 0.02 + 0.01 * a },
    seconds: 30,
  }));
  return {
    format: 1,
    params: 1000 + a,
    epochs,
    selected_epoch: 5,
    final: { loss: epochs[4].val.loss, pixel: summary(f1), image: summary(0.9) },
    seconds: 150,
  };
}

async function seedUser(tag: string, password: string): Promise<SeededUser> {
  const email = `${tag}-${randomUUID().slice(0, 8)}@seed.local`;
  const u = await createUser({ email, name: tag, password });
  return { id: u.id, email: u.email, name: u.name, password, actor: { userId: u.id, isAdmin: false } };
}

export async function seedProtocolState(opts: SeedOptions = {}): Promise<SeededProject> {
  const o = {
    s1: 6,
    stage2: 10,
    controls: 4,
    unannotated: 2,
    folds: 2,
    phase: "stage2-voting" as SeedOptions["phase"],
    failedJobName: "predict",
    password: "correct horse battery",
    ...opts,
  };
  const voting = o.phase === "stage2-voting";
  const started = o.phase !== "not-started";
  const lead = await seedUser("lead", o.password);
  const mds = [await seedUser("md1", o.password), await seedUser("md2", o.password), await seedUser("md3", o.password)];
  const stranger = await seedUser("stranger", o.password);
  const slug = `seed-${randomUUID().slice(0, 8)}`;
  const project = await db().project.create({
    data: {
      slug,
      name: `Seeded project ${slug}`,
      s1Size: o.s1,
      folds: o.folds,
      votesPerImage: 3,
      currentStage: voting ? "STAGE_II" : started ? "STAGE_I" : null,
      stage1Archs: STAGE1_ARCHS,
      stage2Networks: STAGE2_NETWORKS,
      trainConfig: { size: 224, epochs: 5, batchSize: 32, lr: 1e-4, freezeEncoder: false, pretrained: null },
      memberships: {
        create: [{ userId: lead.id, roles: ["LEAD"] }, ...mds.map((m) => ({ userId: m.id, roles: ["MD" as const] }))],
      },
    },
  });
  const pid = project.id;
  const id = (tag: string, n: string | number) => seedId(`${pid}:${tag}:${n}`);
  const sqlId = (tag: string, nExpr = "n") => `md5('${pid}:${tag}:' || ${nExpr})::uuid`;
  const at = (days: number, stepExpr = "0") =>
    `('${BASE_TIME.toISOString()}'::timestamptz + interval '${days} days' + (${stepExpr}) * interval '1 second')`;
  const exec = (sql: string) => db().$executeRawUnsafe(sql);

  const shapeKey: Record<string, string> = {};
  const shapeSha: Record<string, string> = {};
  for (const [name, rows] of Object.entries(SHAPES)) {
    const png = shapePng(rows);
    shapeKey[name] = key("projects", pid, "masks", `shape-${name}.png`);
    shapeSha[name] = createHash("sha256").update(png).digest("hex");
    await store().put(shapeKey[name], png, { contentType: "image/png" });
  }
  // Images: Stage-I subset, Stage-II COVID images, controls accepted by label, late imports.
  const s1State = !started
    ? `'UNANNOTATED'`
    : voting
      ? `'ACCEPTED'`
      : `CASE WHEN n % 6 % 2 = 0 THEN 'AWAITING_CANDIDATES' ELSE 'AWAITING_MANUAL' END`;
  const s2State = voting
    ? `CASE n % 10 ${S2_CASES.map((c, i) => `WHEN ${i} THEN '${c.state}'`).join(" ")} END`
    : `'UNANNOTATED'`;
  const groups: [string, number, string, string, boolean][] = [
    ["s1", o.s1, "COVID", s1State, started],
    ["s2", o.stage2, "COVID", s2State, false],
    ["ctl", o.controls, "CONTROL", started ? `'ACCEPTED'` : `'UNANNOTATED'`, false],
    ["new", o.unannotated, "UNKNOWN", `'UNANNOTATED'`, false],
  ];
  for (const [tag, count, label, state, inS1] of groups) {
    if (!count) continue;
    await exec(`
      INSERT INTO "Image" (id, "projectId", "originalName", "sourceFormat", sha256, "pixelSha256", "storageKey", "originalKey", "thumbKey",
        width, height, "bitDepth", "patientPseudonym", label, "sourceDataset", "inS1", fold, state, "createdAt")
      SELECT ${sqlId(`img-${tag}`)}, '${pid}', '${tag}-' || lpad(n::text, 6, '0') || '.png', 'PNG', md5('${pid}:sha:${tag}:' || n), md5('${pid}:px:${tag}:' || n),
        'projects/${pid}/images/${tag}-' || n, 'projects/${pid}/originals/${tag}-' || n, 'projects/${pid}/thumbs/${tag}-' || n,
        10, 10, 8, 'patient-${tag}-' || n, '${label}', 'source-' || (n % 3), ${inS1}, ${inS1 ? `n % ${o.folds}` : "NULL"}, (${state})::"ImageState", ${at(0, "n % 3600")}
      FROM generate_series(0, ${count - 1}) n`);
  }
  if (o.controls && started) {
    await exec(`
      INSERT INTO "GroundTruth" (id, "projectId", "imageId", "maskId", decision, "sourceKind", "isCurrent", "acceptedAt")
      SELECT ${sqlId("gt-ctl")}, '${pid}', ${sqlId("img-ctl")}, NULL, 'LABEL', 'EMPTY', TRUE, ${at(0, "n % 3600")}
      FROM generate_series(0, ${o.controls - 1}) n`);
  }

  const r1 = id("round", 1);
  const r2 = id("round", 2);
  const mdCase = (expr: string) =>
    `CASE ${expr} WHEN 0 THEN '${mds[0].id}'::uuid WHEN 1 THEN '${mds[1].id}'::uuid ELSE '${mds[2].id}'::uuid END`;
  if (started) await seedStage1Drawing();

  async function seedStage1Drawing() {
    await exec(`INSERT INTO "Round" (id, "projectId", number, stage, status, "startedById", "createdAt", "closedAt")
      VALUES ('${r1}', '${pid}', 1, 'STAGE_I', '${voting ? "CLOSED" : "DRAWING"}', '${lead.id}', ${at(0)}, ${voting ? at(4, "3600") : "NULL"})`);

    // Stage I: a manual task per subset image (md1 draws even cases, md2 odd ones).
    const drawn = voting ? "TRUE" : "n % 6 % 2 = 0";
    await exec(`
      INSERT INTO "Task" (id, "projectId", "imageId", "roundId", kind, status, "assigneeId", "claimedAt", "doneAt", "maskId", "elapsedMs", "createdAt")
      SELECT ${sqlId("task-manual")}, '${pid}', ${sqlId("img-s1")}, '${r1}', 'MANUAL',
        CASE WHEN ${drawn} THEN 'DONE' ELSE 'OPEN' END::"TaskStatus",
        CASE WHEN ${drawn} THEN ${mdCase("n % 6 % 2")} END, CASE WHEN ${drawn} THEN ${at(1, "n * 60")} END, CASE WHEN ${drawn} THEN ${at(1, "n * 60 + 50")} END,
        CASE WHEN ${drawn} THEN ${sqlId("mask-s1-M")} END, CASE WHEN ${drawn} THEN 60000 + (n % 6) * 10000 END, ${at(0)}
      FROM generate_series(0, ${o.s1 - 1}) n`);
    await exec(`
      INSERT INTO "Mask" (id, "projectId", "imageId", kind, "authorId", "roundId", "taskId", "storageKey", sha256, area, width, height, "elapsedMs", "createdAt")
      SELECT ${sqlId("mask-s1-M")}, '${pid}', ${sqlId("img-s1")}, 'MANUAL', ${mdCase("n % 6 % 2")}, '${r1}', ${sqlId("task-manual")},
        '${shapeKey.A}', '${shapeSha.A}', 50, 10, 10, 60000 + (n % 6) * 10000, ${at(1, "n * 60 + 50")}
      FROM generate_series(0, ${o.s1 - 1}) n WHERE ${drawn}`);
  }

  const runIds: { id: string; round: string; a: number; fold: number | null }[] = [];
  if (voting) {
    STAGE1_ARCHS.forEach((_, a) => {
      for (let f = 0; f < o.folds; f++) runIds.push({ id: id(`run1-${a}`, f), round: r1, a, fold: f });
    });
    STAGE2_NETWORKS.forEach((_, a) => runIds.push({ id: id(`run2-${a}`, 0), round: r2, a, fold: null }));
    await exec(`INSERT INTO "Round" (id, "projectId", number, stage, status, "startedById", "createdAt")
      VALUES ('${r2}', '${pid}', 2, 'STAGE_II', 'VOTING', '${lead.id}', ${at(5)})`);
    for (const r of runIds) {
      const net = (r.round === r1 ? STAGE1_ARCHS : STAGE2_NETWORKS)[r.a];
      await db().modelRun.create({
        data: {
          id: r.id,
          projectId: pid,
          roundId: r.round,
          arch: net.arch,
          encoder: net.encoder,
          fold: r.fold,
          config: {},
          status: "SUCCEEDED",
          metrics: runMetrics(r.a, r.fold),
          artifactKey: `projects/${pid}/runs/${r.id}/model.onnx`,
          weightsSha256: "0".repeat(64),
          paramCount: 1000 + r.a,
          startedAt: new Date(BASE_TIME.getTime() + (r.round === r1 ? 2 : 5) * 86_400_000),
          finishedAt: new Date(BASE_TIME.getTime() + (r.round === r1 ? 2 : 5) * 86_400_000 + 3_600_000),
          progress: { type: "epoch", epoch: 5, epochs: 5 },
        },
      });
      await exec(`INSERT INTO "Job" (id, name, payload, "singletonKey", status, attempts, "projectId", "createdAt", "startedAt", "finishedAt")
        VALUES (gen_random_uuid(), 'train', '{"runId":"${r.id}"}', 'train:${r.id}', 'SUCCEEDED', 1, '${pid}', ${at(r.round === r1 ? 2 : 5)}, ${at(r.round === r1 ? 2 : 5)}, ${at(r.round === r1 ? 2 : 5, "3600")})`);
    }
    await seedStage1Votes();
    await seedStage2();
  }

  async function seedStage1Votes() {
    // Out-of-fold machine masks: arch a's model for the image's fold.
    for (let a = 0; a < STAGE1_ARCHS.length; a++) {
      await exec(`
        INSERT INTO "Mask" (id, "projectId", "imageId", kind, "modelRunId", "roundId", "storageKey", sha256, area, width, height, "createdAt")
        SELECT ${sqlId(`mask-s1-${a}`)}, '${pid}', ${sqlId("img-s1")}, 'MACHINE', md5('${pid}:run1-${a}:' || (n % ${o.folds}))::uuid, '${r1}',
          '${shapeKey[S1_SHAPE[a]]}', '${shapeSha[S1_SHAPE[a]]}', 50, 10, 10, ${at(2, "n")}
        FROM generate_series(0, ${o.s1 - 1}) n`);
    }
    for (const code of ["M", "0", "1", "2"]) {
      await exec(`INSERT INTO "Candidate" (id, "roundId", "imageId", "maskId", "createdAt")
        SELECT ${sqlId(`cand-s1-${code}`)}, '${r1}', ${sqlId("img-s1")}, ${sqlId(`mask-s1-${code}`)}, ${at(2, "3600")} FROM generate_series(0, ${o.s1 - 1}) n`);
    }
    await insertVotes(
      "s1",
      r1,
      o.s1,
      S1_CASES.map((c) => c.votes),
      3,
    );
    // Case 5: every voter said none; md3 redrew it.
    await exec(`
      INSERT INTO "Task" (id, "projectId", "imageId", "roundId", kind, status, "assigneeId", "claimedAt", "doneAt", "maskId", "elapsedMs", "createdAt")
      SELECT ${sqlId("task-redraw-s1")}, '${pid}', ${sqlId("img-s1")}, '${r1}', 'REDRAW', 'DONE', '${mds[2].id}', ${at(4, "n")}, ${at(4, "n + 150")}, ${sqlId("mask-s1-R")}, ${REDRAW_MS}, ${at(3, "n * 60 + 600")}
      FROM generate_series(0, ${o.s1 - 1}) n WHERE n % 6 = 5`);
    await exec(`
      INSERT INTO "Mask" (id, "projectId", "imageId", kind, "authorId", "roundId", "taskId", "storageKey", sha256, area, width, height, "elapsedMs", "createdAt")
      SELECT ${sqlId("mask-s1-R")}, '${pid}', ${sqlId("img-s1")}, 'REDRAW', '${mds[2].id}', '${r1}', ${sqlId("task-redraw-s1")},
        '${shapeKey.A}', '${shapeSha.A}', 50, 10, 10, ${REDRAW_MS}, ${at(4, "n + 150")}
      FROM generate_series(0, ${o.s1 - 1}) n WHERE n % 6 = 5`);
    const decisions = `(VALUES ${S1_CASES.map((c, i) => `(${i}, '${c.decision}', '${c.chosen}')`).join(", ")}) AS d(c, decision, chosen)`;
    await exec(`
      INSERT INTO "GroundTruth" (id, "projectId", "imageId", "maskId", "roundId", stage, decision, "sourceKind", "decidedById", "isCurrent", "acceptedAt")
      SELECT ${sqlId("gt-s1")}, '${pid}', ${sqlId("img-s1")}, md5('${pid}:mask-s1-' || d.chosen || ':' || n)::uuid, '${r1}', 'STAGE_I', d.decision::"DecisionKind",
        (CASE d.chosen WHEN 'M' THEN 'MANUAL' WHEN 'R' THEN 'REDRAW' ELSE 'MACHINE' END)::"MaskKind",
        CASE d.decision WHEN 'LEAD' THEN '${lead.id}'::uuid WHEN 'REDRAWN' THEN '${mds[2].id}'::uuid END, TRUE,
        CASE WHEN d.decision = 'REDRAWN' THEN ${at(4, "n + 150")} ELSE ${at(3, "n * 60 + 30")} END
      FROM generate_series(0, ${o.s1 - 1}) n JOIN ${decisions} ON d.c = n % 6`);
  }

  async function seedStage2() {
    for (let k = 0; k < STAGE2_NETWORKS.length; k++) {
      await exec(`
        INSERT INTO "Mask" (id, "projectId", "imageId", kind, "modelRunId", "roundId", "storageKey", sha256, area, width, height, "createdAt")
        SELECT ${sqlId(`mask-s2-${k}`)}, '${pid}', ${sqlId("img-s2")}, 'MACHINE', '${id(`run2-${k}`, 0)}', '${r2}',
          '${shapeKey[S2_SHAPE[k]]}', '${shapeSha[S2_SHAPE[k]]}', 50, 10, 10, ${at(5, "n")}
        FROM generate_series(0, ${o.stage2 - 1}) n`);
      await exec(`INSERT INTO "Candidate" (id, "roundId", "imageId", "maskId", "createdAt")
        SELECT ${sqlId(`cand-s2-${k}`)}, '${r2}', ${sqlId("img-s2")}, ${sqlId(`mask-s2-${k}`)}, ${at(5, "7200")} FROM generate_series(0, ${o.stage2 - 1}) n`);
    }
    await insertVotes(
      "s2",
      r2,
      o.stage2,
      S2_CASES.map((c) => c.votes),
      6,
    );
    // Case 6: md3 holds an unanswered ballot; case 8 waits for a redraw.
    await exec(`INSERT INTO "Ballot" (id, "roundId", "imageId", "voterId", "shownOrder", "issuedAt")
      SELECT ${sqlId("ballot-open")}, '${r2}', ${sqlId("img-s2")}, '${mds[2].id}', '{}', ${at(6, "n * 120 + 60")} FROM generate_series(0, ${o.stage2 - 1}) n WHERE n % 10 = 6`);
    await exec(`INSERT INTO "Task" (id, "projectId", "imageId", "roundId", kind, status, "createdAt")
      SELECT ${sqlId("task-redraw-s2")}, '${pid}', ${sqlId("img-s2")}, '${r2}', 'REDRAW', 'OPEN', ${at(6, "n * 120 + 90")} FROM generate_series(0, ${o.stage2 - 1}) n WHERE n % 10 = 8`);
    const chosen = `(VALUES ${S2_CASES.map((c, i) => (c.chosen === null ? null : `(${i}, '${c.chosen}')`))
      .filter(Boolean)
      .join(", ")}) AS d(c, chosen)`;
    await exec(`
      INSERT INTO "GroundTruth" (id, "projectId", "imageId", "maskId", "roundId", stage, decision, "sourceKind", "isCurrent", "acceptedAt")
      SELECT ${sqlId("gt-s2")}, '${pid}', ${sqlId("img-s2")}, md5('${pid}:mask-s2-' || d.chosen || ':' || n)::uuid, '${r2}', 'STAGE_II', 'CONSENSUS', 'MACHINE', TRUE, ${at(6, "n * 120 + 100")}
      FROM generate_series(0, ${o.stage2 - 1}) n JOIN ${chosen} ON d.c = n % 10`);
  }

  /** Ballots and votes from a case table; voter v's vote on image n comes v·20 s after the first. */
  async function insertVotes(group: "s1" | "s2", roundId: string, count: number, cases: Choice[][], day: number) {
    const rows = cases
      .flatMap((votes, c) => votes.map((ch, v) => (ch === null ? null : `(${c}, ${v}, '${ch}')`)))
      .filter(Boolean);
    const table = `(VALUES ${rows.join(", ")}) AS t(c, voter, choice)`;
    const step = group === "s1" ? "n * 60 + t.voter * 20" : "n * 120 + t.voter * 20";
    const source = `FROM generate_series(0, ${count - 1}) n JOIN ${table} ON t.c = n % ${cases.length}`;
    const tag = (t: string) => `md5('${pid}:${t}-${group}-' || t.voter || ':' || n)::uuid`;
    await exec(`INSERT INTO "Ballot" (id, "roundId", "imageId", "voterId", "shownOrder", "issuedAt", "closedAt")
      SELECT ${tag("ballot")}, '${roundId}', ${sqlId(`img-${group}`)}, ${mdCase("t.voter")}, '{}', ${at(day, step)}, ${at(day, `${step} + 10`)} ${source}`);
    await exec(`INSERT INTO "Vote" (id, "ballotId", "roundId", "imageId", "voterId", "candidateId", "noneAcceptable", "durationMs", "idempotencyKey", "createdAt")
      SELECT ${tag("vote")}, ${tag("ballot")}, '${roundId}', ${sqlId(`img-${group}`)}, ${mdCase("t.voter")},
        CASE WHEN t.choice = 'N' THEN NULL ELSE md5('${pid}:cand-${group}-' || t.choice || ':' || n)::uuid END, t.choice = 'N',
        (t.voter + 1) * 2000 + t.c * 1000, '${pid}:vote-${group}-' || t.voter || ':' || n, ${at(day, `${step} + 10`)} ${source}`);
  }

  // Jobs: one failed (retryable by the lead), one waiting; a live worker.
  const failedJobId = randomUUID();
  await exec(`INSERT INTO "Job" (id, name, payload, "singletonKey", status, attempts, "maxAttempts", "lastError", "projectId", "createdAt", "startedAt", "finishedAt")
    VALUES ('${failedJobId}', '${o.failedJobName}', '{"seed":true}', 'seed-failed:${pid}', 'FAILED', 3, 3, 'CUDA out of memory', '${pid}', now() - interval '1 hour', now() - interval '50 minutes', now() - interval '40 minutes')`);
  await exec(`INSERT INTO "Job" (id, name, payload, "singletonKey", status, "runAfter", "projectId")
    VALUES (gen_random_uuid(), '${o.failedJobName}', '{"seed":true}', 'seed-queued:${pid}', 'QUEUED', now() + interval '30 days', '${pid}')`);
  await exec(`INSERT INTO "Worker" (id, hostname, pid, "jobNames", gpu, "startedAt", "heartbeatAt")
    VALUES ('seed-worker-${pid.slice(0, 8)}', 'gpu-node-1', 4242, '{train,predict}', 'NVIDIA H100', now() - interval '2 hours', now())
    ON CONFLICT (id) DO UPDATE SET "heartbeatAt" = now()`);

  // Rows written in bulk bypass the transitions that keep the dashboard's running totals: count
  // them once from the rows, as the migration's backfill and the repair path do.
  await sqlTransaction((run) => rebuildDashboardTotals(run, pid));

  return { projectId: pid, slug, lead, mds, stranger, roundIds: voting ? [r1, r2] : started ? [r1] : [], failedJobId };
}
