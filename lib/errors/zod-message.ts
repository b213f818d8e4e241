import type { ZodError } from "zod";

type Issue = ZodError["issues"][number];

const unit: Record<string, string> = { string: "characters", array: "items", set: "items", file: "bytes" };

/** The bound an out-of-range issue broke, when its own message does not already give it. */
function limitOf(i: Issue): string | null {
  if (i.code !== "too_big" && i.code !== "too_small") return null;
  const bound = i.code === "too_big" ? i.maximum : i.minimum;
  if (bound === undefined || i.message.includes(String(bound))) return null;
  const strict = "inclusive" in i && i.inclusive === false;
  const word = i.code === "too_big" ? (strict ? "below" : "at most") : strict ? "above" : "at least";
  const what = unit[String(i.origin)] ?? "";
  return `${word} ${String(bound)}${what ? ` ${what}` : ""}`;
}

/** One issue as "field: message (limit)"; the field is "input" when the whole value is wrong. */
export function describeIssue(i: Issue): { path: string; message: string } {
  const path = i.path.map(String).join(".");
  const limit = limitOf(i);
  return { path, message: limit ? `${i.message} (${limit})` : i.message };
}

/** Every issue of a failed parse, each naming its field and, for a range, the limit. */
export function describeZodError(e: ZodError): { message: string; issues: { path: string; message: string }[] } {
  const issues = e.issues.map(describeIssue);
  const message = issues.map((i) => `${i.path || "input"}: ${i.message}`).join("; ");
  return { message: message || "input: invalid", issues };
}
