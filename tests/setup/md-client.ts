import { randomUUID } from "node:crypto";
import { encodeMaskPng } from "../../lib/masks/png-codec";

// A simulated MD over HTTP, for fault tests and the soak: signs in, draws (claim, submit) and
// votes (next ballot, vote) as the app's pages do. A write that fails (network error, 5xx) is
// retried with the same idempotency key, so a lost response never becomes a second write.

export type Sample = { op: string; ms: number; status: number; at: number };
export type Ack =
  | { kind: "mask"; taskId: string; maskId: string; key: string }
  | { kind: "vote"; ballotId: string; key: string };

export async function signInAt(base: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const r = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; "), origin: base },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const cookies = [...jar, ...r.headers.getSetCookie().map((c) => c.split(";")[0])];
  if (!cookies.some((c) => /^(__Secure-)?next-auth\.session-token=/.test(c)))
    throw new Error(`sign-in failed for ${email} (${r.status})`);
  return cookies.join("; ");
}

export function discPng(width: number, height: number, seed = 0): Uint8Array {
  const m = new Uint8Array(width * height);
  const cx = width * (0.35 + 0.3 * ((seed % 7) / 7));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (Math.hypot(x - cx, y - height / 2) < width / 5) m[y * width + x] = 1;
  return encodeMaskPng(m, width, height);
}

export class MdClient {
  readonly samples: Sample[] = [];
  readonly acks: Ack[] = [];
  /** Requests that failed and were then retried until they succeeded. */
  retriedOk = 0;
  /** Writes that never succeeded within the retry budget (lost from the MD's point of view). */
  gaveUp = 0;
  private n = 0;

  constructor(
    readonly base: string,
    private cookie: string,
    private opts: { retries?: number; timeoutMs?: number; backoffMs?: number } = {},
  ) {}

  async send(
    op: string,
    method: string,
    path: string,
    body?: BodyInit,
    type?: string,
    headers: Record<string, string> = {},
  ): Promise<Response | null> {
    const t0 = performance.now();
    try {
      const r = await fetch(`${this.base}${path}`, {
        method,
        body,
        headers: { cookie: this.cookie, origin: this.base, ...(type ? { "content-type": type } : {}), ...headers },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        redirect: "manual",
      });
      await r.clone().arrayBuffer(); // the whole body is part of the latency
      this.samples.push({ op, ms: performance.now() - t0, status: r.status, at: Date.now() });
      return r;
    } catch {
      this.samples.push({ op, ms: performance.now() - t0, status: 0, at: Date.now() });
      return null;
    }
  }

  /** A JSON POST, sent as `write` sends. */
  postJson(op: string, path: string, body: unknown): Promise<Response | null> {
    const text = JSON.stringify(body);
    return this.write(op, "POST", path, () => text, "application/json");
  }

  /** Sends until a definite answer: retried on network errors and 5xx, with the same request. */
  async write(
    op: string,
    method: string,
    path: string,
    body: () => BodyInit,
    type: string,
    headers: Record<string, string> = {},
  ): Promise<Response | null> {
    const tries = this.opts.retries ?? 20;
    for (let i = 0; i < tries; i++) {
      const r = await this.send(op, method, path, body(), type, headers);
      if (r && r.status < 500) {
        if (i > 0) this.retriedOk++;
        return r;
      }
      await new Promise((res) => setTimeout(res, Math.min(2000, (this.opts.backoffMs ?? 100) * 2 ** i)));
    }
    this.gaveUp++;
    return null;
  }

  /** Claims the next drawing task and submits a mask; false when no task is left. */
  async drawOnce(projectId: string): Promise<boolean> {
    const c = await this.postJson("claim", `/api/projects/${projectId}/tasks/next`, {});
    if (!c?.ok) return false;
    const { task } = (await c.json()) as { task: { id: string; image: { width: number; height: number } } | null };
    if (!task) return false;
    return this.submit(task.id, discPng(task.image.width, task.image.height, this.n++));
  }

  async submit(taskId: string, png: Uint8Array, key = randomUUID()): Promise<boolean> {
    const r = await this.write(
      "submit",
      "POST",
      `/api/tasks/${taskId}/submit`,
      () => new Uint8Array(png),
      "image/png",
      { "idempotency-key": key, "x-elapsed-ms": "1500" },
    );
    if (!r?.ok) return false;
    const body = (await r.json()) as { maskId: string };
    this.acks.push({ kind: "mask", taskId, maskId: body.maskId, key });
    return true;
  }

  /** Takes the next ballot and votes on it; false when nothing is left to vote on. */
  async voteOnce(projectId: string): Promise<boolean> {
    const b = await this.postJson("ballot", `/api/projects/${projectId}/ballots/next`, {});
    if (!b?.ok) return false;
    const { ballot } = (await b.json()) as { ballot: { ballotId: string; candidates: unknown[] } | null };
    if (!ballot) return false;
    return this.vote(ballot.ballotId, 1 + (this.n++ % ballot.candidates.length));
  }

  async vote(ballotId: string, choice: number, key = randomUUID()): Promise<boolean> {
    const r = await this.postJson("vote", `/api/ballots/${ballotId}/vote`, {
      choice,
      durationMs: 2000,
      idempotencyKey: key,
    });
    if (!r?.ok) return false;
    this.acks.push({ kind: "vote", ballotId, key });
    return true;
  }
}
