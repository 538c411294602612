import { didYouMean, EXIT, processIo, reportFailure, runCommand, UsageError, type CliIo, type Command, type ExitCode, type Failure } from 'posdiag-protocol/cli';
import { ControlRequestError } from '../control/client.js';
import { RuleFileError } from '../rules/rule-schema.js';
import { AGENT_VERSION } from '../version.js';
import { importHub } from './optional-hub.js';

/** Commands load on demand, so `posdiag schema` never loads serialport, SQLite or node-hid. */
const COMMANDS: Record<string, () => Promise<Command<any>>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  'self-test': async () => (await import('./commands/self-test.js')).selfTestCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  log: async () => (await import('./commands/log.js')).logCommand,
  bundle: async () => (await import('./commands/bundle.js')).bundleCommand,
  enroll: async () => (await import('./commands/enroll.js')).enrollCommand,
  swap: async () => (await import('./commands/swap.js')).swapCommand,
  hub: async () => (await importHub()).createHubCommand('posdiag hub'),
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
  swap       move this terminal's slot to a spare unit (export here, import on the spare)
  hub        the provider-side hub that terminals report to
  demo       a hub, a simulated terminal and an agent with a scripted fault scenario
  schema     print the JSON Schema of the config file or of the wire protocol
  rules      check rule files and run rule tests

Exit codes: 0 ok, 1 a self-test check failed, 64 usage, 65 an input file's content is wrong (a swap
file), 66 a named file is missing or unreadable, 69 a service is unavailable, 70 internal error, 73 an
output cannot be created, 75 another self-test is running, 77 permission denied, 78 configuration error.`;

const GLOBAL_OPTIONS = ['--help', '-h', '--version', '-V'];

/** The agent's own errors; the rest (usage, config, system errors, named files) are worded as for every program. */
function describeAgentFailure(err: unknown, message: string): Failure | undefined {
  if (err instanceof RuleFileError) return { exit: EXIT.config, message };
  // The daemon failed the request, or hung up: the service is not there for us.
  if (err instanceof ControlRequestError) {
    return { exit: EXIT.unavailable, message: err.code === 'closed' || err.code === 'bad_answer' ? message : `the daemon refused the request (${err.code}): ${message}` };
  }
  return undefined;
}

/** Prints `err` as one `posdiag CMD: …` line (plus the usage line for a usage error) and returns its exit code. */
export function reportAgentFailure(err: unknown, io: Pick<CliIo, 'stderr'>, command: string, usage = USAGE): ExitCode {
  return reportFailure(err, io, command, usage, describeAgentFailure);
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
    return reportAgentFailure(new UsageError(`unknown ${what} "${wanted}"${hint}`), io, 'posdiag');
  }
  let command: Command<any>;
  try {
    command = await load();
  } catch (err) {
    return reportAgentFailure(err, io, `posdiag ${wanted}`);
  }
  // `posdiag help COMMAND` is `posdiag COMMAND --help`.
  return runCommand(command, name === 'help' ? ['--help'] : rest, io, `posdiag ${wanted}`, describeAgentFailure);
}
