import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "../../lib/db/embedded";

// Parts for fault tests: the production app as a process that can be SIGKILLed and started
// again on the same port, and a proxy in front of it that can lose a response on purpose.

export class AppServer {
  proc: ChildProcess | undefined;
  /** The app's recent stderr (its error log under faults is expected, so it is kept, not shown). */
  log = "";
  constructor(
    readonly port: number,
    private env: Record<string, string>,
  ) {}

  static async create(env: Record<string, string>) {
    return new AppServer(await freePort(), env);
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn(
      process.execPath,
      ["node_modules/next/dist/bin/next", "start", "-p", String(this.port), "-H", "127.0.0.1"],
      {
        env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "error", ...this.env },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    this.proc.stderr!.on("data", (c: Buffer) => (this.log = (this.log + c.toString()).slice(-20_000)));
    const t0 = Date.now();
    for (;;) {
      try {
        if ((await fetch(`${this.url}/api/health`)).ok) return;
      } catch {
        /* not up yet */
      }
      if (this.proc.exitCode !== null)
        throw new Error(`the app exited with ${this.proc.exitCode}: ${this.log.slice(-2000)}`);
      if (Date.now() - t0 > 60_000) throw new Error(`the app did not start: ${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill(signal);
    await gone;
  }
}

/** Forwards to the app; `loseResponse` picks requests whose answer never reaches the client. */
export class FrontProxy {
  private server!: http.Server;
  port = 0;
  loseResponse: ((req: http.IncomingMessage) => boolean) | null = null;
  /** Called once the app has answered a request picked by loseResponse (it has committed). */
  onLost: (() => Promise<void>) | null = null;

  constructor(private targetPort: () => number) {}

  async listen(port?: number): Promise<string> {
    this.server = http.createServer((req, res) => {
      const lose = this.loseResponse?.(req) ?? false;
      if (lose) this.loseResponse = null;
      const up = http.request(
        { host: "127.0.0.1", port: this.targetPort(), method: req.method, path: req.url, headers: req.headers },
        async (ur) => {
          if (lose) {
            ur.resume();
            await this.onLost?.();
            res.socket?.destroy();
            return;
          }
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on("error", () => res.socket?.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => this.server.listen(port ?? 0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
