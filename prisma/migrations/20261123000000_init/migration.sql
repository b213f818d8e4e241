-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'LEAD', 'MD', 'EXPORTER');

-- CreateEnum
CREATE TYPE "ImageLabel" AS ENUM ('COVID', 'CONTROL', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "ImageState" AS ENUM ('UNANNOTATED', 'AWAITING_MANUAL', 'AWAITING_CANDIDATES', 'AWAITING_VOTE', 'AWAITING_REDRAW', 'AWAITING_CONFIRMATION', 'DISPUTED', 'ACCEPTED');

-- CreateEnum
CREATE TYPE "SourceFormat" AS ENUM ('PNG', 'JPEG', 'DICOM');

-- CreateEnum
CREATE TYPE "Split" AS ENUM ('TRAIN', 'TEST');

-- CreateEnum
CREATE TYPE "MaskKind" AS ENUM ('MANUAL', 'MACHINE', 'REDRAW', 'EMPTY');

-- CreateEnum
CREATE TYPE "Stage" AS ENUM ('STAGE_I', 'STAGE_II');

-- CreateEnum
CREATE TYPE "RoundStatus" AS ENUM ('DRAWING', 'TRAINING', 'PREDICTING', 'VOTING', 'CLOSED');

-- CreateEnum
CREATE TYPE "SelectionMode" AS ENUM ('PAIRWISE', 'NWAY');

-- CreateEnum
CREATE TYPE "TieBreak" AS ENUM ('ANOTHER_MD', 'LEAD');

-- CreateEnum
CREATE TYPE "TaskKind" AS ENUM ('MANUAL', 'REDRAW', 'CONFIRM');

-- CreateEnum
CREATE TYPE "TaskStatus" AS ENUM ('OPEN', 'CLAIMED', 'DONE', 'SKIPPED');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "DecisionKind" AS ENUM ('CONSENSUS', 'LEAD', 'CONFIRMED', 'REDRAWN', 'LABEL');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" TIMESTAMPTZ(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "roles" "Role"[] NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMPTZ(3),

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Project" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "s1Size" INTEGER,
    "s1Fraction" DOUBLE PRECISION,
    "s1Seed" INTEGER NOT NULL DEFAULT 0,
    "folds" INTEGER NOT NULL DEFAULT 5,
    "stage1Archs" JSONB NOT NULL,
    "stage2Networks" JSONB NOT NULL,
    "selectionMode" "SelectionMode" NOT NULL DEFAULT 'NWAY',
    "votesPerImage" INTEGER NOT NULL DEFAULT 1,
    "agreementDice" DOUBLE PRECISION NOT NULL DEFAULT 0.9,
    "tieBreak" "TieBreak" NOT NULL DEFAULT 'LEAD',
    "redrawNeedsConfirmation" BOOLEAN NOT NULL DEFAULT false,
    "controlsToVote" BOOLEAN NOT NULL DEFAULT false,
    "trainConfig" JSONB NOT NULL,
    "currentStage" "Stage",
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Image" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "originalName" TEXT NOT NULL,
    "sourceFormat" "SourceFormat" NOT NULL,
    "sha256" TEXT NOT NULL,
    "pixelSha256" TEXT NOT NULL,
    "phash" TEXT,
    "storageKey" TEXT NOT NULL,
    "originalKey" TEXT NOT NULL,
    "thumbKey" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "bitDepth" INTEGER NOT NULL,
    "patientPseudonym" TEXT,
    "label" "ImageLabel" NOT NULL DEFAULT 'UNKNOWN',
    "sourceDataset" TEXT,
    "view" TEXT,
    "tags" JSONB,
    "flags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "exportBlocked" BOOLEAN NOT NULL DEFAULT false,
    "split" "Split",
    "fold" INTEGER,
    "inS1" BOOLEAN NOT NULL DEFAULT false,
    "state" "ImageState" NOT NULL DEFAULT 'UNANNOTATED',
    "extraVotes" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0,
    "importBatchId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportBatch" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "createdById" UUID,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "total" INTEGER NOT NULL DEFAULT 0,
    "imported" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "report" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ImportBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Mask" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "kind" "MaskKind" NOT NULL,
    "authorId" UUID,
    "modelRunId" UUID,
    "roundId" UUID,
    "taskId" UUID,
    "storageKey" TEXT NOT NULL,
    "probKey" TEXT,
    "sha256" TEXT NOT NULL,
    "area" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "elapsedMs" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Mask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Draft" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "taskId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "storageKey" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "elapsedMs" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Draft_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "roundId" UUID,
    "kind" "TaskKind" NOT NULL,
    "status" "TaskStatus" NOT NULL DEFAULT 'OPEN',
    "assigneeId" UUID,
    "claimedAt" TIMESTAMPTZ(3),
    "doneAt" TIMESTAMPTZ(3),
    "skipReason" TEXT,
    "startMaskId" UUID,
    "maskId" UUID,
    "elapsedMs" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Round" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "stage" "Stage" NOT NULL,
    "status" "RoundStatus" NOT NULL,
    "startedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Round_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelRun" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "roundId" UUID,
    "arch" TEXT NOT NULL,
    "encoder" TEXT NOT NULL,
    "fold" INTEGER,
    "config" JSONB NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "progress" JSONB,
    "metrics" JSONB,
    "artifactKey" TEXT,
    "weightsSha256" TEXT,
    "paramCount" INTEGER,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelRunImage" (
    "runId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "trained" BOOLEAN NOT NULL,

    CONSTRAINT "ModelRunImage_pkey" PRIMARY KEY ("runId", "imageId")
);

