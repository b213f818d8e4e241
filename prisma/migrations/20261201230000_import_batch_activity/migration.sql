-- When an import last moved (created, a file appended, a status change): an import left
-- RUNNING with no activity for longer than the stale period is failed by the maintenance job.
ALTER TABLE "ImportBatch" ADD COLUMN "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
