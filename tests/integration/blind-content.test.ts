import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { addMember } from "../../lib/projects/mutations";
import { loadMask } from "../../lib/masks/queries";
import { decodeMaskPng } from "../../lib/masks/png-codec";
import { store } from "../../lib/storage/store";
import {
  afterTaskSubmitted,
  selectStage1Subset,
  startStage1,
  startStage1Training,
  startStage2Round,
} from "../../lib/protocol/mutations";
import { overrideQualityGate } from "../../lib/protocol/mutations";
import { castVote, nextBallot } from "../../lib/voting/mutations";
import { ballotCandidateKey, nothingToVoteReason, revealCandidates } from "../../lib/voting/queries";
import { fixedSizeMaskPng } from "../../lib/voting/render";
import { blindStats, loadDashboard } from "../../lib/dashboard/queries";
import { makeProject, makeUser } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { discMask, drawAllManual, fakeTrainAndPredict } from "../setup/protocol";

// Blind by content, the candidate rules (issue 17): merged duplicates, withheld empty
// candidates, the quality gate, style-normalised renderings, fixed-size served PNGs.

const W = 64;
const empty = () => new Uint8Array(W * W);
/** fakeTrainAndPredict numbers runs architecture by architecture, 2 folds each. */
const archOf = (run: number) => Math.floor(run / 2);

async function stage1(opts: {
  images: number;
  archs?: number;
  settings?: Record<string, unknown>;
  manual?: (k: number) => Uint8Array;
}) {
  const archs = [
    { arch: "unet", encoder: "tiny" },
    { arch: "unetpp", encoder: "tiny" },
    { arch: "dla", encoder: "tiny" },
  ].slice(0, opts.archs ?? 3);
  const fx = await makeProject({ folds: 2, stage1Archs: archs, ...opts.settings });
  const p = fx.project.id;
  const voter = await makeUser();
  await addMember(fx.admin.actor, p, { email: voter.email, roles: ["MD"] });
  await addTestImages(p, opts.images, (i) => ({ label: "COVID", patientPseudonym: `C${i}` }));
  await selectStage1Subset(fx.lead.actor, p, { size: opts.images });
  await startStage1(fx.lead.actor, p);
  const tasks = await db().task.findMany({ where: { projectId: p, kind: "MANUAL" }, orderBy: { imageId: "asc" } });
  await drawAllManual(p, fx.md.id, { mask: (_, k) => opts.manual?.(k) ?? discMask(W, W, -5), elapsedMs: 1000 });
  const { roundId } = await startStage1Training(fx.lead.actor, p);
  return { ...fx, p, voter, roundId, imageIds: tasks.map((t) => t.imageId) };
}

async function servedPngs(actor: { userId: string; isAdmin: boolean }, ballotId: string, n: number) {
  const out: Buffer[] = [];
  for (let pos = 1; pos <= n; pos++) {
    const m = await decodeMaskPng(await store().get(await ballotCandidateKey(actor, ballotId, pos)));
    out.push(fixedSizeMaskPng(m.mask, m.width, m.height));
  }
  return out;
}

/** A full held-out evaluation block as the trainer writes it, with the given pixel F1. */
// Held-out metrics whose pixel counts agree with the F1: 2tp / (2tp + fp + fn) = f1.
function metricsWithF1(f1: number, pixels = 100) {
  const s = (v: number) => ({ value: v, ci: 0.01 });
  const level = {
    n: 10,
    confusion: { tp: f1 * pixels, fp: (1 - f1) * pixels, tn: pixels, fn: (1 - f1) * pixels },
    sensitivity: s(0.5),
    specificity: s(0.5),
    precision: s(0.5),
    f1: s(f1),
    f2: s(f1),
    accuracy: s(0.5),
    roc_auc: 0.5,
    pr_auc: 0.5,
  };
  return { format: 1, selected_epoch: 1, final: { loss: 0.1, pixel: level, image: level } };
}

