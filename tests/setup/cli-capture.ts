import { vi } from "vitest";

/** Runs a CLI command in this process and returns what it printed with console.log. */
export async function captureLog(run: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.join("\n");
}
