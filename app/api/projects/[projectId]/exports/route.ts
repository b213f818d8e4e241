import { z } from "zod";
import { json, KiB, route } from "@/app/_lib/route";
import { requestExport } from "@/lib/exports/mutations";
import { listExports } from "@/lib/exports/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

export const GET = route({ params }, async ({ user, params: { projectId } }) =>
  Response.json({ exports: await listExports(user, projectId) }, { headers: { "Cache-Control": "no-store" } }),
);

// The options are parsed by requestExport itself (after the role check).
export const POST = route(
  { params, body: json(z.unknown(), 20 * KiB) },
  async ({ user, params: { projectId }, body }) => {
    const r = await requestExport(user, projectId, body);
    return Response.json(r, { status: r.created ? 201 : 200 });
  },
);
