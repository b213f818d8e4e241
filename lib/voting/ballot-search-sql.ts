import { Prisma } from "../db/generated/client";

// The next-ballot search. Rows are the image with its shown candidates, locked FOR UPDATE. It is
// not prepared: its generic plan (no project, round or voter known) ran about 15x slower than
// planning each call.
//
// Each search starts at a random key and takes the first votable image from there, so voters
// are served images in random order and rarely meet: searches that all started at the first
// image walked past every image the other voters held before finding a free one.

export type OwnDrawings = "none-drawn" | "skip" | "last-resort";
export type SearchRow = { id: string; width: number; height: number; extra: number; candidates: string[] };
export type SearchArgs = {
  projectId: string;
  roundId: string;
  voterId: string;
  /** Images already found full in this call. */
  skipped: string[];
  votesPerImage: number;
  /** Ballots the caller excludes. */
  exclude: string[];
  /** Where to start in the images' shuffle keys. */
  start: number;
};

/** The lowest shuffle key: a search from it sees every image. */
export const FIRST_KEY = -(2 ** 31);

// Who drew a shown candidate of image i (manual or redraw).
const drew = (
  a: SearchArgs,
  user: Prisma.Sql,
) => Prisma.sql`EXISTS (SELECT 1 FROM "Candidate" dc JOIN "Mask" dm ON dm.id = dc."maskId"
  WHERE dc."roundId" = ${a.roundId}::uuid AND dc."imageId" = i.id AND dm."authorId" = ${user} AND dm.kind IN ('MANUAL', 'REDRAW'))`;

// "none-drawn": the voter drew no candidate of this round, so no author check is needed.
// "skip": images the voter drew are passed over. "last-resort": only images the voter drew
// that no other active MD, who has neither voted on nor drawn them, could take.
function ownClause(own: OwnDrawings, a: SearchArgs): Prisma.Sql {
  const voter = Prisma.sql`${a.voterId}::uuid`;
  if (own === "none-drawn") return Prisma.empty;
  if (own === "skip") return Prisma.sql`AND NOT ${drew(a, voter)}`;
  return Prisma.sql`AND ${drew(a, voter)} AND NOT EXISTS (
      SELECT 1 FROM "Membership" mm JOIN "User" u ON u.id = mm."userId" AND NOT u.disabled
      WHERE mm."projectId" = ${a.projectId}::uuid AND 'MD' = ANY(mm.roles) AND mm."userId" <> ${a.voterId}::uuid
        AND NOT EXISTS (SELECT 1 FROM "Vote" v WHERE v."roundId" = ${a.roundId}::uuid AND v."imageId" = i.id AND v."voterId" = mm."userId")
        AND NOT ${drew(a, Prisma.raw('mm."userId"'))})`;
}

export function ballotSearch(own: OwnDrawings, wait: boolean, a: SearchArgs): Prisma.Sql {
  return Prisma.sql`SELECT i.id, i.width, i.height, i."extraVotes" AS extra,
       ARRAY(SELECT c.id::text FROM "Candidate" c WHERE c."roundId" = ${a.roundId}::uuid AND c."imageId" = i.id
               AND c.withheld IS NULL AND c."mergedIntoId" IS NULL ORDER BY c.id) AS candidates
FROM "Image" i
WHERE i."projectId" = ${a.projectId}::uuid AND i.state = 'AWAITING_VOTE' AND NOT (i.id = ANY(${a.skipped}::uuid[]))
  AND NOT EXISTS (SELECT 1 FROM "Vote" v WHERE v."roundId" = ${a.roundId}::uuid AND v."imageId" = i.id AND v."voterId" = ${a.voterId}::uuid)
  AND NOT EXISTS (SELECT 1 FROM "Ballot" b WHERE b."roundId" = ${a.roundId}::uuid AND b."imageId" = i.id AND b."voterId" = ${a.voterId}::uuid
                    AND (b."closedAt" IS NULL OR b.id = ANY(${a.exclude}::uuid[])))
  AND (SELECT count(*) FROM "Vote" v WHERE v."roundId" = ${a.roundId}::uuid AND v."imageId" = i.id)
    + (SELECT count(*) FROM "Ballot" b WHERE b."roundId" = ${a.roundId}::uuid AND b."imageId" = i.id AND b."closedAt" IS NULL AND b."leaseUntil" > now())
    < ${a.votesPerImage} + i."extraVotes"
  AND i."shuffleKey" >= ${a.start}
  ${ownClause(own, a)}
ORDER BY i."shuffleKey" LIMIT 1
FOR UPDATE OF i ${wait ? Prisma.empty : Prisma.raw("SKIP LOCKED")}`;
}
