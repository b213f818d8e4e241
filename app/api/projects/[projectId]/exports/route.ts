import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { requestExport } from "@/lib/exports/mutations";
import { listExports } from "@/lib/exports/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

export const GET = route<{ projectId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  return Response.json({ exports: await listExports(user, projectId) }, { headers: { "Cache-Control": "no-store" } });
});

export const POST = route<{ projectId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  const r = await requestExport(user, projectId, await jsonBody(req, 20_000));
  return Response.json(r, { status: r.created ? 201 : 200 });
});
