// Run in its own process (DATABASE_URL, STORAGE_DIR set): seeds a Stage-I drawing project on
// that database and prints {projectId, mds: [{email, password}]} as one JSON line.
import { closeDb } from "../../lib/db/client";
import { makeDrawingProject } from "./drawing";

const images = Number(process.argv[2] ?? 20);
const mds = Number(process.argv[3] ?? 4);
const fx = await makeDrawingProject({ images, mds, width: 48, height: 40 });
console.log(
  JSON.stringify({ projectId: fx.project.id, mds: fx.mds.map((m) => ({ email: m.email, password: m.password })) }),
);
await closeDb();