describe("one position per distinct mask", () => {
  it("identical candidates share a position, a vote for it counts for every source, and served PNGs neither repeat nor differ in size", async () => {
    // U-Net and UNet++ give the same mask (the give-away the crawl found), DLA another one.
    const fx = await stage1({ images: 6 });
    await fakeTrainAndPredict(fx.roundId, (run) => discMask(W, W, archOf(run) === 2 ? 6 : 3));
    const sizes = new Set<number>();
    let merged = 0;
    for (;;) {
      const b = await nextBallot(fx.voter.actor, fx.p);
      if (!b) break;
      expect(b.candidates.length).toBe(3); // manual, unet = unetpp, dla
      const pngs = await servedPngs(fx.voter.actor, b.ballotId, b.candidates.length);
      expect(new Set(pngs.map((x) => x.toString("base64"))).size).toBe(pngs.length);
      for (const x of pngs) sizes.add(x.length);
      const ballot = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
      const heads = await db().candidate.findMany({ where: { mergedIntoId: { in: ballot.shownOrder } } });
      expect(heads.length).toBe(1);
      const pos = ballot.shownOrder.indexOf(heads[0].mergedIntoId!) + 1;
      await castVote(fx.voter.actor, b.ballotId, { choice: pos, durationMs: 10, idempotencyKey: `m-${b.ballotId}` });
      const reveal = await revealCandidates(fx.lead.actor, ballot.imageId);
      const voted = reveal.filter((r) => r.votes === 1);
      expect(voted.length).toBe(2);
      expect(new Set(voted.map((r) => r.kind))).toEqual(new Set(["MACHINE"]));
      merged++;
    }
    expect(merged).toBe(6);
    expect(sizes.size).toBe(1); // every served candidate has the same byte size
    expect((await blindStats(fx.p)).mergedCandidates).toBe(6);
    // The dashboard credits the position's win to both sources it stands for.
    const dash = await loadDashboard(fx.lead.actor, fx.p);
    const wins = new Map(dash.winRates.filter((w) => w.stage === "STAGE_I").map((w) => [w.source, w]));
    expect(wins.get("unet")).toMatchObject({ wins: 6, appearances: 6 });
    expect(wins.get("unetpp")).toMatchObject({ wins: 6, appearances: 6 });
    expect(wins.get("dla")).toMatchObject({ wins: 0, appearances: 6 });
    expect(wins.get("manual")).toMatchObject({ wins: 0, appearances: 6 });
    expect(dash.humanVsMachine.votesMachine).toBe(12); // each of the 6 votes counts for U-Net and UNet++
    expect(dash.humanVsMachine.votesManual).toBe(0);
  }, 120_000);
});

