-- Opt-in int8 inference (issue 21): the project's choice, and each run's quantised model with its
-- measured agreement with the float model.
CREATE TYPE "InferencePrecision" AS ENUM ('FLOAT32', 'INT8');

ALTER TABLE "Project" ADD COLUMN "inferencePrecision" "InferencePrecision" NOT NULL DEFAULT 'FLOAT32';

ALTER TABLE "ModelRun" ADD COLUMN "int8" JSONB;
