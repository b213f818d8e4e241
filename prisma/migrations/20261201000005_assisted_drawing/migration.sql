-- AI-assisted drawing (issue 22): the project's own click model, retrained after every N newly
-- accepted masks, and each drawn mask's provenance (tools used, time per tool, model version).
ALTER TABLE "Project" ADD COLUMN "interactiveRetrainEvery" INTEGER;

ALTER TABLE "Mask" ADD COLUMN "provenance" JSONB;

CREATE TABLE "InteractiveModel" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "storageKey" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "meta" JSONB NOT NULL,
    "trainedOnMasks" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InteractiveModel_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "InteractiveModel_projectId_version_key" ON "InteractiveModel"("projectId", "version");

ALTER TABLE "InteractiveModel" ADD CONSTRAINT "InteractiveModel_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
