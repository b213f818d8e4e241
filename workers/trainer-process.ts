import { spawn, type StdioOptions } from "node:child_process";
import path from "node:path";
import readline from "node:readline";

export type TrainerEvent = { type: string; [k: string]: unknown };

/** The one place the Python trainer is started: interpreter ($PYTHON), module and folder. */
export function spawnTrainer(args: string[], opts: { module?: string; stdio: StdioOptions }) {
  const python = process.env.PYTHON ?? "/usr/bin/python3";
  return spawn(python, ["-m", opts.module ?? "tandem_trainer", ...args], {
    cwd: path.resolve("workers/trainer"),
    stdio: opts.stdio,
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
}

/** The trainer on the caller's terminal (the CLI, benchmarks): resolves with its exit code. */
export function runTrainerAttached(args: string[], stdio: StdioOptions = "inherit"): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawnTrainer(args, { stdio });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/**
 * Runs the Python trainer as a subprocess: JSON-lines events on stdout, logs on stderr.
 * Killed on abort or timeout; rejects with the trainer's own error line when it fails.
 */
export function runTrainer(
  args: string[],
  opts: {
    module?: string;
    signal?: AbortSignal;
    timeoutMs?: number;
    onEvent?: (e: TrainerEvent) => void;
    onLog?: (line: string) => void;
  },
): Promise<TrainerEvent[]> {
  return new Promise((resolve, reject) => {
    const child = spawnTrainer(args, { module: opts.module, stdio: ["ignore", "pipe", "pipe"] });
    const events: TrainerEvent[] = [];
    let lastError: string | null = null;
    const tail: string[] = [];
    readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const e = JSON.parse(line) as TrainerEvent;
        events.push(e);
        if (e.type === "error") lastError = String(e.message);
        opts.onEvent?.(e);
      } catch {
        opts.onLog?.(line);
      }
    });
    readline.createInterface({ input: child.stderr! }).on("line", (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      opts.onLog?.(line);
    });
    const kill = () => child.kill("SIGKILL");
    const timer = opts.timeoutMs ? setTimeout(kill, opts.timeoutMs) : null;
    opts.signal?.addEventListener("abort", kill);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener("abort", kill);
      if (code === 0) resolve(events);
      else reject(new Error(lastError ?? `trainer exited with ${signal ?? code}: ${tail.slice(-3).join(" | ")}`));
    });
  });
}
