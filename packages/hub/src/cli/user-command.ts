import { userInfo } from 'node:os';
import { checkCreatable, CliError, defineCommand, didYouMean, EXIT, UsageError, type Command } from 'posdiag-protocol/cli';
import { systemClock } from 'posdiag-protocol';
import { createOperators, type Operators } from '../operators/operators.js';
import { cliPrincipal, type Principal } from '../operators/principal.js';
import { isRole, ROLES } from '../operators/roles.js';
import { OperatorError, type UserView } from '../operators/users.js';
import { isPostgresUrl, openStore } from '../store/open-store.js';
import { databaseError } from './database-error.js';
import { readNewPassword } from './read-password.js';

const DB_FLAG = { type: 'string', description: 'the hub database (default ./posdiag-hub.db), or postgres://USER@HOST:PORT/DB', valueName: 'FILE|URL' } as const;

/** Who runs the command, as the audit log names them: the OS user on the hub's machine. */
function osPrincipal(): Principal {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? 'unknown';
  }
  return cliPrincipal(name);
}

/** Runs `fn` on the operators of the `--db` database, closing it after; a database that cannot be used is one line. */
async function withOperators<T>(db: string | undefined, fn: (operators: Operators, by: Principal) => Promise<T>): Promise<T> {
  const file = db ?? 'posdiag-hub.db';
  if (!isPostgresUrl(file)) checkCreatable(file, '--db');
  const store = await openStore(file).catch((err: unknown) => {
    throw databaseError(err, file);
  });
  try {
    return await fn(createOperators(store.operators, systemClock), osPrincipal());
  } catch (err) {
    if (err instanceof OperatorError) throw new CliError(EXIT.usage, err.message);
    throw err;
  } finally {
    await store.close();
  }
}

function oneName(positional: string[], usage: string): string {
  if (positional.length !== 1) throw new UsageError(`give one user name: ${usage}`);
  return positional[0]!;
}

const iso = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());

function userLines(u: UserView): string[] {
  const head = `${u.name}\t${u.role}\t${u.disabled ? 'disabled' : 'enabled'}\tcreated ${iso(u.createdAt)}`;
  const tokens = u.tokens.map((t) => `  token ${t.id}\t${t.name}\tcreated ${iso(t.createdAt)}\tlast used ${iso(t.lastUsed)}${t.revokedAt !== null ? `\trevoked ${iso(t.revokedAt)}` : ''}`);
  return [head, ...tokens];
}

/** `PROGRAM user add|list|disable|token`: the hub's operators, managed on its database. */
export function createUserCommand(program: string): Command<{ db: typeof DB_FLAG }> {
  const base = `${program} user`;
  const add = defineCommand({
    name: 'add',
    usage: `${base} add NAME --role ${ROLES.join('|')} [--db FILE|URL]`,
    summary: 'Adds an operator. The password is read from stdin when it is not a terminal, else typed twice without echo.',
    flags: { role: { type: 'string', description: 'what the user may do: viewer (read), technician (also the work orders assigned to them), operator (also commands, any work order), admin (also audit, users)', choices: ROLES }, db: DB_FLAG },
    async run(flags, positional, io) {
      const name = oneName(positional, add.usage);
      if (flags.role === undefined || !isRole(flags.role)) throw new UsageError(`--role ${ROLES.join('|')} is required`);
      const role = flags.role;
      const password = await readNewPassword();
      await withOperators(flags.db, (ops, by) => ops.users.add(name, role, password, by));
      io.stderr(`user ${name} added (${role})\n`);
      return EXIT.ok;
    },
  });
  const list = defineCommand({
    name: 'list',
    usage: `${base} list [--db FILE|URL]`,
    summary: 'Lists the operators, their roles and their API tokens (id, name, created, last used); never a secret.',
    flags: { db: DB_FLAG },
    async run(flags, positional, io) {
      if (positional.length > 0) throw new UsageError(`no arguments: ${list.usage}`);
      const users = await withOperators(flags.db, (ops) => ops.users.list());
      io.stdout(users.flatMap(userLines).map((l) => `${l}\n`).join(''));
      return EXIT.ok;
    },
  });
  const disable = defineCommand({
    name: 'disable',
    usage: `${base} disable NAME [--db FILE|URL]`,
    summary: "Disables an operator: the user's API tokens and console sessions stop working.",
    flags: { db: DB_FLAG },
    async run(flags, positional, io) {
      const name = oneName(positional, disable.usage);
      await withOperators(flags.db, (ops, by) => ops.users.disable(name, by));
      io.stderr(`user ${name} disabled\n`);
      return EXIT.ok;
    },
  });
  const token = defineCommand({
    name: 'token',
    usage: `${base} token NAME [--name LABEL] [--revoke ID] [--db FILE|URL]`,
    summary:
      'Prints a new personal API token for the user on stdout, and nothing else there: it is shown only this once\n' +
      '(the hub keeps its SHA-256). Send it as "Authorization: Bearer <token>". --revoke ID revokes one instead.',
    flags: {
      name: { type: 'string', description: 'what the token is for, shown by "user list" (default cli)', valueName: 'LABEL' },
      revoke: { type: 'string', description: 'revoke the token of this id (from "user list") instead', valueName: 'ID' },
      db: DB_FLAG,
    },
    async run(flags, positional, io) {
      const name = oneName(positional, token.usage);
      const revoke = flags.revoke;
      if (revoke !== undefined) {
        await withOperators(flags.db, (ops, by) => ops.users.revokeToken(name, revoke, by));
        io.stderr(`token ${revoke} of ${name} revoked\n`);
        return EXIT.ok;
      }
      const issued = await withOperators(flags.db, (ops, by) => ops.users.issueToken(name, flags.name ?? 'cli', by));
      io.stdout(`${issued.token}\n`);
      io.stderr(`token ${issued.id} issued for ${name}\n`);
      return EXIT.ok;
    },
  });
  const subcommands = { add, list, disable, token };
  return defineCommand({
    name: 'user',
    usage: `${base} add|list|disable|token ...`,
    summary: `The hub's operators (users with a role, their API tokens), on the hub's database; "${base} COMMAND --help" for each.`,
    flags: { db: DB_FLAG },
    subcommands,
    async run(_flags, positional) {
      const [wanted] = positional;
      if (wanted === undefined) throw new UsageError(`give a subcommand: ${Object.keys(subcommands).join(', ')}`);
      throw new UsageError(`unknown subcommand "${wanted}"${didYouMean(wanted, Object.keys(subcommands))}`);
    },
  });
}
