-- The next-ballot search excludes images the voter already voted on or holds a ballot for.
-- Without a (round, voter) index that anti-join read every vote of the round per search, so a
-- ballot cost grew with the round's votes.
CREATE INDEX "Vote_roundId_voterId_idx" ON "Vote"("roundId", "voterId");
CREATE INDEX "Ballot_roundId_voterId_idx" ON "Ballot"("roundId", "voterId");
