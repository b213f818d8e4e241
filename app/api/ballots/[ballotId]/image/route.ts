import { z } from "zod";
import { route } from "@/app/_lib/route";
import { imageResponse } from "@/app/_lib/image-response";
import { ballotImage } from "@/lib/voting/queries";
import { store } from "@/lib/storage/store";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid() });

export const GET = route({ params }, async ({ user, params: { ballotId } }) => {
  const img = await ballotImage(user, ballotId);
  return imageResponse(await store().get(img.storageKey), "image/png");
});
