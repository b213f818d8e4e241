import type { EvaluationReportResult } from "@/lib/ml/reports";
import { curvesCsv, metricsCsv } from "@/lib/ml/report-csv";

/** A report as JSON, or one of its CSV downloads. */
export function reportResponse(
  report: EvaluationReportResult,
  q: { format: "json" | "csv"; part: "metrics" | "curves" },
  fileStem: string,
): Response {
  if (q.format === "json") return Response.json(report, { headers: { "Cache-Control": "private, no-store" } });
  const body = q.part === "curves" ? curvesCsv(report.networks) : metricsCsv(report.networks);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileStem.replace(/[^A-Za-z0-9._-]/g, "_")}-${q.part}.csv"`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}
