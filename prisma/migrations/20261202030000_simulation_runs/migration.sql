-- The outcome of `tandem simulate`, kept for the lead's simulation pages: a simulated project's
-- paired report (SINGLE), or a sweep's table (SWEEP) whose cells are SINGLE runs pointing at it.
CREATE TYPE "SimulationKind" AS ENUM ('SINGLE', 'SWEEP');

CREATE TABLE "SimulationRun" (
    "id" UUID NOT NULL,
    "kind" "SimulationKind" NOT NULL,
    "projectId" UUID,
    "sweepId" UUID,
    "options" JSONB NOT NULL,
    "result" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SimulationRun_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "SimulationRun_projectId_idx" ON "SimulationRun"("projectId");
CREATE INDEX "SimulationRun_sweepId_idx" ON "SimulationRun"("sweepId");
CREATE INDEX "SimulationRun_createdAt_idx" ON "SimulationRun"("createdAt");

ALTER TABLE "SimulationRun" ADD CONSTRAINT "SimulationRun_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SimulationRun" ADD CONSTRAINT "SimulationRun_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "SimulationRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;
