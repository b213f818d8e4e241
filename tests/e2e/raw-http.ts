import http from "node:http";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";

export type Sent = { status: number; headers: http.IncomingHttpHeaders; text: string; error?: string };

/**
 * One request over node:http, so the test controls framing: `body` is sent with a
 * Content-Length, `chunked` streams `total` bytes in 1 MiB chunks without one (backpressure
 * honoured, nothing held). A connection reset or EPIPE is reported in `error`, not thrown.
 */
export function send(
  url: string,
  o: { method: string; headers?: Record<string, string>; body?: Buffer; chunked?: number },
): Promise<Sent> {
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: o.method,
      headers: { ...(o.headers ?? {}), ...(o.body ? { "content-length": String(o.body.length) } : {}) },
    });
    let settled = false;
    const done = (s: Sent) => {
      if (!settled) (settled = true), resolve(s);
    };
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () =>
        done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString("utf8") }),
      );
      res.on("error", (e) => done({ status: res.statusCode ?? 0, headers: res.headers, text: "", error: e.message }));
    });
    req.on("error", (e) =>
      done({ status: 0, headers: {}, text: "", error: (e as NodeJS.ErrnoException).code ?? e.message }),
    );
    if (o.chunked === undefined) {
      req.end(o.body);
      return;
    }
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let left = o.chunked;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

/** Resident memory of the e2e server (the `next start` process and its children), in bytes. */
export function serverRss(): number {
  const root = Number(readFileSync(path.join(process.env.TMPDIR ?? "/tmp", "tandem-e2e-server-pid"), "utf8"));
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    try {
      pids.push(
        ...execFileSync("pgrep", ["-P", String(pids[i])], { encoding: "utf8" })
          .split("\n")
          .filter(Boolean)
          .map(Number),
      );
    } catch {
      /* no children */
    }
  }
  let kb = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (m) kb += Number(m[1]);
  }
  return kb * 1024;
}
