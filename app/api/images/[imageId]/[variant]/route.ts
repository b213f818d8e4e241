import { z } from "zod";
import { route } from "@/app/_lib/route";
import { imageResponse } from "@/app/_lib/image-response";
import { getImageForActor } from "@/lib/images/queries";
import { recordAudit } from "@/lib/audit/mutations";
import { store } from "@/lib/storage/store";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid(), variant: z.enum(["working", "thumb"]) });

export const GET = route({ params }, async ({ user, params: { imageId, variant } }) => {
  const image = await getImageForActor(user, imageId);
  const body = await store().get(variant === "working" ? image.storageKey : image.thumbKey);
  if (variant === "working")
    await recordAudit({
      action: "image.view",
      objectType: "Image",
      objectId: imageId,
      projectId: image.projectId,
      actorId: user.userId,
    });
  return imageResponse(body, variant === "working" ? "image/png" : "image/jpeg");
});
