import { isAbsolute } from 'node:path';
import { formatHelp, parseArgs, UsageError, wantsHelp } from './args.js';
import { CliError, EXIT, type CliIo, type Command, type ExitCode } from './command.js';
import { didYouMean } from './did-you-mean.js';
import { permissionHint } from './permission-hint.js';
import { ConfigError } from '../config/load.js';
import { NamedFileError } from '../config/read-named-file.js';
import { ControlRequestError } from '../control/client.js';
import { RuleFileError } from '../diagnostics/rule-schema.js';
import { AGENT_VERSION } from '../version.js';

/** Commands load on demand, so `posdiag schema` never loads serialport, SQLite or node-hid. */
const COMMANDS: Record<string, () => Promise<Command<any>>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  'self-test': async () => (await import('./commands/self-test.js')).selfTestCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  log: async () => (await import('./commands/log.js')).logCommand,
  bundle: async () => (await import('./commands/bundle.js')).bundleCommand,
  enroll: async () => (await import('./commands/enroll.js')).enrollCommand,
  hub: async () => (await import('./commands/hub.js')).hubCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  schema: async () => (await import('./commands/schema.js')).schemaCommand,
  rules: async () => (await import('./commands/rules.js')).rulesCommand,
};

const USAGE = 'posdiag COMMAND [OPTIONS]; "posdiag --help" lists the commands';

const SUMMARY = `posdiag — on-terminal diagnostics for payment terminals

usage: posdiag COMMAND [OPTIONS]
       posdiag help COMMAND | posdiag COMMAND --help | posdiag --version

commands:
  run        the agent daemon: watch devices, evaluate rules, log, ship reports to the hub
  self-test  test the terminal now and print a verdict (exit 1 when a check fails)
  status     current readings and open faults
  log        read the local diagnostic log
  bundle     write a diagnostic bundle (tar.gz) for the provider
  enroll     re-enrol the card reader or the USB devices after a legitimate swap
  hub        the provider-side hub that terminals report to
  demo       a hub, a simulated terminal and an agent with a scripted fault scenario
  schema     print the JSON Schema of the config file or of the wire protocol
  rules      check rule files and run rule tests

Exit codes: 0 ok, 1 a self-test check failed, 64 usage, 66 a named file is missing or unreadable,
69 a service is unavailable, 70 internal error, 73 an output cannot be created, 75 another self-test
is running, 77 permission denied, 78 configuration error.`;

const GLOBAL_OPTIONS = ['--help', '-h', '--version', '-V'];

export function processIo(): CliIo {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `posdiag log | head`: the reader has what it wanted; stop quietly, as a killed-by-SIGPIPE tool would.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(EXIT.ok);
  });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    signal: controller.signal,
  };
}

/** The system error code an error carries (ENOENT, EACCES, …), on itself or on its cause. */
function errnoOf(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

const ERRNO_EXIT: Record<string, ExitCode> = {
  ENOENT: EXIT.noInput,
  ENOTDIR: EXIT.noInput,
  EISDIR: EXIT.noInput,
  EACCES: EXIT.permission,
  EPERM: EXIT.permission,
  EADDRINUSE: EXIT.unavailable,
  EADDRNOTAVAIL: EXIT.unavailable,
  EROFS: EXIT.cantCreate,
  ENOSPC: EXIT.cantCreate,
  EDQUOT: EXIT.cantCreate,
};

/** The file a permission error is about: an fs error's `path`, or the Unix socket of a refused connect or listen. */
function deniedPath(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException & { address?: unknown };
  const path = e.path ?? e.address;
  return typeof path === 'string' && isAbsolute(path) ? path : undefined;
}

/**
 * The one place an error becomes an exit code and a line (README "Exit codes"): typed errors by type,
 * system errors by their code, anything else is a bug (70).
 */
export function describeFailure(err: unknown): { exit: ExitCode; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof CliError) return { exit: err.exit, message };
  if (err instanceof UsageError) return { exit: EXIT.usage, message };
  if (err instanceof ConfigError || err instanceof RuleFileError) return { exit: EXIT.config, message };
  // The daemon failed the request, or hung up: the service is not there for us.
  if (err instanceof ControlRequestError) {
    return { exit: EXIT.unavailable, message: err.code === 'closed' || err.code === 'bad_answer' ? message : `the daemon refused the request (${err.code}): ${message}` };
  }
  const errno = errnoOf(err);
  // A named file that cannot be read, for whatever reason but permission (ELOOP, EIO, …), is missing input.
  const exit = ERRNO_EXIT[errno ?? ''] ?? (err instanceof NamedFileError ? EXIT.noInput : undefined);
  if (exit === undefined) return { exit: EXIT.internal, message: `internal error: ${message}` };
  const denied = exit === EXIT.permission ? deniedPath(err) : undefined;
  if (denied === undefined) return { exit, message };
  const what = err instanceof NamedFileError ? `${err.subject}: permission denied` : `permission denied on ${denied}`;
  return { exit, message: `${what}: ${permissionHint(denied)}` };
}

/** Prints `err` as one `posdiag CMD: …` line (plus the usage line for a usage error) and returns its exit code. */
export function reportFailure(err: unknown, io: Pick<CliIo, 'stderr'>, command: string, usage = USAGE): ExitCode {
  const { exit, message } = describeFailure(err);
  io.stderr(`${command}: ${message}\n${exit === EXIT.usage ? `usage: ${usage}\n` : ''}`);
  if (process.env.POSDIAG_DEBUG === '1' && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
  return exit;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(SUMMARY + '\n');
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    io.stdout(SUMMARY + '\n');
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${AGENT_VERSION}\n`);
    return EXIT.ok;
  }
  const wanted = name === 'help' ? rest[0]! : name;
  const load = Object.hasOwn(COMMANDS, wanted) ? COMMANDS[wanted] : undefined;
  if (!load) {
    const what = wanted.startsWith('-') ? 'option' : 'command';
    const hint = didYouMean(wanted, wanted.startsWith('-') ? GLOBAL_OPTIONS : Object.keys(COMMANDS));
    return reportFailure(new UsageError(`unknown ${what} "${wanted}"${hint}`), io, 'posdiag');
  }
  let command: Command<any> | undefined;
  try {
    command = await load();
    if (name === 'help' || wantsHelp(rest)) {
      io.stdout(formatHelp(command.usage, command.summary, command.flags));
      return EXIT.ok;
    }
    const { flags, positional } = parseArgs(rest, command.flags);
    return await command.run(flags, positional, io);
  } catch (err) {
    return reportFailure(err, io, `posdiag ${wanted}`, command?.usage);
  }
}
