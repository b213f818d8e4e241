import { z } from "zod";
import { raw, route } from "@/app/_lib/route";
import { analyseUpload } from "@/lib/ml/analyse-upload";
import { analyseQuerySchema } from "@/lib/ml/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });
const MAX_BYTES = Number(process.env.ANALYSE_MAX_BYTES ?? 64 * 1024 * 1024);

const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString("base64")}`;

/** POST the file itself as the body; ?runIds=a,b&threshold=0.5. Answers detection and infection maps. */
export const POST = route(
  { params, body: raw({ maxBytes: MAX_BYTES, what: "The file" }) },
  async ({ req, user, params: { projectId }, body }) => {
    const url = new URL(req.url);
    const query = analyseQuerySchema.parse({
      runIds: url.searchParams.get("runIds") ?? "",
      threshold: url.searchParams.get("threshold") ?? undefined,
    });
    const r = await analyseUpload(user, projectId, query, () => body.buffer());
    const map = (m: { detection: (typeof r.models)[number]["detection"]; mapPng: Buffer }) => ({
      ...m.detection,
      map: dataUrl(m.mapPng),
    });
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
        classifiers: r.classifiers.map((c) => ({
          id: c.id,
          label: c.label,
          prob: c.prob,
          positive: c.positive,
          cam: dataUrl(c.camPng),
          occlusion: dataUrl(c.occlusionPng),
        })),
      },
      { headers: { "Cache-Control": "private, no-store" } },
    );
  },
);
