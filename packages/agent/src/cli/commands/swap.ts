import { CliError, checkCreatable, defineCommand, didYouMean, EXIT, readTextFile, UsageError } from 'posdiag-protocol/cli';
import { configFile, configFlag } from '../config-flag.js';
import { writeFileAtomic } from '../../core/state-file.js';
import { loadConfig } from '../../config/load.js';
import { requestDaemon } from '../../control/client.js';
import { decodeSwapFile, encodeSwapFile, SwapFileError } from '../../repair/swap-file.js';
import { exportSwap } from '../../repair/swap-export.js';
import { importSwap, SwapConflictError, SwapNeedsConfigError } from '../../repair/swap-import.js';

/** A swap file holds the slot's credentials: only its owner may read it. */
const SWAP_FILE_MODE = 0o600;

const exportCommand = defineCommand({
  name: 'export',
  usage: 'posdiag swap export -o FILE [--config FILE]',
  summary:
    "Writes this terminal's slot to FILE (JSON, mode 0600) for a spare unit to take over: its terminal id, its\n" +
    'config with the uplink token, the contents of the PEM files it names, the open work order and the last seq\n' +
    "of its reports. Not the unit's wear counters, device enrolments, outbox or lock: those stay with the unit.",
  flags: { output: { type: 'string', alias: 'o', description: 'the swap file to write', valueName: 'FILE' }, config: configFlag },
  async run(flags, positional, io) {
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    if (!flags.output) throw new UsageError('-o FILE is required: where to write the swap file');
    checkCreatable(flags.output, '-o');
    const swap = await exportSwap(configFile(flags.config), Date.now());
    try {
      writeFileAtomic(flags.output, encodeSwapFile(swap), { mode: SWAP_FILE_MODE });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') throw err;
      throw new CliError(EXIT.cantCreate, `-o ${flags.output}: cannot create it: ${(err as Error).message}`);
    }
    io.stdout(`${flags.output}\n`);
    io.stderr(`posdiag swap: slot ${swap.slot.terminal} (unit ${swap.slot.fromSerial}, seq ${swap.slot.lastSeq}${swap.workOrder ? `, work order ${swap.workOrder.ref}` : ''}) written; it holds credentials: keep it safe and delete it after the import\n`);
    return EXIT.ok;
  },
});

const importCommand = defineCommand({
  name: 'import',
  usage: 'posdiag swap import FILE [--config FILE] [--force]',
  summary:
    'Makes this unit the slot of a swap file: writes its config (this unit keeps its paths, control socket, serial,\n' +
    'model and purchase date) and credentials, sets its former outbox aside, keeps its own wear counters. At its\n' +
    'next start the daemon enrols the devices it finds afresh (no identity-change alert) and, once connected,\n' +
    'runs and reports the acceptance self-test (full). Stop the daemon first. Refuses a config of another\n' +
    'terminal id unless --force. A swap file from the hub (GET /api/terminals/ID/swap, for a dead unit) holds\n' +
    "only the slot's id and token: they go onto this unit's own config, which must exist. Exit 65: FILE is\n" +
    'not a swap file this agent reads; 66: a hub\'s file and no config; 73: --force needed.',
  flags: { config: configFlag, force: { type: 'boolean', description: 'take the slot over even if this unit is configured as another terminal' } },
  async run(flags, positional, io) {
    if (positional.length !== 1) throw new UsageError('expected exactly one swap FILE');
    const file = positional[0]!;
    let swap;
    try {
      swap = decodeSwapFile(readTextFile(file, `cannot read swap file ${file}`));
    } catch (err) {
      if (err instanceof SwapFileError) throw new CliError(EXIT.badData, `${file}: ${err.message}`);
      throw err;
    }
    const target = configFile(flags.config);
    const socket = existing(target)?.control.socket;
    if (socket && (await requestDaemon(socket, 'status', {})) !== undefined) {
      throw new CliError(EXIT.unavailable, `a posdiag daemon is running on ${socket}: stop it before the import, start it after`);
    }
    let result;
    try {
      result = importSwap(swap, target, { force: flags.force === true, now: Date.now() });
    } catch (err) {
      if (err instanceof SwapFileError) throw new CliError(EXIT.badData, `${file}: ${err.message}`);
      if (err instanceof SwapConflictError) throw new CliError(EXIT.cantCreate, err.message);
      if (err instanceof SwapNeedsConfigError) throw new CliError(EXIT.noInput, `${file}: ${err.message}`);
      throw err;
    }
    const was = result.previousTerminal && result.previousTerminal !== result.terminal ? ` (was ${result.previousTerminal})` : '';
    io.stdout(`this unit (serial ${result.unitSerial}) is now terminal ${result.terminal}${was}; its lifetime counters are its own and stay\n`);
    if (result.outboxSetAside) io.stdout(`its former outbox is set aside in ${result.outboxSetAside}\n`);
    io.stdout('start the daemon: it enrols the devices it finds and, once connected, runs the acceptance self-test (full)\n');
    return EXIT.ok;
  },
});

/** The config already at `file`, when there is one: its control socket says whether a daemon runs. */
function existing(file: string) {
  try {
    return loadConfig(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const subcommands = { export: exportCommand, import: importCommand };

export const swapCommand = defineCommand({
  name: 'swap',
  usage: 'posdiag swap export|import ...',
  summary: 'Moves a terminal\'s slot (id, config, credentials, work order) to a spare unit; "posdiag swap COMMAND --help" for each.',
  flags: {},
  subcommands,
  async run(_flags, positional) {
    const [wanted] = positional;
    if (wanted === undefined) throw new UsageError(`give a subcommand: ${Object.keys(subcommands).join(', ')}`);
    throw new UsageError(`unknown subcommand "${wanted}"${didYouMean(wanted, Object.keys(subcommands))}`);
  },
});
