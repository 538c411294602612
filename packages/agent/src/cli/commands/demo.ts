import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineCommand, EXIT, makeOutputDir, UsageError } from 'posdiag-protocol/cli';
import { importHub } from '../optional-hub.js';
import { createAgent } from '../../agent.js';
import { systemClock } from 'posdiag-protocol';
import { parseConfig } from '../../config/load.js';
import type { StoredReport } from 'posdiag-hub';
import { createFileLogger } from '../../log/file-logger.js';
import { createDemoTerminal, playScenario } from '../../sim/demo-terminal.js';

const TERMINAL_ID = 'T-DEMO-0001';
/** With --console, the scenario waits this long: time to log in and open the alarms page first. */
const CONSOLE_HEAD_START_MS = 20_000;

/** One human line per stored report: what the provider's hub just learnt. */
export function describeStored(row: StoredReport, alert: boolean, elapsedMs: number): string {
  const at = `+${(elapsedMs / 1000).toFixed(1).padStart(5)}s`;
  switch (row.kind) {
    case 'fault': {
      const note = row.inhibitedBy ? ` (inhibited by ${row.inhibitedBy})` : alert ? '  ALERT' : '';
      const what = `${row.code}${row.instance ? `[${row.instance}]` : ''}`;
      return `${at}  hub <- ${row.terminal} #${row.seq}  fault ${row.state.toUpperCase().padEnd(7)} ${what.padEnd(26)} ${row.severity}/${row.category}  ${row.summary.en}${note}`;
    }
    case 'self_test':
      return `${at}  hub <- ${row.terminal} #${row.seq}  self-test ${row.result.passed ? 'passed' : 'failed'}`;
    case 'heartbeat':
      return `${at}  hub <- ${row.terminal} #${row.seq}  heartbeat: open faults ${row.openFaults.join(', ') || 'none'}; outbox pending ${row.outbox.pending}`;
  }
}

export const demoCommand = defineCommand({
  name: 'demo',
  usage: 'posdiag demo [--duration SECONDS | --console] [--json] [--keep DIR]',
  summary:
    'The embedded demo: a hub on loopback, a simulated terminal (an ESC/POS printer on a serial port, a\n' +
    'sysfs battery, a USB HID card reader) and an agent. Within 20 s the paper runs out and is reloaded,\n' +
    'the battery drains below 20 % and card swipes start failing; every report the hub stores is printed.\n' +
    'Ctrl-C stops it early. --console keeps it running until Ctrl-C, prints the web console\'s address\n' +
    'and a one-time login, and starts the scenario 20 s later so the alarms arrive while you watch.',
  flags: {
    duration: { type: 'string', description: 'seconds to run (default 30)', valueName: 'SECONDS' },
    json: { type: 'boolean', description: 'print one JSON object per stored report (JSON Lines), nothing else on stdout' },
    keep: { type: 'string', description: "leave the agent's state and logs and the hub's database under DIR", valueName: 'DIR' },
    console: { type: 'boolean', description: "run until Ctrl-C and print the hub's web console address and a one-time login" },
  },
  async run(flags, _positional, io) {
    if (flags.console && flags.duration !== undefined) throw new UsageError('--console runs until Ctrl-C: give it or --duration, not both');
    const seconds = flags.duration === undefined ? 30 : Number(flags.duration);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--duration must be a positive number of seconds (got "${flags.duration}")`);
    const { startHub, addOperatorUser } = await importHub();
    const dir = flags.keep ? resolve(flags.keep) : mkdtempSync(join(tmpdir(), 'posdiag-demo-'));
    makeOutputDir(dir, '--keep');
    const say = (text: string) => (flags.json ? io.stderr : io.stdout)(`${text}\n`);
    const started = systemClock.now();

    const token = randomBytes(24).toString('base64url');
    const hubLog = createFileLogger({ dir: join(dir, 'hub'), level: 'info', maxBytes: 1 << 20, keep: 1, name: 'posdiag-hub' });
    const db = join(dir, 'hub', 'hub.db');
    // A login made for this run only: a new random password each time (the database is removed at the end unless --keep).
    const login = flags.console ? { name: `demo-${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('base64url') } : undefined;
    if (login) await addOperatorUser(db, { ...login, role: 'admin', by: 'posdiag-demo' });
    const hub = await startHub({ host: '127.0.0.1', port: 0, db, tokens: { [TERMINAL_ID]: token }, log: hubLog.logger });
    hub.onStored((row, meta) => {
      if (flags.json) io.stdout(JSON.stringify(row) + '\n');
      else say(describeStored(row, meta.alert, systemClock.now() - started));
    });

    const terminal = await createDemoTerminal(dir);
    const config = parseConfig({
      terminal: { id: TERMINAL_ID, model: 'SIM-990', serial: 'SIM-0001' },
      paths: { sysfs: terminal.sysfsRoot, dev: terminal.devRoot, procfs: '/proc', state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: terminal.sections,
      uplink: { url: hub.url, token },
      heartbeat: '15s',
      locale: 'en',
    });
    const agentLog = createFileLogger({ dir: config.paths.logs, level: 'debug', maxBytes: config.log.maxBytes, keep: config.log.keep });
    const agent = await createAgent({ config, log: agentLog.logger, ...terminal.overrides });

    say(`posdiag demo: hub ${hub.url}, terminal ${TERMINAL_ID} (simulated ${terminal.shown.join(', ')})`);
    const files = `files under ${dir}${flags.keep ? '' : ' (removed at the end; --keep DIR keeps them)'}`;
    if (login) {
      say(`posdiag demo: web console http://127.0.0.1:${hub.address.port}/  user ${login.name}  password ${login.password}  (this run only)`);
      say(`posdiag demo: running until Ctrl-C; the scenario starts in ${CONSOLE_HEAD_START_MS / 1000} s: open the alarms page to watch them arrive; ${files}`);
    } else say(`posdiag demo: running ${seconds} s; ${files}`);
    agent.start();
    const at = () => `+${((systemClock.now() - started) / 1000).toFixed(1).padStart(5)}s`;
    // The merchant's hints (a damaged card) are never sent: the demo shows them as the terminal would, when they change.
    let shownHints = '';
    const onStep = (step: { say: string }) => {
      say(`${at()}  scenario: ${step.say}`);
      const hints = agent.status().hints.map((h) => h.en);
      if (hints.join('\n') !== shownHints) hints.forEach((hint) => say(`${at()}  terminal hint (not sent): ${hint}`));
      shownHints = hints.join('\n');
    };
    let cancelScenario = () => {};
    const headStart = setTimeout(() => (cancelScenario = playScenario(terminal, systemClock, onStep)), login ? CONSOLE_HEAD_START_MS : 0);

    await new Promise<void>((done) => {
      const timer = login ? undefined : setTimeout(done, seconds * 1000);
      io.signal.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true });
    });
    clearTimeout(headStart);

    cancelScenario();
    await agent.stop();
    terminal.close();
    await hub.close();
    await agentLog.close();
    await hubLog.close();
    if (!flags.keep) rmSync(dir, { recursive: true, force: true });
    say(`posdiag demo: stopped${flags.keep ? `; state, logs and hub database kept in ${dir}` : ''}`);
    return EXIT.ok;
  },
});
