import type { BallotView } from "@/lib/voting/types";

export type { BallotView };

export type LoadedBallot = { view: BallotView; cxr: ImageBitmap; masks: ImageBitmap[] };

async function bitmap(url: string): Promise<ImageBitmap> {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) throw new Error(`Could not load an image (${r.status})`);
  return createImageBitmap(await r.blob());
}

/** Asks for the next ballot and preloads every picture before anything is shown. */
export async function fetchBallot(projectId: string, exclude: string[]): Promise<LoadedBallot | null> {
  const r = await fetch(`/api/projects/${projectId}/ballots/next`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ exclude }),
  });
  if (!r.ok) throw new Error((await r.json().catch(() => null))?.error?.message ?? `Request failed (${r.status})`);
  const { ballot } = (await r.json()) as { ballot: BallotView | null };
  if (!ballot) return null;
  const [cxr, ...masks] = await Promise.all([bitmap(ballot.imageUrl), ...ballot.candidates.map((c) => bitmap(c.url))]);
  return { view: ballot, cxr, masks };
}

export async function submitVote(ballotId: string, body: { choice: number | null; durationMs: number; idempotencyKey: string; duels?: { a: number; b: number; winner: number }[] }) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(`/api/ballots/${ballotId}/vote`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (r.ok) return;
      const msg = (await r.json().catch(() => null))?.error?.message ?? `Vote failed (${r.status})`;
      if (r.status < 500 || attempt >= 2) throw new Error(msg);
    } catch (e) {
      if (attempt >= 2 || !(e instanceof TypeError)) throw e;
    }
    await new Promise((res) => setTimeout(res, 500 * (attempt + 1)));
  }
}
