-- Blind by content (issue 17): author exclusion, short ballot leases, server-side duels,
-- merged and withheld candidates, quality gate, style-normalised rendering.
CREATE TYPE "OwnDrawingPolicy" AS ENUM ('WAIT', 'ALLOW_RECORDED');

ALTER TABLE "Project"
  ADD COLUMN "ownDrawingPolicy" "OwnDrawingPolicy" NOT NULL DEFAULT 'ALLOW_RECORDED',
  ADD COLUMN "mergeDice" DOUBLE PRECISION NOT NULL DEFAULT 0.98,
  ADD COLUMN "minCandidateArea" DOUBLE PRECISION NOT NULL DEFAULT 0.0005,
  ADD COLUMN "qualityGateF1" DOUBLE PRECISION NOT NULL DEFAULT 0.3,
  ADD COLUMN "styleNormalise" BOOLEAN NOT NULL DEFAULT TRUE;

ALTER TABLE "Round"
  ADD COLUMN "gateOverrideById" UUID,
  ADD COLUMN "gateOverrideAt" TIMESTAMPTZ(3);

ALTER TABLE "Candidate"
  ADD COLUMN "mergedIntoId" UUID,
  ADD COLUMN "withheld" TEXT,
  ADD COLUMN "shownMaskId" UUID,
  ADD COLUMN "normalisedDice" DOUBLE PRECISION;

ALTER TABLE "Ballot"
  ADD COLUMN "leaseUntil" TIMESTAMPTZ(3),
  ADD COLUMN "duels" JSONB;

ALTER TABLE "Vote"
  ADD COLUMN "ownDrawing" BOOLEAN NOT NULL DEFAULT FALSE;

-- The style-normalised rendering of a candidate is a mask of its own (kind NORMALISED, so it
-- never counts as a drawing or a prediction), traced to its original.
ALTER TABLE "Mask" ADD COLUMN "normalisedFromId" UUID;
ALTER TYPE "MaskKind" ADD VALUE 'NORMALISED';

-- Stage I with no machine candidate left to compare: the manual mask is accepted unvoted.
ALTER TYPE "DecisionKind" ADD VALUE 'UNCONTESTED';
