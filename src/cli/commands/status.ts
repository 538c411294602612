import { defineCommand, EXIT } from '../command.js';
import { configFlag, loadConfigFlag } from '../config-flag.js';
import { stderrLogger } from '../stderr-logger.js';
import { systemClock } from '../../core/clock.js';
import { standaloneSelfTest } from '../../diagnostics/standalone-self-test.js';

export const statusCommand = defineCommand({
  name: 'status',
  usage: 'posdiag status [--config FILE] [--json]',
  summary: 'Current readings and the faults that hold now, from one poll of every configured device.',
  flags: {
    config: configFlag,
    json: { type: 'boolean', description: 'print {readings, faults} as one JSON document' },
  },
  async run(flags, _positional, io) {
    const config = loadConfigFlag(flags.config);
    const result = await standaloneSelfTest({ config, log: stderrLogger(process.env.POSDIAG_LOG_LEVEL ?? 'error'), clock: systemClock, locale: config.locale });
    const faults = result.faults.map(({ code, instance, category, severity, inhibitedBy }) => ({ code, instance, category, severity, inhibitedBy }));
    if (flags.json) {
      io.stdout(JSON.stringify({ terminal: result.terminal, at: result.finishedAt, readings: result.readings, faults }, null, 2) + '\n');
      return EXIT.ok;
    }
    const names = Object.keys(result.readings).sort();
    const width = Math.max(0, ...names.map((n) => n.length));
    const lines = [`${result.terminal.id} ${result.terminal.model} SN ${result.terminal.serial} at ${result.finishedAt}`, '', 'readings:'];
    for (const name of names) lines.push(`  ${name.padEnd(width)}  ${String(result.readings[name])}`);
    lines.push('', faults.length ? 'faults:' : 'faults: none');
    for (const f of faults) lines.push(`  ${f.code}${f.instance ? ` [${f.instance}]` : ''}  ${f.severity}  ${f.category}${f.inhibitedBy ? `  (inhibited by ${f.inhibitedBy})` : ''}`);
    io.stdout(lines.join('\n') + '\n');
    return EXIT.ok;
  },
});
