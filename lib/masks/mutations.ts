import "server-only";
import { createHash } from "node:crypto";
import { db } from "../db/client";
import { uuidv7 } from "../db/uuid";
import { store } from "../storage/store";
import { key } from "../storage/keys";
import type { Prisma } from "../db/generated/client";
import { encodeMaskPng } from "./png-codec";
import { cocoSummary } from "./rle";

export type NewMask = {
  projectId: string;
  imageId: string;
  kind: "MANUAL" | "MACHINE" | "REDRAW";
  mask: Uint8Array;
  width: number;
  height: number;
  authorId?: string | null;
  modelRunId?: string | null;
  roundId?: string | null;
  taskId?: string | null;
  probKey?: string | null;
  /** A machine mask's presence-head probability (models with the head). */
  presence?: number | null;
  elapsedMs?: number | null;
  provenance?: Prisma.InputJsonValue | null;
};

export function maskKey(projectId: string, maskId: string): string {
  return key("projects", projectId, "masks", `${maskId}.png`);
}

/**
 * Encodes the canonical PNG, stores it and returns the row to insert: hash, area, COCO RLE and
 * bbox are all computed here, once, from the pixels in hand (masks never change afterwards).
 */
export async function storeMask(m: NewMask) {
  const id = uuidv7();
  const png = encodeMaskPng(m.mask, m.width, m.height);
  const storageKey = maskKey(m.projectId, id);
  const stored = store().put(storageKey, png, { contentType: "image/png" });
  // The area is the RLE's foreground count: one pass over the pixels for all three.
  const { rleCounts, bbox, area } = cocoSummary(m.mask, m.width, m.height);
  await stored;
  return {
    id,
    projectId: m.projectId,
    imageId: m.imageId,
    kind: m.kind,
    authorId: m.authorId ?? null,
    modelRunId: m.modelRunId ?? null,
    roundId: m.roundId ?? null,
    taskId: m.taskId ?? null,
    storageKey,
    probKey: m.probKey ?? null,
    presence: m.presence ?? null,
    sha256: createHash("sha256").update(png).digest("hex"),
    area,
    width: m.width,
    height: m.height,
    elapsedMs: m.elapsedMs ?? null,
    provenance: m.provenance ?? undefined,
    rleCounts,
    bbox,
  } satisfies Prisma.MaskUncheckedCreateInput;
}

/**
 * Writes the canonical PNG to storage, then the row (inside the caller's transaction):
 * a crash between the two leaves at most an orphan object, never a row without its file.
 */
export async function createMask(tx: Prisma.TransactionClient, m: NewMask) {
  return tx.mask.create({ data: await storeMask(m) });
}

/** Saves COCO RLE and bbox computed later for masks stored before they were kept with the mask. */
export async function saveMaskSummaries(rows: { maskId: string; rleCounts: string; bbox: number[] }[]): Promise<void> {
  if (!rows.length) return;
  const json = JSON.stringify(rows.map((r) => ({ id: r.maskId, counts: r.rleCounts, bbox: r.bbox })));
  await db().$executeRaw`
    UPDATE "Mask" m SET "rleCounts" = v.counts, bbox = v.bbox
    FROM jsonb_to_recordset(${json}::jsonb) AS v(id uuid, counts text, bbox int[])
    WHERE m.id = v.id AND m."rleCounts" IS NULL`;
}
