-- PS3.15 Table E.1-1 options (all off: the Basic Profile alone) and the modality policy of ingest.
-- CreateEnum
CREATE TYPE "OtherModalities" AS ENUM ('REFUSE', 'FLAG');

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "acceptedModalities" TEXT[] NOT NULL DEFAULT ARRAY['CR', 'DX']::TEXT[],
ADD COLUMN     "otherModalities" "OtherModalities" NOT NULL DEFAULT 'REFUSE',
ADD COLUMN     "deidCleanDescriptors" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "deidRetainDeviceIdentity" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "deidRetainInstitutionIdentity" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "deidRetainLongitudinalFullDates" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "deidRetainLongitudinalModifiedDates" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "deidRetainPatientCharacteristics" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "deidRetainUids" BOOLEAN NOT NULL DEFAULT false;
