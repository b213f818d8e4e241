"use server";
import { z } from "zod";
import { requireUser } from "@/app/_lib/session";
import { isAppError } from "@/lib/errors/app-error";
import { updateIngestSettings } from "@/lib/projects/mutations";
import type { IngestSettings } from "@/lib/projects/schema";

export type IngestActionResult = { ok: true; saved: IngestSettings } | { ok: false; error: string };

/** Saves the project's DICOM ingest settings (leads only; the domain function checks). */
export async function saveIngestSettingsAction(projectId: string, input: unknown): Promise<IngestActionResult> {
  try {
    const user = await requireUser();
    const saved = await updateIngestSettings(user, z.string().uuid().parse(projectId), input as IngestSettings);
    return { ok: true, saved };
  } catch (e) {
    if (isAppError(e)) return { ok: false, error: e.message };
    if (e instanceof z.ZodError)
      return { ok: false, error: e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
    throw e;
  }
}
