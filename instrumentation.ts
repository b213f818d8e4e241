// Runs once when the server starts: refuse to start with bad configuration.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { parseEnv } = await import("./lib/config/env");
  try {
    parseEnv();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
