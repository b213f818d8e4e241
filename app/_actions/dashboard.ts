"use server";
import { z } from "zod";
import { action, type ActionResult } from "@/app/_lib/action";
import { startStage1, startStage1Training, startStage2Round } from "@/lib/protocol/mutations";
import { retryProjectJob, selectSubsetFromSettings } from "@/lib/dashboard/mutations";
import type { NextAction } from "@/lib/dashboard/types";

const ids = z.string().uuid();
const actions = z.enum(["select-subset", "start-stage1", "start-stage1-training", "start-stage2-round"]);

// Server actions the dashboard components call (shared components may import app/_actions/, never a page folder).
// The next-step button: each step is the protocol's own domain function (leads only).
const nextStep = action(z.object({ projectId: ids, action: actions }), async (user, { projectId, action: step }) => {
  switch (step) {
    case "select-subset":
      await selectSubsetFromSettings(user, projectId);
      return;
    case "start-stage1":
      await startStage1(user, projectId);
      return;
    case "start-stage1-training":
      await startStage1Training(user, projectId);
      return;
    case "start-stage2-round":
      await startStage2Round(user, projectId);
      return;
  }
});

const retry = action(z.object({ projectId: ids, jobId: ids }), async (user, { projectId, jobId }) => {
  await retryProjectJob(user, projectId, jobId);
});

export async function startNextStepAction(projectId: string, step: NextAction): Promise<ActionResult> {
  return nextStep({ projectId, action: step });
}

export async function retryJobAction(projectId: string, jobId: string): Promise<ActionResult> {
  return retry({ projectId, jobId });
}
