import { createHash } from "node:crypto";
import { uuidv7 } from "../db/uuid";
import { store } from "../storage/store";
import { key } from "../storage/keys";
import type { Prisma } from "../db/generated/client";
import { encodeMaskPng } from "./png-codec";
import { maskArea } from "./measures";

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
  elapsedMs?: number | null;
  provenance?: Prisma.InputJsonValue | null;
};

export function maskKey(projectId: string, maskId: string): string {
  return key("projects", projectId, "masks", `${maskId}.png`);
}

/**
 * Writes the canonical PNG to storage, then the row (inside the caller's transaction):
 * a crash between the two leaves at most an orphan object, never a row without its file.
 */
export async function createMask(tx: Prisma.TransactionClient, m: NewMask) {
  const id = uuidv7();
  const png = encodeMaskPng(m.mask, m.width, m.height);
  const storageKey = maskKey(m.projectId, id);
  await store().put(storageKey, png, { contentType: "image/png" });
  return tx.mask.create({
    data: {
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
      sha256: createHash("sha256").update(png).digest("hex"),
      area: maskArea(m.mask),
      width: m.width,
      height: m.height,
      elapsedMs: m.elapsedMs ?? null,
      provenance: m.provenance ?? undefined,
    },
  });
}
