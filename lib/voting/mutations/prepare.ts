import "server-only";
import { createHash } from "node:crypto";
import { db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { uuidv7 } from "../../db/uuid";
import { store } from "../../storage/store";
import { loadMask } from "../../masks/queries";
import { encodeMaskPng } from "../../masks/png-codec";
import { maskKey } from "../../masks/mutations";
import { cocoSummary } from "../../masks/rle";
import { dice } from "../../masks/measures";
import { imageEntry, recordAudit } from "../../audit/mutations";
import { acceptGroundTruth, reopenRedraw } from "../../protocol/mutations";
import { normaliseMaskStyle } from "../style";

type Tx = Prisma.TransactionClient;
type Kind = "MANUAL" | "MACHINE" | "REDRAW";
type Row = {
  candidateId: string;
  imageId: string;
  maskId: string;
  kind: Kind;
  storageKey: string;
  area: number;
  width: number;
  height: number;
  label: string;
  shownMaskId: string | null;
};

type CandidatePlan = {
  candidateId: string;
  originalMaskId: string;
  withheld: "EMPTY" | "SMALL" | null;
  mergedIntoId: string | null;
  /** The normalised rendering, already in storage; its row is written when the plan is applied. */
  shown: {
    id: string;
    storageKey: string;
    sha256: string;
    area: number;
    dice: number;
    /** COCO RLE and bbox, kept with the mask like every other mask's (what an export writes). */
    rleCounts: string;
    bbox: number[];
  } | null;
};
type ImagePlan = {
  imageId: string;
  width: number;
  height: number;
  outcome: "VOTE" | "UNCONTESTED" | "DRAW";
  manual: Row | null;
  candidates: CandidatePlan[];
};
export type CandidatesPlan = { roundId: string; projectId: string; images: ImagePlan[] };

/**
 * Readies a round's candidates for a content-blind vote (PROTOCOL.md, "Blind by content").
 * Done outside any transaction (it reads and writes mask files); `applyCandidatesPlan` then
 * writes the result in the transaction that opens the vote.
 * - On a COVID-19-labelled image, empty candidates and those below the project's minimum
 *   area are withheld.
 * - Each shown candidate gets its style-normalised rendering (a mask of its own, kind
 *   NORMALISED, traced to the original; their Dice recorded), when the project asks for it.
 * - Candidates whose shown masks agree at or above mergeDice share one position: the first
 *   stands for the others (mergedIntoId), so no two positions of a ballot are alike.
 * - Stage I with no machine candidate left: the manual mask is accepted without a vote.
 *   Stage II with no candidate left: straight to drawing.
 */
export async function planCandidates(roundId: string): Promise<CandidatesPlan> {
  const round = await db().round.findUniqueOrThrow({
    where: { id: roundId },
    select: { projectId: true, stage: true },
  });
  const project = await db().project.findUniqueOrThrow({
    where: { id: round.projectId },
    select: { mergeDice: true, minCandidateArea: true, styleNormalise: true },
  });
  const rows = await db().$queryRaw<Row[]>`
    SELECT c.id AS "candidateId", c."imageId", c."maskId", m.kind::text AS kind, m."storageKey", m.area, m.width, m.height,
           i.label::text AS label, c."shownMaskId"
    FROM "Candidate" c JOIN "Mask" m ON m.id = c."maskId" JOIN "Image" i ON i.id = c."imageId"
    WHERE c."roundId" = ${roundId}::uuid AND i.state NOT IN ('ACCEPTED', 'AWAITING_REDRAW', 'AWAITING_CONFIRMATION')
    ORDER BY c."imageId", c.id`;
  const byImage = new Map<string, Row[]>();
  for (const r of rows) byImage.set(r.imageId, [...(byImage.get(r.imageId) ?? []), r]);
  const images: ImagePlan[] = [];
  for (const [imageId, cands] of byImage) {
    const { width, height, label } = cands[0];
    const minArea = Math.max(1, Math.ceil(project.minCandidateArea * width * height));
    const plans: CandidatePlan[] = [];
    const shown: { row: Row; plan: CandidatePlan; mask: Uint8Array }[] = [];
    for (const c of cands) {
      const withheld = label === "COVID" && c.area < minArea ? (c.area === 0 ? "EMPTY" : "SMALL") : null;
      const plan: CandidatePlan = {
        candidateId: c.candidateId,
        originalMaskId: c.maskId,
        withheld,
        mergedIntoId: null,
        shown: null,
      };
      plans.push(plan);
      if (withheld) continue;
      let mask = (await loadMask(c.storageKey)).mask;
      if (c.shownMaskId) {
        const prior = await db().mask.findUniqueOrThrow({ where: { id: c.shownMaskId }, select: { storageKey: true } });
        mask = (await loadMask(prior.storageKey)).mask;
      } else if (project.styleNormalise) {
        const n = normaliseMaskStyle(mask, width, height);
        mask = n.mask;
        const id = uuidv7();
        const png = encodeMaskPng(mask, width, height);
        const storageKey = maskKey(round.projectId, id);
        await store().put(storageKey, png, { contentType: "image/png" });
        plan.shown = {
          id,
          storageKey,
          sha256: createHash("sha256").update(png).digest("hex"),
          dice: n.dice,
          ...cocoSummary(mask, width, height),
        };
      }
      shown.push({ row: c, plan, mask });
    }
    // One position per distinct mask: each candidate joins the first earlier one it agrees with.
    const heads: typeof shown = [];
    for (const s of shown) {
      const head = heads.find((h) => dice(h.mask, s.mask) >= project.mergeDice);
      if (head) s.plan.mergedIntoId = head.row.candidateId;
      else heads.push(s);
    }
    const manual = cands.find((c) => c.kind === "MANUAL") ?? null;
    const outcome =
      round.stage === "STAGE_I" && manual && !shown.some((s) => s.row.kind === "MACHINE")
        ? "UNCONTESTED"
        : shown.length
          ? "VOTE"
          : "DRAW";
    images.push({ imageId, width, height, outcome, manual, candidates: plans });
  }
  return { roundId, projectId: round.projectId, images };
}

/** Writes a plan in the transaction that opens the vote; returns the images that go to it. */
export async function applyCandidatesPlan(
  tx: Tx,
  round: { id: string; projectId: string; stage: "STAGE_I" | "STAGE_II" },
  plan: CandidatesPlan,
): Promise<string[]> {
  // Two set-based statements for every candidate of the round (a round can hold thousands):
  // the normalised renderings' rows, then each candidate's plan.
  const cands = plan.images.flatMap((img) => img.candidates.map((c) => ({ img, c })));
  const shown = cands.filter(({ c }) => c.shown);
  if (shown.length)
    await tx.$executeRaw`
      INSERT INTO "Mask" (id, "projectId", "imageId", kind, "roundId", "storageKey", sha256, area, width, height, "normalisedFromId", "rleCounts", bbox, "createdAt")
      SELECT u.id, ${round.projectId}::uuid, u.image, 'NORMALISED', ${round.id}::uuid, u.key, u.sha, u.area, u.w, u.h, u.orig, u.rle, u.bbox::int[], now()
      FROM unnest(${shown.map(({ c }) => c.shown!.id)}::uuid[], ${shown.map(({ img }) => img.imageId)}::uuid[],
                  ${shown.map(({ c }) => c.shown!.storageKey)}::text[], ${shown.map(({ c }) => c.shown!.sha256)}::text[],
                  ${shown.map(({ c }) => c.shown!.area)}::int[], ${shown.map(({ img }) => img.width)}::int[],
                  ${shown.map(({ img }) => img.height)}::int[], ${shown.map(({ c }) => c.originalMaskId)}::uuid[],
                  ${shown.map(({ c }) => c.shown!.rleCounts)}::text[], ${shown.map(({ c }) => `{${c.shown!.bbox.join(",")}}`)}::text[])
           AS u(id, image, key, sha, area, w, h, orig, rle, bbox)`;
  if (cands.length)
    await tx.$executeRaw`
      UPDATE "Candidate" c SET withheld = u.withheld, "mergedIntoId" = u.merged,
             "shownMaskId" = COALESCE(u.shown, c."shownMaskId"), "normalisedDice" = COALESCE(u.dice, c."normalisedDice")
      FROM unnest(${cands.map(({ c }) => c.candidateId)}::uuid[], ${cands.map(({ c }) => c.withheld)}::text[],
                  ${cands.map(({ c }) => c.mergedIntoId)}::uuid[], ${cands.map(({ c }) => c.shown?.id ?? null)}::uuid[],
                  ${cands.map(({ c }) => c.shown?.dice ?? null)}::float8[])
           AS u(id, withheld, merged, shown, dice)
      WHERE c.id = u.id`;
  const toVote: string[] = [];
  for (const img of plan.images) {
    if (img.outcome === "VOTE") toVote.push(img.imageId);
    else if (img.outcome === "UNCONTESTED") await acceptUncontested(tx, round, img);
    else {
      await reopenRedraw(tx, round.projectId, img.imageId, round.id);
      const about = { projectId: round.projectId, imageId: img.imageId };
      await recordAudit(
        imageEntry("vote.no_candidate", about, { roundId: round.id, withheld: img.candidates.length }),
        tx,
      );
    }
  }
  return toVote;
}

/**
 * Stage I, no machine candidate to compare with: the manual mask (its shown rendering) is the
 * ground truth without a vote — unless it is empty on a COVID-19 image, when acceptGroundTruth
 * sends it to a second MD first.
 */
async function acceptUncontested(
  tx: Tx,
  round: { id: string; projectId: string; stage: "STAGE_I" | "STAGE_II" },
  img: ImagePlan,
) {
  const manual = img.manual!;
  const cand = await tx.candidate.findUniqueOrThrow({
    where: { id: manual.candidateId },
    select: { shownMaskId: true },
  });
  const maskId = cand.shownMaskId ?? manual.maskId;
  const about = { projectId: round.projectId, imageId: img.imageId };
  await recordAudit(imageEntry("vote.uncontested", about, { roundId: round.id, maskId }), tx);
  await acceptGroundTruth(tx, {
    projectId: round.projectId,
    imageId: img.imageId,
    maskId,
    roundId: round.id,
    stage: round.stage,
    decision: "UNCONTESTED",
    sourceKind: "MANUAL",
  });
}
