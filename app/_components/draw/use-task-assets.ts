"use client";
import { useEffect, useState } from "react";
import type { TaskView } from "@/lib/drawing/types";
import { fetchDraft, fetchStartMask, fetchWorkingImage } from "./draw-api";
import { decodeGrayBlob, decodeMaskBlob } from "./mask-decode";
import { MaskPainter } from "./mask-painter";

export type Assets = { gray: Uint8Array; painter: MaskPainter; version: number };

/**
 * The CXR at full resolution and the mask to continue: the saved draft if there is one,
 * the redraw under review for a confirmation, otherwise empty.
 */
export function useTaskAssets(task: TaskView) {
  const [assets, setAssets] = useState<Assets | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    (async () => {
      const { width, height } = task.image;
      const [img, draft] = await Promise.all([
        fetchWorkingImage(task.image.id).then(decodeGrayBlob),
        task.draft?.hasMask ? fetchDraft(task.id) : null,
      ]);
      if (img.width !== width || img.height !== height)
        throw new Error("The image does not have the size the task expects");
      const painter = new MaskPainter(width, height);
      let version = task.draft?.version ?? 0;
      if (draft) {
        painter.load(await decodeMaskBlob(draft.blob, width, height));
        version = draft.version;
      } else if (task.kind === "CONFIRM" && task.startMasks > 0) {
        painter.load(await decodeMaskBlob(await fetchStartMask(task.id, 0), width, height));
      }
      if (live) setAssets({ gray: img.gray, painter, version });
    })().catch((e) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [task]);
  return { assets, error };
}
