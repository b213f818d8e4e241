import { z } from "zod";
import { route } from "@/app/_lib/route";
import { clickModelFile } from "@/lib/assist/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid(), version: z.coerce.number().int().min(1).max(1_000_000) });

/**
 * The click model's ONNX file, for the Smart tool to run in the MD's browser (MDs holding a
 * drawing task in the project). A version's bytes never change: the browser keeps it.
 */
export const GET = route({ params }, async ({ user, params: { projectId, version } }) => {
  const { bytes, sha256 } = await clickModelFile(user, projectId, version);
  return new Response(new Uint8Array(bytes), {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(bytes.length),
      "Content-Disposition": "attachment",
      "Cache-Control": "private, max-age=31536000, immutable",
      ETag: `"${sha256}"`,
    },
  });
});
