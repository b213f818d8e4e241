"use server";
import { z } from "zod";
import { action, type ActionResult } from "@/app/_lib/action";
import { startStage1, startStage1Training, startStage2Round } from "@/lib/protocol/mutations";
import { retryProjectJob, selectSubsetFromSettings } from "@/lib/dashboard/mutations";
import type { NextAction } from "@/lib/dashboard/types";

const ids = z.string().uuid();
// The next-step button: each step is the protocol's own domain function (leads only).
const steps = {
  "select-subset": selectSubsetFromSettings,
  "start-stage1": startStage1,
  "start-stage1-training": startStage1Training,
  "start-stage2-round": startStage2Round,
} satisfies Record<NextAction, unknown>;
const actions = z.enum(Object.keys(steps) as [NextAction, ...NextAction[]]);

// Server actions the dashboard components call (shared components may import app/_actions/, never a page folder).
const nextStep = action(z.object({ projectId: ids, action: actions }), async (user, { projectId, action: step }) => {
  await steps[step](user, projectId);
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
