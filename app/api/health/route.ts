import { route } from "@/app/_lib/route";

// Liveness: the process answers.
export const dynamic = "force-dynamic";
export const GET = route({ auth: "none" }, () => Response.json({ status: "ok" }));
