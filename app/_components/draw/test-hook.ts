// A read-only window onto the workspace for browser tests (tests assert on stored PNGs too).
export type DrawTestHook = {
  taskId: string;
  width: number;
  height: number;
  area(): number;
  version(): number;
  status(): string;
  elapsedMs(): number;
  toClient(ix: number, iy: number): { x: number; y: number } | null;
  scale(): number;
  smart?(): {
    available: boolean;
    pending: boolean;
    clicks: number;
    proposalArea: number;
    /** Which path answered the last click. */
    answeredBy: "browser" | "server" | null;
    /** How long the last click's step took (ms, model load excluded). */
    answerMs: number | null;
    /** The in-browser model: idle, loading, ready or failed. */
    browser: string;
  };
};

declare global {
  interface Window {
    __tandemDraw?: DrawTestHook;
  }
}

export function exposeTestHook(hook: DrawTestHook | undefined) {
  window.__tandemDraw = hook;
}
