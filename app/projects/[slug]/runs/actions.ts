"use server";
import { z } from "zod";
import { action, type ActionResult } from "@/app/_lib/action";
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
