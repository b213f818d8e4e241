-- A mask's COCO RLE (compressed counts) and bounding box, stored with it when it is created
-- (masks are immutable), so an export writes COCO without decoding every mask. Older masks
-- keep NULL / an empty array until an export computes and stores them.
ALTER TABLE "Mask" ADD COLUMN "rleCounts" TEXT;
ALTER TABLE "Mask" ADD COLUMN "bbox" INTEGER[] NOT NULL DEFAULT ARRAY[]::INTEGER[];
