import "server-only";
import { createHash } from "node:crypto";
import { recordAudit } from "../audit/mutations";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { store } from "../storage/store";
import { assertRegionInside, maskDicomOriginal, maskRasterOriginal, maskWorkingImage } from "./mask-region";
import { pendingBurnedInCount, REVIEW_ROLES } from "./queries";
import { burnedInDecisionSchema } from "./schema";
import { reviewStateOf, type BurnedInResult, type Region } from "./types";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

type Locked = {
  id: string;
  projectId: string;
  width: number;
  height: number;
  sourceFormat: "PNG" | "JPEG" | "DICOM";
  storageKey: string;
  originalKey: string;
  thumbKey: string;
  burnedInReview: string | null;
};

/**
 * Paints the rectangle black in the working PNG, its thumbnail and the stored original. Objects
 * are overwritten in place; painting twice gives the same pixels, so a retry after a failure
 * part-way is safe. Returns the new objects' checksums for the audit log.
 */
async function maskEverywhere(img: Locked, region: Region) {
  assertRegionInside(region, img.width, img.height);
  const [working, original] = await Promise.all([store().get(img.storageKey), store().get(img.originalKey)]);
  const masked = await maskWorkingImage(working, region);
  const newOriginal =
    img.sourceFormat === "DICOM"
      ? maskDicomOriginal(original, region)
      : await maskRasterOriginal(original, img.sourceFormat, region);
  await store().put(img.originalKey, newOriginal);
  await store().put(img.storageKey, masked.workingPng, { contentType: "image/png" });
  await store().put(img.thumbKey, masked.thumbnail, { contentType: "image/jpeg" });
  return {
    originalBefore: sha256(original),
    originalAfter: sha256(newOriginal),
    workingBefore: sha256(working),
    workingAfter: sha256(masked.workingPng),
  };
}

/**
 * A lead's decision on an image held back for burned-in text: RELEASE (exportable as it is),
 * EXCLUDE (blocked from exports for good) or MASK (the rectangle painted out of every stored
 * copy, then exportable). The row is locked for the whole decision, so two leads deciding at
 * once cannot both act; the decision is audited with the checksums of what changed.
 */
export async function decideBurnedIn(actor: Actor, imageId: string, input: unknown): Promise<BurnedInResult> {
  const d = burnedInDecisionSchema.parse(input);
  const head = await db().image.findUnique({ where: { id: imageId }, select: { projectId: true } });
  if (!head) throw new AppError("NOT_FOUND", "Image not found");
  await requireProjectRole(actor, head.projectId, [...REVIEW_ROLES]);
  const review = reviewStateOf[d.decision];

  await db().$transaction(
    async (tx) => {
      const [img] = await tx.$queryRaw<Locked[]>`
        SELECT id, "projectId", width, height, "sourceFormat"::text AS "sourceFormat", "storageKey", "originalKey", "thumbKey", "burnedInReview"::text AS "burnedInReview"
        FROM "Image" WHERE id = ${imageId}::uuid FOR UPDATE`;
      if (img.burnedInReview !== "PENDING") {
        throw new AppError(
          "CONFLICT",
          img.burnedInReview
            ? `This image was already reviewed (${img.burnedInReview})`
            : "This image is not awaiting burned-in review",
        );
      }
      const changed = d.decision === "MASK" ? await maskEverywhere(img, d.region!) : null;
      await tx.image.update({
        where: { id: imageId },
        data: {
          burnedInReview: review,
          burnedInReviewedById: actor.userId,
          burnedInReviewedAt: new Date(),
          burnedInRegion: d.region ? { ...d.region } : undefined,
          // The working PNG was rewritten: its stored hash follows (exports list it as is).
          ...(changed ? { workingSha256: changed.workingAfter } : {}),
          ...(d.decision === "EXCLUDE" ? { exportBlocked: true } : {}),
          version: { increment: 1 },
        },
      });
      await recordAudit(
        {
          action: "image.burned_in_review",
          objectType: "Image",
          objectId: imageId,
          projectId: img.projectId,
          actorId: actor.userId,
          before: { burnedInReview: "PENDING" },
          after: { burnedInReview: review, decision: d.decision, region: d.region ?? null, ...(changed ?? {}) },
        },
        tx,
      );
    },
    { timeout: 120_000, maxWait: 10_000 },
  );

  const next = await db().image.findFirst({
    where: { projectId: head.projectId, burnedInReview: "PENDING", exportBlocked: false },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  const pending = await pendingBurnedInCount(head.projectId);
  return { imageId, review, pending, nextImageId: next?.id ?? null };
}
