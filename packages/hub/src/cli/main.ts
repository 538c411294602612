import { processIo, runCommand, type CliIo } from 'posdiag-protocol/cli';
import { createHubCommand } from './hub-command.js';

const PROGRAM = 'posdiag-hub';

/** `posdiag-hub [OPTIONS]`: the hub's own program, the same command `posdiag hub` runs. */
export function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return runCommand(createHubCommand(PROGRAM), argv, io, PROGRAM);
}
