import { withDatabase } from "./context";

/** The account a command acts as (--as, --user or TANDEM_USER): its role checks are the web's. */
export async function actorFor(flags: Record<string, string | true>, usage: string) {
  const who = flags.as ?? flags.user;
  const email = typeof who === "string" ? who : process.env.TANDEM_USER;
  if (!email) throw new Error(`--as <email> is required (or set TANDEM_USER)\n${usage}`);
  const { findUserByEmail } = await import("../lib/auth/queries");
  const user = await findUserByEmail(email);
  if (!user || user.disabled) throw new Error(`no active user ${email}`);
  return { userId: user.id, isAdmin: user.isAdmin, email: user.email };
}

/** Runs `fn` in the database as the account the command acts as. */
export function withActor<T>(
  flags: Record<string, string | true>,
  usage: string,
  fn: (actor: Awaited<ReturnType<typeof actorFor>>) => Promise<T>,
): Promise<T> {
  return withDatabase(async () => fn(await actorFor(flags, usage)));
}

/** `tandem <command> <sub>`: the sub-command, or an error naming the valid ones (and the nearest). */
export function pickSubcommand<T>(
  name: string | undefined,
  subs: Record<string, T>,
  command: string,
  nearest: (n: string, o: string[]) => string | null,
): T {
  const names = Object.keys(subs);
  if (name && subs[name]) return subs[name];
  const near = name ? nearest(name, names) : null;
  throw new Error(
    `${name ? `unknown sub-command ${name}${near ? `; did you mean ${near}?` : ""}` : "a sub-command is needed"} (tandem ${command} ${names.join("|")})`,
  );
}
