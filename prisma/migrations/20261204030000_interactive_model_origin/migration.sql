-- Where a click model version came from: trained by the project's job, or imported by a lead
-- (a pre-trained model, e.g. the one `npm run bench interactive` trains on cxr-train).
CREATE TYPE "InteractiveModelOrigin" AS ENUM ('TRAINED', 'IMPORTED');

ALTER TABLE "InteractiveModel" ADD COLUMN "origin" "InteractiveModelOrigin" NOT NULL DEFAULT 'TRAINED',
ADD COLUMN "originNote" TEXT;
