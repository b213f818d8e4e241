import { z } from "zod";
import { route } from "@/app/_lib/route";
import { runReport } from "@/lib/ml/reports";
import { reportFormatSchema } from "@/lib/ml/schema";
import { reportResponse } from "../../report-response";

export const dynamic = "force-dynamic";
const params = z.object({ runId: z.string().uuid() });

/** A training run's evaluation report; ?format=csv&part=metrics|curves for the downloads. */
export const GET = route({ params, query: reportFormatSchema }, async ({ user, params: { runId }, query }) =>
  reportResponse(await runReport(user, runId), query, `run-${runId}`),
);
