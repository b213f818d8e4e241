import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { runReport } from "@/lib/ml/reports";
import { reportFormatSchema } from "@/lib/ml/schema";
import { reportResponse } from "../../report-response";

export const dynamic = "force-dynamic";
const params = z.object({ runId: z.string().uuid() });

/** A training run's evaluation report; ?format=csv&part=metrics|curves for the downloads. */
export const GET = route<{ runId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { runId } = params.parse(await ctx.params);
  const q = reportFormatSchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return reportResponse(await runReport(user, runId), q, `run-${runId}`);
});
