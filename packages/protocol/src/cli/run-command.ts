import { formatHelp, parseArgs, wantsHelp } from './args.js';
import { EXIT, type CliIo, type Command } from './command.js';
import { reportFailure, type DescribeOwnFailure } from './failure.js';

/**
 * Runs one command on its arguments: `-h`/`--help` anywhere among the options prints its help, a
 * failure is one line headed `label` (`posdiag hub`, `posdiag-hub`) and its exit code. A first argument
 * naming one of its subcommands runs that one instead, labelled `label NAME`.
 */
export async function runCommand(command: Command<any>, argv: string[], io: CliIo, label: string, describeOwn?: DescribeOwnFailure): Promise<number> {
  const [first, ...rest] = argv;
  const sub = first !== undefined && command.subcommands && Object.hasOwn(command.subcommands, first) ? command.subcommands[first] : undefined;
  if (sub) return runCommand(sub, rest, io, `${label} ${first}`, describeOwn);
  try {
    if (wantsHelp(argv)) {
      io.stdout(formatHelp(command.usage, command.summary, command.flags));
      return EXIT.ok;
    }
    const { flags, positional } = parseArgs(argv, command.flags);
    return await command.run(flags, positional, io);
  } catch (err) {
    return reportFailure(err, io, label, command.usage, describeOwn);
  }
}
