import "server-only";
import type { Prisma } from "../../db/generated/client";
import { AppError } from "../../errors/app-error";

export type Tx = Prisma.TransactionClient;

/** Locks the project row: one protocol step at a time per project. */
export async function lockProject(tx: Tx, projectId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Project" WHERE id = ${projectId}::uuid FOR UPDATE`;
  if (!rows.length) throw new AppError("NOT_FOUND", "Project not found");
  return tx.project.findUniqueOrThrow({ where: { id: projectId } });
}

export async function latestRound(tx: Tx, projectId: string) {
  return tx.round.findFirst({ where: { projectId }, orderBy: { number: "desc" } });
}
