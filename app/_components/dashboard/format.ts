// Number and time formatting for the dashboard (fixed locale so server and client agree).

export const num = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toLocaleString("en"));

export const pct = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined ? "—" : `${(v * 100).toFixed(digits)}%`;

export const fixed = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? "—" : v.toFixed(digits);

/** 42 s, 3 min 20 s, 2 h 5 min. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.round(seconds);
  if (Math.abs(seconds) < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const h = Math.floor(s / 3600),
    m = Math.round((s % 3600) / 60);
  return `${h.toLocaleString("en")} h${m ? ` ${m} min` : ""}`;
}

/** Seconds with one decimal up to ten minutes (per-mask figures), else as a duration. */
export const seconds = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : Math.abs(v) < 600 ? `${v.toFixed(1)} s` : duration(v);

export const dateTime = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "—");

/** "12 s ago", "5 min ago", "3 d ago" relative to `now`. */
export function ago(iso: string | null, now: string): string {
  if (!iso) return "never";
  const s = Math.max(0, (Date.parse(now) - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
export const shortDay = (ms: number) => new Date(ms).toISOString().slice(5, 10);

export const stateLabels: Record<string, string> = {
  UNANNOTATED: "Unannotated",
  AWAITING_MANUAL: "Awaiting manual mask (S1)",
  AWAITING_CANDIDATES: "Awaiting candidates",
  AWAITING_VOTE: "Awaiting vote",
  AWAITING_REDRAW: "Awaiting redraw",
  AWAITING_CONFIRMATION: "Awaiting confirmation",
  DISPUTED: "Disputed",
  ACCEPTED: "Accepted",
};

export const stageLabel = (s: string) => (s === "STAGE_I" ? "Stage I" : s === "STAGE_II" ? "Stage II" : "All");

/** "machine:unet/densenet121" → "unet · densenet121"; manual/redraw/none kept. */
export const sourceLabel = (cat: string) => (cat.startsWith("machine:") ? cat.slice(8).replace("/", " · ") : cat);
