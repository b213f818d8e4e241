-- Burned-in text review: an image flagged for burned-in annotation (BurnedInAnnotation = YES or a
-- secondary-capture SOP class) is held back from exports until a lead releases it, excludes it,
-- or masks a rectangle of its pixels.
CREATE TYPE "BurnedInReview" AS ENUM ('PENDING', 'RELEASED', 'EXCLUDED', 'MASKED');

ALTER TABLE "Image"
  ADD COLUMN "burnedInReview" "BurnedInReview",
  ADD COLUMN "burnedInReviewedById" UUID,
  ADD COLUMN "burnedInReviewedAt" TIMESTAMPTZ(3),
  ADD COLUMN "burnedInRegion" JSONB;

-- Images already imported with the flag wait for review, unless a lead had blocked them already.
UPDATE "Image" SET "burnedInReview" = 'PENDING' WHERE 'burned-in-annotation' = ANY("flags") AND NOT "exportBlocked";

CREATE INDEX "Image_projectId_burnedInReview_idx" ON "Image"("projectId", "burnedInReview");
