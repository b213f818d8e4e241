import { randomBytes } from "node:crypto";
import { nearestOption, parseArgs } from "../context";
import { pickSubcommand, withActor } from "../actor";

export const summary = "add and list user accounts (administrators only, as on the web)";

const usage = `usage: tandem user add --as <admin email> --email <email> --name <name> [--admin] [--sso]
       tandem user list --as <admin email>

  --as (or --user)  an administrator (or TANDEM_USER); the new account is audited as theirs
  --sso             no password: the account signs in through single sign-on only
  without --sso a random password is made and printed once (give it to the user; they change it)`;

const str = (v: string | true | undefined) => (typeof v === "string" ? v : undefined);

async function add(argv: string[]) {
  const { flags } = parseArgs(argv, { values: ["as", "user", "email", "name"], booleans: ["admin", "sso"] });
  if (flags.help) return void process.stdout.write(`${usage}\n`);
  const password = flags.sso ? undefined : randomBytes(12).toString("base64url");
  await withActor(flags, usage, async (actor) => {
    const { requireAdmin } = await import("../../lib/auth/authorize");
    const { createUser } = await import("../../lib/auth/mutations");
    const { createUserSchema } = await import("../../lib/users/schema");
    requireAdmin(actor);
    const input = createUserSchema.parse({
      email: str(flags.email),
      name: str(flags.name),
      password,
      isAdmin: flags.admin === true,
    });
    const u = await createUser(input, actor.userId);
    console.log(`created ${u.email} (${u.name})${u.isAdmin ? ", administrator" : ""}`);
    if (password) console.log(`password (shown once): ${password}`);
    console.log(`add them to a project: tandem project members <slug> --as <lead email> --add ${u.email} --roles MD`);
  });
}

async function list(argv: string[]) {
  const { flags } = parseArgs(argv, { values: ["as", "user"] });
  if (flags.help) return void process.stdout.write(`${usage}\n`);
  await withActor(flags, usage, async (actor) => {
    const { requireAdmin } = await import("../../lib/auth/authorize");
    const { listUsers } = await import("../../lib/users/queries");
    requireAdmin(actor);
    const rows = await listUsers();
    const w = Math.max(5, ...rows.map((u) => u.email.length));
    console.log(`${"email".padEnd(w)}  ${"status".padEnd(8)}  sign-in   projects`);
    for (const u of rows) {
      const status = u.disabled ? "disabled" : u.isAdmin ? "admin" : "active";
      const signIn = [u.hasPassword ? "password" : null, u.ssoBound ? "sso" : null].filter(Boolean).join("+") || "none";
      const projects = u.memberships.map((m) => `${m.project.slug}:${m.roles.join("+")}`).join(" ") || "-";
      console.log(`${u.email.padEnd(w)}  ${status.padEnd(8)}  ${signIn.padEnd(8)}  ${projects}`);
    }
  });
}

const subs: Record<string, (argv: string[]) => Promise<void>> = { add, list };

export async function run(argv: string[]): Promise<void> {
  if (argv[0] === "--help" || argv[0] === "help") return void process.stdout.write(`${usage}\n`);
  await pickSubcommand(argv[0], subs, "user", nearestOption)(argv.slice(1));
}
