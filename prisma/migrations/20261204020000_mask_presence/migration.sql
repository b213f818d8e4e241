-- The presence head's image-level probability of infection, beside a machine mask's probability map.
ALTER TABLE "Mask" ADD COLUMN "presence" DOUBLE PRECISION;
