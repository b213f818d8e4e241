"use server";
import { z } from "zod";
import { action, type ActionResult } from "@/app/_lib/action";
import { setInferencePrecision } from "@/lib/projects/mutations";
import { precisionSchema } from "@/lib/projects/schema";
import { startClassifierTraining } from "@/lib/protocol/mutations";
import { startClassifierTrainingSchema } from "@/lib/protocol/schema";

const start = action(
  z.object({ projectId: z.string().uuid(), training: startClassifierTrainingSchema }),
  async (user, { projectId, training }) => {
    const { runIds } = await startClassifierTraining(user, projectId, training);
    return { runs: runIds.length };
  },
);

/** Starts a classifier's k-fold training (leads only; the domain function checks). */
export async function startClassifierTrainingAction(
  projectId: string,
  training: unknown,
): Promise<ActionResult<{ runs: number }>> {
  return start({ projectId, training });
}

const precision = action(
  z.object({ projectId: z.string().uuid(), choice: precisionSchema }),
  async (user, { projectId, choice }) => setInferencePrecision(user, projectId, choice),
);

/** Sets the project's prediction precision (leads only; the domain function checks). */
export async function setInferencePrecisionAction(projectId: string, choice: unknown) {
  return precision({ projectId, choice });
}
