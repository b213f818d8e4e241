import "server-only";
import { db } from "../../db/client";
import { AppError } from "../../errors/app-error";
import type { Actor } from "../../auth/types";
import { ballotLeaseMs } from "../types";

/**
 * Takes or renews a ballot's lease: the ballot holds its image while its MD is active on it.
 * A renewal of a live lease is one statement; otherwise, under the image row lock (which
 * nextBallot takes too), the lease is granted only while the image still has a free slot
 * (votes plus other voters' live leases below what it needs). When it has none the ballot is
 * closed and `held` is false: the page moves on to the next ballot.
 */
export async function holdBallot(actor: Actor, ballotId: string): Promise<{ held: boolean }> {
  const lease = ballotLeaseMs();
  const renewed = await db().$executeRaw`
    UPDATE "Ballot" SET "leaseUntil" = now() + ${lease} * interval '1 millisecond'
    WHERE id = ${ballotId}::uuid AND "voterId" = ${actor.userId}::uuid AND "closedAt" IS NULL AND "leaseUntil" > now()`;
  if (renewed) return { held: true };
  return db().$transaction(async (tx) => {
    const b = await tx.ballot.findUnique({
      where: { id: ballotId },
      select: { voterId: true, imageId: true, roundId: true, closedAt: true },
    });
    if (!b || b.voterId !== actor.userId) throw new AppError("NOT_FOUND", "Ballot not found");
    if (b.closedAt) return { held: false };
    await tx.$queryRaw`SELECT 1 FROM "Image" WHERE id = ${b.imageId}::uuid FOR UPDATE`;
    const r = await tx.$queryRaw<{ open: boolean; used: number; needed: number; voted: boolean }[]>`
      SELECT i.state = 'AWAITING_VOTE' AND rd.status = 'VOTING' AS open,
             ((SELECT count(*) FROM "Vote" v WHERE v."roundId" = rd.id AND v."imageId" = i.id)
              + (SELECT count(*) FROM "Ballot" o WHERE o."roundId" = rd.id AND o."imageId" = i.id AND o.id <> ${ballotId}::uuid
                   AND o."closedAt" IS NULL AND o."leaseUntil" > now()))::int AS used,
             p."votesPerImage" + i."extraVotes" AS needed,
             EXISTS (SELECT 1 FROM "Vote" v WHERE v."ballotId" = ${ballotId}::uuid) AS voted
      FROM "Image" i JOIN "Project" p ON p.id = i."projectId" JOIN "Round" rd ON rd.id = ${b.roundId}::uuid
      WHERE i.id = ${b.imageId}::uuid`;
    const s = r[0];
    if (!s.open || s.voted || s.used >= s.needed) {
      await tx.ballot.update({ where: { id: ballotId }, data: { closedAt: new Date(), leaseUntil: null } });
      return { held: false };
    }
    await tx.$executeRaw`UPDATE "Ballot" SET "leaseUntil" = now() + ${lease} * interval '1 millisecond' WHERE id = ${ballotId}::uuid`;
    return { held: true };
  });
}

/** The page left (tab hidden or closed): the ballot stops holding its image at once. */
export async function releaseBallot(actor: Actor, ballotId: string): Promise<{ released: boolean }> {
  const n = await db().$executeRaw`
    UPDATE "Ballot" SET "leaseUntil" = NULL
    WHERE id = ${ballotId}::uuid AND "voterId" = ${actor.userId}::uuid AND "closedAt" IS NULL`;
  if (n > 0) return { released: true };
  const b = await db().ballot.findUnique({ where: { id: ballotId }, select: { voterId: true } });
  if (!b || b.voterId !== actor.userId) throw new AppError("NOT_FOUND", "Ballot not found");
  return { released: false };
}
