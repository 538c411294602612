import { formatHelp, parseArgs, UsageError } from './args.js';
import { EXIT, type CliIo, type Command } from './command.js';
import { ConfigError } from '../config/load.js';

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

const SUMMARY = `posdiag — on-terminal diagnostics for payment terminals

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

Run "posdiag COMMAND --help" for a command's options.`;

export function processIo(): CliIo {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    signal: controller.signal,
  };
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr)(SUMMARY + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`posdiag: unknown command "${name}"\n\n${SUMMARY}\n`);
    return EXIT.usage;
  }
  const command = await load();
  if (rest.includes('--help')) {
    io.stdout(formatHelp(command.usage, command.summary, command.flags));
    return EXIT.ok;
  }
  try {
    const { flags, positional } = parseArgs(rest, command.flags);
    return await command.run(flags, positional, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`posdiag ${name}: ${err.message}\nusage: ${command.usage}\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.stderr(`posdiag ${name}: ${err.message}\n`);
      return EXIT.config;
    }
    throw err;
  }
}
