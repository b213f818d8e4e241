import "server-only";
import { db } from "../db/client";

/** Hands the simulated MDs' leftover claims back, so real users find the tasks open. */
export async function releaseClaims(projectId: string) {
  await db().task.updateMany({
    where: { projectId, status: "CLAIMED" },
    data: { status: "OPEN", assigneeId: null, claimedAt: null },
  });
}

/** The admin who created a demo project steps out of it (demo users act in their roles). */
export async function removeMember(projectId: string, userId: string) {
  await db().membership.deleteMany({ where: { projectId, userId } });
}
