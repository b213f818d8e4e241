import type { BallotView } from "@/lib/voting/types";

export type { BallotView };

export type LoadedBallot = { view: BallotView; cxr: ImageBitmap; masks: ImageBitmap[] };
export type Nothing = { reason: string; message: string };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function bitmap(url: string): Promise<ImageBitmap> {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) throw new HttpError(r.status, `Could not load an image (${r.status})`);
  return createImageBitmap(await r.blob());
}

/**
 * Asks for the next ballot and preloads every picture before anything is shown. A preloaded
 * ballot holds nothing on the server until `holdBallot` is called when it is shown.
 */
export async function fetchBallot(
  projectId: string,
  exclude: string[],
  preload = false,
): Promise<{ ballot: LoadedBallot | null; nothing?: Nothing }> {
  const r = await fetch(`/api/projects/${projectId}/ballots/next`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ exclude, preload }),
  });
  if (!r.ok)
    throw new HttpError(r.status, (await r.json().catch(() => null))?.error?.message ?? `Request failed (${r.status})`);
  const { ballot, nothing } = (await r.json()) as { ballot: BallotView | null; nothing?: Nothing };
  if (!ballot) return { ballot: null, nothing };
  const [cxr, ...masks] = await Promise.all([bitmap(ballot.imageUrl), ...ballot.candidates.map((c) => bitmap(c.url))]);
  return { ballot: { view: ballot, cxr, masks } };
}

/** Takes or renews the shown ballot's lease; false when the image went to someone else. */
export async function holdBallot(ballotId: string): Promise<boolean> {
  const r = await fetch(`/api/ballots/${ballotId}/lease`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  await r.body?.cancel();
  if (r.status === 409 || r.status === 404) return false;
  return true;
}

/** The page is hidden or left: let the image go at once (survives the page unloading). */
export function releaseBallot(ballotId: string) {
  const url = `/api/ballots/${ballotId}/release`;
  if (!navigator.sendBeacon?.(url, new Blob(["{}"], { type: "application/json" }))) {
    void fetch(url, {
      method: "POST",
      keepalive: true,
      headers: { "content-type": "application/json" },
      body: "{}",
    }).catch(() => undefined);
  }
}

/** One pairwise duel, decided by the server, which answers with the next one or the winner. */
export async function sendDuel(
  ballotId: string,
  duel: { a: number; b: number; winner: number },
): Promise<{ duel: { a: number; b: number } | null; winner: number | null }> {
  const r = await fetch(`/api/ballots/${ballotId}/duel`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(duel),
  });
  if (!r.ok)
    throw new HttpError(r.status, (await r.json().catch(() => null))?.error?.message ?? `Request failed (${r.status})`);
  return r.json();
}

export async function submitVote(
  ballotId: string,
  body: { choice: number | null; durationMs: number; idempotencyKey: string },
) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(`/api/ballots/${ballotId}/vote`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (r.ok) return;
      const msg = (await r.json().catch(() => null))?.error?.message ?? `Vote failed (${r.status})`;
      if (r.status < 500 || attempt >= 2) throw new HttpError(r.status, msg);
    } catch (e) {
      if (attempt >= 2 || !(e instanceof TypeError)) throw e;
    }
    await new Promise((res) => setTimeout(res, 500 * (attempt + 1)));
  }
}
