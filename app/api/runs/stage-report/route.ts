import { route } from "@/app/_lib/route";
import { stageReport } from "@/lib/ml/reports";
import { stageReportQuerySchema } from "@/lib/ml/schema";
import { reportResponse } from "../report-response";

export const dynamic = "force-dynamic";

/** ?projectId=…&stage=STAGE_I|STAGE_II[&roundId=…][&format=csv&part=metrics|curves] */
export const GET = route({ query: stageReportQuerySchema }, async ({ user, query: q }) => {
  const stem = `${q.stage.toLowerCase().replace("_", "-")}${q.roundId ? `-round-${q.roundId}` : ""}`;
  return reportResponse(await stageReport(user, q.projectId, q.stage, q.roundId), q, stem);
});
