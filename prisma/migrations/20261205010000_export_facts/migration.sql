-- The SHA-256 of an image's working PNG, stored with the image (set at import, and again when a
-- lead masks burned-in text, the one time the working PNG is rewritten) so an export lists it in
-- the manifest without hashing every file again. No backfill here: images stored before this
-- keep NULL until the first export that includes them computes the hash and saves it (batched).
ALTER TABLE "Image" ADD COLUMN "workingSha256" TEXT;
