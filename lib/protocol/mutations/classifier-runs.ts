import "server-only";
// Image-level classifiers (Deep-COVID's baselines): k-fold runs outside every round, so they
// never predict candidate masks and never enter a vote.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { AppError } from "../../errors/app-error";
import { recordAudit } from "../../audit/mutations";
import { requireProjectRole } from "../../auth/authorize";
import type { Actor } from "../../auth/types";
import { enqueue } from "../../jobs/queue";
import { classifierFolds, type LabelledImage } from "../classifier-folds";
import { startClassifierTrainingSchema } from "../schema";
import type { ClassifierTrainConfig } from "../types";

/** One train job per fold; refuses a project without both classes or with too few images per fold. */
export async function startClassifierTraining(
  actor: Actor,
  projectId: string,
  input: z.input<typeof startClassifierTrainingSchema>,
) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const opts = startClassifierTrainingSchema.parse(input);
  const result = await db().$transaction(async (tx) => {
    const project = await tx.project.findUniqueOrThrow({
      where: { id: projectId },
      select: { folds: true, s1Seed: true },
    });
    const images = (await tx.image.findMany({
      where: { projectId, label: { in: ["COVID", "CONTROL"] } },
      select: { id: true, patientPseudonym: true, label: true },
      orderBy: { id: "asc" },
    })) as { id: string; patientPseudonym: string | null; label: LabelledImage["label"] }[];
    const { folds, problem } = classifierFolds(
      images.map((i) => ({ id: i.id, patient: i.patientPseudonym, label: i.label })),
      project.folds,
      project.s1Seed,
    );
    if (problem !== null) throw new AppError("BAD_REQUEST", problem);
    const config: ClassifierTrainConfig = {
      task: "classify",
      preset: opts.preset,
      group: randomUUID(),
      folds: project.folds,
      ...(opts.epochs ? { epochs: opts.epochs } : {}),
      ...(opts.size ? { size: opts.size } : {}),
    };
    const runIds: string[] = [];
    for (let f = 0; f < project.folds; f++) {
      const run = await tx.modelRun.create({
        data: { projectId, arch: opts.arch, encoder: opts.arch, fold: f, config: config as Prisma.InputJsonValue },
      });
      await tx.modelRunImage.createMany({
        data: images.map((i) => ({ runId: run.id, imageId: i.id, trained: folds.get(i.id) !== f })),
      });
      runIds.push(run.id);
    }
    await recordAudit(
      {
        action: "classifier.train_start",
        objectType: "Project",
        objectId: projectId,
        projectId,
        actorId: actor.userId,
        after: { arch: opts.arch, preset: opts.preset, group: config.group, runs: runIds.length },
      },
      tx,
    );
    return { group: config.group, runIds };
  });
  for (const runId of result.runIds) await enqueue("train", { runId }, { singletonKey: `train:${runId}`, projectId });
  return result;
}