describe("empty and implausible candidates", () => {
  it("empty and tiny candidates on COVID-19 images are withheld; no machine candidate left in Stage I accepts the manual mask unvoted", async () => {
    const fx = await stage1({ images: 4, archs: 2 });
    // Image 0: both machine masks empty → manual accepted without a vote. Image 1: U-Net empty,
    // UNet++ a 2-pixel speck → same. Images 2, 3: U-Net empty, UNet++ real → 2 positions.
    const idx = new Map(fx.imageIds.map((id, k) => [id, k]));
    await fakeTrainAndPredict(fx.roundId, (run, imageId) => {
      const k = idx.get(imageId)!;
      if (k === 0 || archOf(run) === 0) return empty();
      if (k === 1) {
        const m = empty();
        m[100] = m[101] = 1;
        return m;
      }
      return discMask(W, W, 4);
    });
    const gts = await db().groundTruth.findMany({ where: { projectId: fx.p, isCurrent: true } });
    expect(new Set(gts.map((g) => g.imageId))).toEqual(new Set([fx.imageIds[0], fx.imageIds[1]]));
    for (const g of gts) expect(g.decision).toBe("UNCONTESTED");
    let ballots = 0;
    for (;;) {
      const b = await nextBallot(fx.voter.actor, fx.p);
      if (!b) break;
      ballots++;
      expect(b.candidates.length).toBe(2);
      for (const png of await servedPngs(fx.voter.actor, b.ballotId, 2)) {
        const m = await decodeMaskPng(png);
        expect(m.mask.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
      }
      await castVote(fx.voter.actor, b.ballotId, { choice: 1, durationMs: 10, idempotencyKey: `e-${b.ballotId}` });
    }
    expect(ballots).toBe(2);
    const stats = await blindStats(fx.p);
    expect(stats.withheldEmpty).toBe(5); // image 0: two; images 1–3: the U-Net one
    expect(stats.withheldSmall).toBe(1);
    expect(stats.acceptedWithoutVote).toBe(2);
  }, 120_000);

  it("an empty mask accepted on a COVID-19 image waits for a second MD's confirmation", async () => {
    const fx = await stage1({ images: 1, archs: 1, manual: () => empty() });
    await fakeTrainAndPredict(fx.roundId, () => empty());
    const img = await db().image.findUniqueOrThrow({ where: { id: fx.imageIds[0] } });
    expect(img.state).toBe("AWAITING_CONFIRMATION");
    expect(await db().groundTruth.count({ where: { imageId: img.id } })).toBe(0);
    const task = await db().task.findFirstOrThrow({ where: { imageId: img.id, kind: "CONFIRM" } });
    expect((await blindStats(fx.p)).emptyAwaitingConfirmation).toBe(1);
    await db().$transaction(async (tx) => {
      await tx.task.update({
        where: { id: task.id },
        data: { status: "DONE", assigneeId: fx.voter.id, doneAt: new Date() },
      });
      await afterTaskSubmitted(tx, { ...task, assigneeId: fx.voter.id }, { approved: true });
    });
    const gt = await db().groundTruth.findFirstOrThrow({ where: { imageId: img.id, isCurrent: true } });
    expect(gt).toMatchObject({ decision: "CONFIRMED", sourceKind: "MANUAL", decidedById: fx.voter.id });
    const stats = await blindStats(fx.p);
    expect(stats.emptyConfirmed).toBe(1);
    expect(stats.emptyAwaitingConfirmation).toBe(0);
  }, 60_000);

  it("Stage II: an image left without any candidate goes straight to drawing", async () => {
    const fx = await stage1({ images: 2, archs: 1 });
    await fakeTrainAndPredict(fx.roundId);
    for (;;) {
      const b = await nextBallot(fx.voter.actor, fx.p);
      if (!b) break;
      await castVote(fx.voter.actor, b.ballotId, { choice: 1, durationMs: 10, idempotencyKey: `s-${b.ballotId}` });
    }
    const [x, y] = await addTestImages(fx.p, 2, (i) => ({ label: "COVID", patientPseudonym: `S${i}` }));
    const { roundId } = await startStage2Round(fx.lead.actor, fx.p);
    await fakeTrainAndPredict(roundId, (_run, imageId) => (imageId === x ? empty() : discMask(W, W, 1)));
    expect((await db().image.findUniqueOrThrow({ where: { id: x } })).state).toBe("AWAITING_REDRAW");
    expect(await db().task.count({ where: { imageId: x, kind: "REDRAW", status: "OPEN" } })).toBe(1);
    expect((await db().image.findUniqueOrThrow({ where: { id: y } })).state).toBe("AWAITING_VOTE");
    expect((await blindStats(fx.p)).sentToDrawing).toBe(1);
  }, 120_000);
});

describe("quality gate", () => {
  it("holds the vote on models below the threshold, tells the dashboard and the vote page, and the lead's override is audited", async () => {
    const fx = await stage1({ images: 2, archs: 2 });
    const opened = await fakeTrainAndPredict(
      fx.roundId,
      () => null,
      (run) => metricsWithF1(archOf(run) === 0 ? 0 : 0.8),
    );
    expect(opened).toBe(false);
    expect((await db().round.findUniqueOrThrow({ where: { id: fx.roundId } })).status).toBe("PREDICTING");
    expect(await nextBallot(fx.voter.actor, fx.p)).toBeNull();
    expect((await nothingToVoteReason(fx.voter.actor, fx.p)).reason).toBe("QUALITY_GATE");
    const gate = (await blindStats(fx.p)).gate;
    expect(gate.held).toBe(true);
    expect(gate.threshold).toBe(0.3);
    expect(gate.failing.map((f) => [f.arch, f.f1, f.folds])).toEqual([["unet", 0, 2]]); // both folds pooled
    expect(gate.advice).toMatch(/Stage-I masks/);
    await expect(overrideQualityGate(fx.voter.actor, fx.p)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const r = await overrideQualityGate(fx.lead.actor, fx.p);
    expect(r.opened).toBe(true);
    const audit = await db().auditLog.findFirstOrThrow({ where: { projectId: fx.p, action: "round.gate_override" } });
    expect(audit.actorId).toBe(fx.lead.id);
    expect((audit.after as { failing: unknown[] }).failing.length).toBe(1);
    expect(await nextBallot(fx.voter.actor, fx.p)).not.toBeNull();
    expect((await blindStats(fx.p)).gate.overriddenAt).not.toBeNull();
  }, 60_000);

  it("judges each model on its folds pooled: a weak small fold does not hold a model that is good overall", async () => {
    const fx = await stage1({ images: 2, archs: 2 });
    // U-Net: fold 1 F1 0.2 (100 true pixels), fold 2 F1 0.6 (1,000) → pooled 0.56, passes.
    // UNet++: fold 1 F1 0.6 (100), fold 2 F1 0.2 (1,000) → pooled 0.24, fails.
    const opened = await fakeTrainAndPredict(
      fx.roundId,
      () => null,
      (run) => {
        const small = run % 2 === 0;
        const good = archOf(run) === 0 ? !small : small;
        return metricsWithF1(good ? 0.6 : 0.2, small ? 100 : 1000);
      },
    );
    expect(opened).toBe(false);
    const gate = (await blindStats(fx.p)).gate;
    expect(gate.failing.map((f) => f.arch)).toEqual(["unetpp"]);
    expect(gate.failing[0].f1).toBeCloseTo((2 * 260) / (2 * 260 + 80 + 1600), 6);
    expect(gate.failing[0].folds).toBe(2);
  }, 60_000);

  it("models at or above the threshold open the vote at once", async () => {
    const fx = await stage1({ images: 2, archs: 2 });
    expect(
      await fakeTrainAndPredict(
        fx.roundId,
        () => null,
        () => metricsWithF1(0.31),
      ),
    ).toBe(true);
    await expect(overrideQualityGate(fx.lead.actor, fx.p)).rejects.toMatchObject({ code: "CONFLICT" });
  }, 60_000);
});

describe("style-blind rendering", () => {
  it("every shown candidate is the normalised rendering; that is what gets accepted, the original kept, the Dice recorded", async () => {
    // A jagged "hand-drawn" manual mask: a disc with a saw-tooth edge.
    const jagged = () => {
      const d = discMask(W, W, -4),
        m = Uint8Array.from(d);
      for (let y = 0; y < W; y += 2)
        for (let x = 1; x < W - 3; x++) if (d[y * W + x] && !d[y * W + x + 1]) m[y * W + x + 1] = m[y * W + x + 2] = 1;
      return m;
    };
    const fx = await stage1({ images: 2, archs: 1, manual: jagged });
    await fakeTrainAndPredict(fx.roundId);
    const cands = await db().candidate.findMany({ where: { roundId: fx.roundId } });
    for (const c of cands) {
      expect(c.shownMaskId).not.toBeNull();
      expect(c.normalisedDice).toBeGreaterThan(0.9);
      const shown = await db().mask.findUniqueOrThrow({ where: { id: c.shownMaskId! } });
      expect(shown).toMatchObject({ kind: "NORMALISED", normalisedFromId: c.maskId, authorId: null });
    }
    const manual = cands.find((c) => c.maskId !== null && c.normalisedDice! < 1)!;
    const original = await db().mask.findUniqueOrThrow({ where: { id: manual.maskId } });
    const shown = await db().mask.findUniqueOrThrow({ where: { id: manual.shownMaskId! } });
    expect(shown.sha256).not.toBe(original.sha256);
    const b = (await nextBallot(fx.voter.actor, fx.p))!;
    const ballot = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
    await castVote(fx.voter.actor, b.ballotId, { choice: 1, durationMs: 10, idempotencyKey: `n-${b.ballotId}` });
    const chosen = await db().candidate.findUniqueOrThrow({ where: { id: ballot.shownOrder[0] } });
    const gt = await db().groundTruth.findFirstOrThrow({ where: { imageId: ballot.imageId, isCurrent: true } });
    expect(gt.maskId).toBe(chosen.shownMaskId);
    expect(
      await loadMask((await db().mask.findUniqueOrThrow({ where: { id: chosen.maskId } })).storageKey),
    ).toBeTruthy();
    expect((await blindStats(fx.p)).meanNormalisedDice).toBeGreaterThan(0.9);
  }, 60_000);

  it("with the setting off, candidates are shown as drawn", async () => {
    const fx = await stage1({ images: 1, archs: 1, settings: { styleNormalise: false } });
    await fakeTrainAndPredict(fx.roundId);
    const cands = await db().candidate.findMany({ where: { roundId: fx.roundId } });
    expect(cands.every((c) => c.shownMaskId === null && c.normalisedDice === null)).toBe(true);
  }, 60_000);
});
