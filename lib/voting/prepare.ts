import { createHash } from "node:crypto";
import type { Prisma } from "../db/generated/client";
import { uuidv7 } from "../db/uuid";
import { store } from "../storage/store";
import { loadMask } from "../masks/queries";
import { encodeMaskPng } from "../masks/png-codec";
import { maskKey } from "../masks/mutations";
import { dice, maskArea } from "../masks/measures";
import { recordAudit } from "../audit/mutations";
import { acceptGroundTruth, reopenRedraw } from "../protocol/mutations";
import { normaliseMaskStyle } from "./style";

type Tx = Prisma.TransactionClient;

type Row = { candidateId: string; imageId: string; maskId: string; kind: "MANUAL" | "MACHINE" | "REDRAW"; storageKey: string; area: number; width: number; height: number; label: string; authorId: string | null; shownMaskId: string | null };

/**
 * Readies a round's candidates for a content-blind vote (PROTOCOL.md, "Blind by content"),
 * image by image, before the vote opens. Idempotent: prepared candidates are skipped.
 * - On a COVID-19-labelled image, empty candidates and those below the project's minimum
 *   area are withheld.
 * - Each shown candidate gets its style-normalised rendering (a mask of its own, traced to
 *   the original; the Dice between the two recorded), when the project asks for it.
 * - Candidates whose shown masks agree at or above mergeDice share one position: the first
 *   stands for the others (mergedIntoId), so no two positions of a ballot are alike.
 * - Stage I with no machine candidate left: the manual mask is accepted without a vote (an
 *   empty one waits for a second MD's confirmation). Stage II with none left: straight to
 *   drawing.
 * Returns the ids of the images that go to the vote.
 */
export async function prepareCandidates(tx: Tx, round: { id: string; projectId: string; stage: "STAGE_I" | "STAGE_II" }): Promise<string[]> {
  const project = await tx.project.findUniqueOrThrow({ where: { id: round.projectId }, select: { mergeDice: true, minCandidateArea: true, styleNormalise: true } });
  const rows = await tx.$queryRaw<Row[]>`
    SELECT c.id AS "candidateId", c."imageId", c."maskId", m.kind::text AS kind, m."storageKey", m.area, m.width, m.height,
           i.label::text AS label, m."authorId", c."shownMaskId"
    FROM "Candidate" c JOIN "Mask" m ON m.id = c."maskId" JOIN "Image" i ON i.id = c."imageId"
    WHERE c."roundId" = ${round.id}::uuid AND i.state NOT IN ('ACCEPTED', 'AWAITING_REDRAW', 'AWAITING_CONFIRMATION')
    ORDER BY c."imageId", c.id`;
  const byImage = new Map<string, Row[]>();
  for (const r of rows) byImage.set(r.imageId, [...(byImage.get(r.imageId) ?? []), r]);
  const toVote: string[] = [];
  for (const [imageId, cands] of byImage) {
    const { width, height, label } = cands[0];
    const minArea = Math.max(1, Math.ceil(project.minCandidateArea * width * height));
    const shown: { row: Row; mask: Uint8Array }[] = [];
    for (const c of cands) {
      const withheld = label === "COVID" && c.area < minArea ? (c.area === 0 ? "EMPTY" : "SMALL") : null;
      if (withheld) {
        await tx.candidate.update({ where: { id: c.candidateId }, data: { withheld, mergedIntoId: null } });
        continue;
      }
      const original = (await loadMask(c.storageKey)).mask;
      let mask = original;
      if (project.styleNormalise) {
        const n = normaliseMaskStyle(original, width, height);
        mask = n.mask;
        const shownMaskId = c.shownMaskId ?? (await storeNormalised(tx, round, c, mask));
        await tx.candidate.update({ where: { id: c.candidateId }, data: { shownMaskId, normalisedDice: n.dice } });
      }
      shown.push({ row: c, mask });
    }
    // One position per distinct mask: each candidate joins the first earlier one it agrees with.
    const heads: { row: Row; mask: Uint8Array }[] = [];
    for (const s of shown) {
      const head = heads.find((h) => dice(h.mask, s.mask) >= project.mergeDice);
      if (!head) heads.push(s);
      await tx.candidate.update({ where: { id: s.row.candidateId }, data: { withheld: null, mergedIntoId: head ? head.row.candidateId : null } });
    }
    const machineLeft = shown.some((s) => s.row.kind === "MACHINE");
    const manual = cands.find((c) => c.kind === "MANUAL");
    if (round.stage === "STAGE_I" && !machineLeft && manual) {
      await acceptUncontested(tx, round, imageId, manual, shown.find((s) => s.row === manual));
      continue;
    }
    if (!shown.length) {
      await reopenRedraw(tx, round.projectId, imageId, round.id);
      await recordAudit({ action: "vote.no_candidate", objectType: "Image", objectId: imageId, projectId: round.projectId, after: { roundId: round.id, withheld: cands.length } }, tx);
      continue;
    }
    toVote.push(imageId);
  }
  return toVote;
}

async function storeNormalised(tx: Tx, round: { id: string; projectId: string }, c: Row, mask: Uint8Array): Promise<string> {
  const id = uuidv7();
  const png = encodeMaskPng(mask, c.width, c.height);
  const storageKey = maskKey(round.projectId, id);
  await store().put(storageKey, png, { contentType: "image/png" });
  await tx.mask.create({
    data: { id, projectId: round.projectId, imageId: c.imageId, kind: "NORMALISED", roundId: round.id, storageKey, sha256: createHash("sha256").update(png).digest("hex"), area: maskArea(mask), width: c.width, height: c.height, normalisedFromId: c.maskId },
  });
  return id;
}

/**
 * Stage I, no machine candidate to compare with: the manual mask (its shown rendering) is the
 * ground truth without a vote, unless it is empty on a COVID-19 image: then a second MD
 * confirms it first.
 */
async function acceptUncontested(tx: Tx, round: { id: string; projectId: string; stage: "STAGE_I" | "STAGE_II" }, imageId: string, manual: Row, shown: { mask: Uint8Array } | undefined) {
  const cand = await tx.candidate.findUniqueOrThrow({ where: { id: manual.candidateId }, select: { shownMaskId: true } });
  const maskId = cand.shownMaskId ?? manual.maskId;
  await recordAudit({ action: "vote.uncontested", objectType: "Image", objectId: imageId, projectId: round.projectId, after: { roundId: round.id, maskId, empty: !shown } }, tx);
  await acceptGroundTruth(tx, { projectId: round.projectId, imageId, maskId, roundId: round.id, stage: round.stage, decision: "UNCONTESTED", sourceKind: "MANUAL" });
}
