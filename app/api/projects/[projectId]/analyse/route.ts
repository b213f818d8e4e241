import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { analyseUpload } from "@/lib/ml/analyse-upload";
import { analyseQuerySchema } from "@/lib/ml/schema";
import { readBody } from "@/app/_lib/read-body";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });
const MAX_BYTES = Number(process.env.ANALYSE_MAX_BYTES ?? 64 * 1024 * 1024);

const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString("base64")}`;

/** POST the file itself as the body; ?runIds=a,b&threshold=0.5. Answers detection and infection maps. */
export const POST = route<{ projectId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  const url = new URL(req.url);
  const query = analyseQuerySchema.parse({ runIds: url.searchParams.get("runIds") ?? "", threshold: url.searchParams.get("threshold") ?? undefined });
  const r = await analyseUpload(user, projectId, query, () => readBody(req, MAX_BYTES, "The file"));
  const map = (m: { detection: (typeof r.models)[number]["detection"]; mapPng: Buffer }) => ({ ...m.detection, map: dataUrl(m.mapPng) });
  return Response.json(
    {
      width: r.width,
      height: r.height,
      displayWidth: r.displayWidth,
      displayHeight: r.displayHeight,
      threshold: r.threshold,
      cxr: dataUrl(r.cxrPng),
      models: r.models.map((m) => ({ id: m.id, label: m.label, ...map(m) })),
      ensemble: r.ensemble ? map(r.ensemble) : null,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
});
