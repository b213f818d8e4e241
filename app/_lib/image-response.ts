// Images leave Tandem only as images: fixed type, no sniffing, no script, no caching by proxies.
export function imageResponse(body: Buffer, contentType: "image/png" | "image/jpeg"): Response {
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      "Content-Type": contentType,
      "Content-Length": String(body.length),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": "private, no-store",
      "Content-Disposition": "inline",
    },
  });
}
