import { Readable } from "node:stream";
import { z } from "zod";
import { route } from "@/app/_lib/route";
import { openDownload } from "@/lib/exports/download";
import { parseRange } from "@/lib/exports/http-range";

export const dynamic = "force-dynamic";
const params = z.object({ exportId: z.string().uuid() });

// The signed link is the credential (download managers and curl resume without a session);
// openDownload checks it and that its holder still has an exporting role.
async function serve(req: Request, exportId: string, withBody: boolean): Promise<Response> {
  const d = await openDownload(exportId, new URL(req.url).searchParams);
  const etag = `"${d.sha256}"`;
  const headers = new Headers({
    "Content-Type": d.contentType,
    "Content-Disposition": `attachment; filename="${d.fileName}"`,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
    "Accept-Ranges": "bytes",
    ETag: etag,
  });
  const ifRange = req.headers.get("if-range");
  const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.get("range"), d.size);
  if (range === "unsatisfiable") {
    headers.set("Content-Range", `bytes */${d.size}`);
    return new Response(null, { status: 416, headers });
  }
  headers.set("Content-Length", String(range ? range.end - range.start + 1 : d.size));
  if (range) headers.set("Content-Range", `bytes ${range.start}-${range.end}/${d.size}`);
  const status = range ? 206 : 200;
  if (!withBody) return new Response(null, { status, headers });
  const body = Readable.toWeb(Readable.from(await d.open(range))) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}

export const GET = route({ auth: "none", params }, ({ req, params: p }) => serve(req, p.exportId, true));
export const HEAD = route({ auth: "none", params }, ({ req, params: p }) => serve(req, p.exportId, false));
