import { defineCommand, EXIT } from '../command.js';
import { configFlag, loadConfigFlag } from '../config-flag.js';
import { stderrLogger } from '../stderr-logger.js';
import { systemClock } from '../../core/clock.js';
import { standaloneSelfTest } from '../../diagnostics/standalone-self-test.js';
import type { Config } from '../../config/schema.js';
import { requestDaemon } from '../../control/client.js';
import type { Readings } from '../../core/readings.js';

interface Status {
  source: 'daemon' | 'one poll';
  terminal: { id: string; model: string; serial: string };
  at: string;
  readings: Readings;
  faults: { code: string; instance: string | null; category: string; severity: string; inhibitedBy: string | null }[];
}

/** Without a daemon: one poll of every device and the faults that hold now. */
async function inProcessStatus(config: Config): Promise<Status> {
  const result = await standaloneSelfTest({ config, log: stderrLogger(process.env.POSDIAG_LOG_LEVEL ?? 'error'), clock: systemClock, locale: config.locale });
  return { source: 'one poll', terminal: result.terminal, at: result.finishedAt, readings: result.readings, faults: result.faults };
}

export const statusCommand = defineCommand({
  name: 'status',
  usage: 'posdiag status [--config FILE] [--json]',
  summary: 'Current readings and open faults: from the running daemon, or else from one poll of every configured device.',
  flags: {
    config: configFlag,
    json: { type: 'boolean', description: 'print {readings, faults} as one JSON document' },
  },
  async run(flags, _positional, io) {
    const config = loadConfigFlag(flags.config);
    const status = ((await requestDaemon(config.control.socket, 'status', {})) as Status | undefined) ?? (await inProcessStatus(config));
    const faults = status.faults.map(({ code, instance, category, severity, inhibitedBy }) => ({ code, instance, category, severity, inhibitedBy }));
    if (flags.json) {
      io.stdout(JSON.stringify({ source: status.source, terminal: status.terminal, at: status.at, readings: status.readings, faults }, null, 2) + '\n');
      return EXIT.ok;
    }
    const names = Object.keys(status.readings).sort();
    const width = Math.max(0, ...names.map((n) => n.length));
    const lines = [`${status.terminal.id} ${status.terminal.model} SN ${status.terminal.serial} at ${status.at} (${status.source})`, '', 'readings:'];
    for (const name of names) lines.push(`  ${name.padEnd(width)}  ${String(status.readings[name])}`);
    lines.push('', faults.length ? 'faults:' : 'faults: none');
    for (const f of faults) lines.push(`  ${f.code}${f.instance ? ` [${f.instance}]` : ''}  ${f.severity}  ${f.category}${f.inhibitedBy ? `  (inhibited by ${f.inhibitedBy})` : ''}`);
    io.stdout(lines.join('\n') + '\n');
    return EXIT.ok;
  },
});