-- CreateTable
CREATE TABLE "Candidate" (
    "id" UUID NOT NULL,
    "roundId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "maskId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Candidate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Ballot" (
    "id" UUID NOT NULL,
    "roundId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "voterId" UUID NOT NULL,
    "shownOrder" UUID[] NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Ballot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vote" (
    "id" UUID NOT NULL,
    "ballotId" UUID NOT NULL,
    "roundId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "voterId" UUID NOT NULL,
    "candidateId" UUID,
    "noneAcceptable" BOOLEAN NOT NULL DEFAULT false,
    "duels" JSONB,
    "durationMs" INTEGER NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Vote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GroundTruth" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "imageId" UUID NOT NULL,
    "maskId" UUID,
    "roundId" UUID,
    "stage" "Stage",
    "decision" "DecisionKind" NOT NULL,
    "sourceKind" "MaskKind" NOT NULL,
    "decidedById" UUID,
    "isCurrent" BOOLEAN DEFAULT true,
    "acceptedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "supersededAt" TIMESTAMPTZ(3),

    CONSTRAINT "GroundTruth_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "singletonKey" TEXT,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 3,
    "runAfter" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMPTZ(3),
    "progress" JSONB,
    "result" JSONB,
    "lastError" TEXT,
    "projectId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "jobNames" TEXT[] NOT NULL,
    "gpu" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Export" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "requestedById" UUID NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "options" JSONB NOT NULL,
    "datasetVersion" TEXT,
    "storageKey" TEXT,
    "sha256" TEXT,
    "sizeBytes" BIGINT,
    "fileCount" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Export_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" UUID,
    "projectId" UUID,
    "action" TEXT NOT NULL,
    "objectType" TEXT NOT NULL,
    "objectId" TEXT,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_projectId_userId_key" ON "Membership"("projectId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "Project_slug_key" ON "Project"("slug");

-- CreateIndex
CREATE INDEX "Image_projectId_state_id_idx" ON "Image"("projectId", "state", "id");

-- CreateIndex
CREATE INDEX "Image_projectId_inS1_state_idx" ON "Image"("projectId", "inS1", "state");

-- CreateIndex
CREATE INDEX "Image_projectId_patientPseudonym_idx" ON "Image"("projectId", "patientPseudonym");

-- CreateIndex
CREATE INDEX "Image_projectId_label_idx" ON "Image"("projectId", "label");

-- CreateIndex
CREATE INDEX "Image_projectId_pixelSha256_idx" ON "Image"("projectId", "pixelSha256");

-- CreateIndex
CREATE UNIQUE INDEX "Image_projectId_sha256_key" ON "Image"("projectId", "sha256");

-- CreateIndex
CREATE INDEX "ImportBatch_projectId_createdAt_idx" ON "ImportBatch"("projectId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Mask_taskId_key" ON "Mask"("taskId");

-- CreateIndex
CREATE INDEX "Mask_imageId_kind_idx" ON "Mask"("imageId", "kind");

-- CreateIndex
CREATE INDEX "Mask_projectId_kind_createdAt_idx" ON "Mask"("projectId", "kind", "createdAt");

-- CreateIndex
CREATE INDEX "Mask_authorId_createdAt_idx" ON "Mask"("authorId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Mask_modelRunId_imageId_key" ON "Mask"("modelRunId", "imageId");

-- CreateIndex
CREATE UNIQUE INDEX "Draft_taskId_key" ON "Draft"("taskId");

-- CreateIndex
CREATE INDEX "Draft_userId_idx" ON "Draft"("userId");

-- CreateIndex
CREATE INDEX "Task_projectId_kind_status_createdAt_idx" ON "Task"("projectId", "kind", "status", "createdAt");

-- CreateIndex
CREATE INDEX "Task_assigneeId_status_idx" ON "Task"("assigneeId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Task_imageId_roundId_kind_key" ON "Task"("imageId", "roundId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Round_projectId_number_key" ON "Round"("projectId", "number");

-- CreateIndex
CREATE INDEX "ModelRun_projectId_createdAt_idx" ON "ModelRun"("projectId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ModelRun_roundId_arch_encoder_fold_key" ON "ModelRun"("roundId", "arch", "encoder", "fold");

-- CreateIndex
CREATE INDEX "ModelRunImage_imageId_trained_idx" ON "ModelRunImage"("imageId", "trained");

-- CreateIndex
CREATE INDEX "Candidate_imageId_idx" ON "Candidate"("imageId");

-- CreateIndex
CREATE UNIQUE INDEX "Candidate_roundId_imageId_maskId_key" ON "Candidate"("roundId", "imageId", "maskId");

-- CreateIndex
CREATE INDEX "Ballot_voterId_closedAt_idx" ON "Ballot"("voterId", "closedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Ballot_roundId_imageId_voterId_key" ON "Ballot"("roundId", "imageId", "voterId");

-- CreateIndex
CREATE UNIQUE INDEX "Vote_ballotId_key" ON "Vote"("ballotId");

-- CreateIndex
CREATE UNIQUE INDEX "Vote_idempotencyKey_key" ON "Vote"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Vote_roundId_imageId_idx" ON "Vote"("roundId", "imageId");

-- CreateIndex
CREATE INDEX "Vote_roundId_createdAt_idx" ON "Vote"("roundId", "createdAt");

-- CreateIndex
CREATE INDEX "Vote_voterId_createdAt_idx" ON "Vote"("voterId", "createdAt");

-- CreateIndex
CREATE INDEX "GroundTruth_projectId_acceptedAt_idx" ON "GroundTruth"("projectId", "acceptedAt");

-- CreateIndex
CREATE INDEX "GroundTruth_projectId_decision_acceptedAt_idx" ON "GroundTruth"("projectId", "decision", "acceptedAt");

-- CreateIndex
CREATE UNIQUE INDEX "GroundTruth_imageId_isCurrent_key" ON "GroundTruth"("imageId", "isCurrent");

-- CreateIndex
CREATE UNIQUE INDEX "Job_singletonKey_key" ON "Job"("singletonKey");

-- CreateIndex
CREATE INDEX "Job_status_runAfter_priority_idx" ON "Job"("status", "runAfter", "priority");

-- CreateIndex
CREATE INDEX "Job_projectId_status_idx" ON "Job"("projectId", "status");

-- CreateIndex
CREATE INDEX "Export_projectId_createdAt_idx" ON "Export"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_projectId_at_idx" ON "AuditLog"("projectId", "at");

-- CreateIndex
CREATE INDEX "AuditLog_actorId_at_idx" ON "AuditLog"("actorId", "at");

-- CreateIndex
CREATE INDEX "AuditLog_objectType_objectId_idx" ON "AuditLog"("objectType", "objectId");

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Mask" ADD CONSTRAINT "Mask_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Mask" ADD CONSTRAINT "Mask_modelRunId_fkey" FOREIGN KEY ("modelRunId") REFERENCES "ModelRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Round" ADD CONSTRAINT "Round_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelRun" ADD CONSTRAINT "ModelRun_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "Round"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelRunImage" ADD CONSTRAINT "ModelRunImage_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ModelRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AuditLog is append-only for every database role the application uses.
CREATE FUNCTION "audit_log_refuse_change"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'AuditLog is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_refuse_change"();
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "AuditLog"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_refuse_change"();
