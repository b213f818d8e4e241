import { z } from "zod";
import { route } from "@/app/_lib/route";
import { browserRuntimeFile } from "@/lib/assist/browser-runtime";

export const dynamic = "force-dynamic";
const params = z.object({ version: z.string().max(40), file: z.string().max(80) });

/**
 * onnxruntime-web's wasm backend (public library code, no data), served by the app itself for
 * the Smart tool; the installed version is in the address, so browsers keep it.
 */
export const GET = route({ auth: "none", params }, async ({ params: { version, file } }) => {
  const { bytes, type } = await browserRuntimeFile(version, file);
  return new Response(new Uint8Array(bytes), {
    headers: {
      "Content-Type": type,
      "Content-Length": String(bytes.length),
      "Cache-Control": "public, max-age=31536000, immutable",
    },
  });
});
