-- A random key per image. The next-ballot search starts at a random point of it, so concurrent
-- voters spread over the images instead of all scanning from the same first one (which made
-- every search walk past the images other voters held). Existing rows get their own random key
-- (a volatile default is evaluated per row).
ALTER TABLE "Image" ADD COLUMN "shuffleKey" INTEGER NOT NULL DEFAULT (floor((random() * (4294967296)::double precision)) - (2147483648)::double precision)::integer;

CREATE INDEX "Image_projectId_state_shuffleKey_idx" ON "Image"("projectId", "state", "shuffleKey");
