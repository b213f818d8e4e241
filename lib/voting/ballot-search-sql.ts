// The next-ballot search, as SQL text: $1 project, $2 round, $3 voter, $4 images already found
// full in this call, $5 votes per image, $6 ballots the caller excludes, $7 where to start in
// the images' random shuffle keys. Rows are the image with its shown candidates, locked FOR
// UPDATE. The text is one of six fixed strings. It is not prepared: its generic plan (no
// project, round or voter known) ran about 15x slower than planning each call.
//
// Each search starts at a random key and takes the first votable image from there, so voters
// are served images in random order and rarely meet: searches that all started at the first
// image walked past every image the other voters held before finding a free one.

export type OwnDrawings = "none-drawn" | "skip" | "last-resort";
export type SearchRow = { id: string; width: number; height: number; extra: number; candidates: string[] };

// Who drew a shown candidate of image i (manual or redraw): $2 round, the user expression.
const drew = (user: string) => `EXISTS (SELECT 1 FROM "Candidate" dc JOIN "Mask" dm ON dm.id = dc."maskId"
  WHERE dc."roundId" = $2::uuid AND dc."imageId" = i.id AND dm."authorId" = ${user} AND dm.kind IN ('MANUAL', 'REDRAW'))`;

// "none-drawn": the voter drew no candidate of this round, so no author check is needed.
// "skip": images the voter drew are passed over. "last-resort": only images the voter drew
// that no other active MD, who has neither voted on nor drawn them, could take.
const ownClause: Record<OwnDrawings, string> = {
  "none-drawn": "",
  skip: `AND NOT ${drew("$3::uuid")}`,
  "last-resort": `AND ${drew("$3::uuid")} AND NOT EXISTS (
      SELECT 1 FROM "Membership" mm JOIN "User" u ON u.id = mm."userId" AND NOT u.disabled
      WHERE mm."projectId" = $1::uuid AND 'MD' = ANY(mm.roles) AND mm."userId" <> $3::uuid
        AND NOT EXISTS (SELECT 1 FROM "Vote" v WHERE v."roundId" = $2::uuid AND v."imageId" = i.id AND v."voterId" = mm."userId")
        AND NOT ${drew('mm."userId"')})`,
};

/** The lowest shuffle key: a search from it sees every image. */
export const FIRST_KEY = -(2 ** 31);

export function ballotSearchSql(own: OwnDrawings, wait: boolean): string {
  return `SELECT i.id, i.width, i.height, i."extraVotes" AS extra,
       ARRAY(SELECT c.id::text FROM "Candidate" c WHERE c."roundId" = $2::uuid AND c."imageId" = i.id
               AND c.withheld IS NULL AND c."mergedIntoId" IS NULL ORDER BY c.id) AS candidates
FROM "Image" i
WHERE i."projectId" = $1::uuid AND i.state = 'AWAITING_VOTE' AND NOT (i.id = ANY($4::uuid[]))
  AND NOT EXISTS (SELECT 1 FROM "Vote" v WHERE v."roundId" = $2::uuid AND v."imageId" = i.id AND v."voterId" = $3::uuid)
  AND NOT EXISTS (SELECT 1 FROM "Ballot" b WHERE b."roundId" = $2::uuid AND b."imageId" = i.id AND b."voterId" = $3::uuid
                    AND (b."closedAt" IS NULL OR b.id = ANY($6::uuid[])))
  AND (SELECT count(*) FROM "Vote" v WHERE v."roundId" = $2::uuid AND v."imageId" = i.id)
    + (SELECT count(*) FROM "Ballot" b WHERE b."roundId" = $2::uuid AND b."imageId" = i.id AND b."closedAt" IS NULL AND b."leaseUntil" > now())
    < $5 + i."extraVotes"
  AND i."shuffleKey" >= $7
  ${ownClause[own]}
ORDER BY i."shuffleKey" LIMIT 1
FOR UPDATE OF i ${wait ? "" : "SKIP LOCKED"}`;
}
