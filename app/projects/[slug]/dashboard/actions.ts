"use server";
import { z } from "zod";
import { requireUser } from "@/app/_lib/session";
import { isAppError } from "@/lib/errors/app-error";
import { startStage1, startStage1Training, startStage2Round } from "@/lib/protocol/mutations";
import { retryProjectJob, selectSubsetFromSettings } from "@/lib/dashboard/mutations";
import type { NextAction } from "@/lib/dashboard/types";

export type ActionResult = { ok: true } | { ok: false; error: string };

const ids = z.string().uuid();
const actions = z.enum(["select-subset", "start-stage1", "start-stage1-training", "start-stage2-round"]);

async function settle(fn: () => Promise<unknown>): Promise<ActionResult> {
  try {
    await fn();
    return { ok: true };
  } catch (e) {
    if (isAppError(e)) return { ok: false, error: e.message };
    if (e instanceof z.ZodError) return { ok: false, error: e.issues.map((i) => i.message).join("; ") };
    throw e;
  }
}

/** The dashboard's next-step button: each step is the protocol's own domain function (leads only). */
export async function startNextStepAction(projectId: string, action: NextAction): Promise<ActionResult> {
  return settle(async () => {
    const user = await requireUser();
    const id = ids.parse(projectId);
    switch (actions.parse(action)) {
      case "select-subset":
        return selectSubsetFromSettings(user, id);
      case "start-stage1":
        return startStage1(user, id);
      case "start-stage1-training":
        return startStage1Training(user, id);
      case "start-stage2-round":
        return startStage2Round(user, id);
    }
  });
}

export async function retryJobAction(projectId: string, jobId: string): Promise<ActionResult> {
  return settle(async () => retryProjectJob(await requireUser(), ids.parse(projectId), ids.parse(jobId)));
}
