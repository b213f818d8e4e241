import { route } from "@/app/_lib/route";
import { databaseReady } from "@/lib/db/health";
import { store } from "@/lib/storage/store";

// Readiness: database reachable and migrated, storage reachable.
export const dynamic = "force-dynamic";
export const GET = route({ auth: "none" }, async () => {
  const database = await databaseReady();
  let storage = { ok: true } as { ok: boolean; error?: string };
  try {
    await store().exists("health/probe");
  } catch (e) {
    storage = { ok: false, error: (e as Error).message };
  }
  const ok = database.ok && storage.ok;
  return Response.json(
    {
      status: ok ? "ready" : "not-ready",
      database: { ok: database.ok, migrations: database.migrations },
      storage: { ok: storage.ok },
    },
    { status: ok ? 200 : 503 },
  );
});
