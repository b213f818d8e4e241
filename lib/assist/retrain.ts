import type { Prisma } from "../db/generated/client";

/**
 * The training-in-the-loop rule, run in the transaction that accepts a mask: when the project
 * retrains every N masks and N more are accepted than the newest click model was trained on,
 * queue one interactive_train job. The singleton key (project + N-bucket) makes repeats and
 * concurrent accepts queue it once.
 */
export async function scheduleRetrainIfDue(tx: Prisma.TransactionClient, projectId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "Job" (id, name, payload, "singletonKey", priority, "runAfter", "maxAttempts", "projectId")
    SELECT gen_random_uuid(), 'interactive_train', jsonb_build_object('projectId', p.id, 'acceptedMasks', c.n),
           'interactive-train:' || p.id || ':' || (c.n / p."interactiveRetrainEvery"), 0, now(), 3, p.id
    FROM "Project" p,
         LATERAL (SELECT count(*)::int AS n FROM "GroundTruth" g WHERE g."projectId" = p.id AND g."isCurrent" AND g."maskId" IS NOT NULL) c
    WHERE p.id = ${projectId}::uuid AND p."interactiveRetrainEvery" IS NOT NULL
      AND c.n >= COALESCE((SELECT max(m."trainedOnMasks") FROM "InteractiveModel" m WHERE m."projectId" = p.id), 0) + p."interactiveRetrainEvery"
    ON CONFLICT ("singletonKey") DO NOTHING`;
}
