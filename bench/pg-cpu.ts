import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// CPU seconds used by an embedded PostgreSQL (the postmaster, its live backends and the ones it
// has reaped), read from /proc. CPU time, unlike latency, hardly moves when other work loads the
// machine, so it says where the time goes even on a busy one. Linux only; null elsewhere.
const TICKS_PER_MS = 100 / 1000;

function stat(pid: string): { ppid: string; cpuTicks: number; childTicks: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    // fields after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    return { ppid: f[1], cpuTicks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

export function pgCpuMs(dataDir: string): number | null {
  let postmaster: string;
  try {
    postmaster = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0].trim();
  } catch {
    return null;
  }
  const own = stat(postmaster);
  if (!own) return null;
  let ticks = own.cpuTicks + own.childTicks;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const s = stat(pid);
    if (s?.ppid === postmaster) ticks += s.cpuTicks;
  }
  return ticks / TICKS_PER_MS;
}
