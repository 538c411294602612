import { checkCreatable, defineCommand, EXIT, writeOutputFile } from 'posdiag-protocol/cli';
import { configFlag, loadAgentConfig } from '../config-flag.js';
import { stderrLogger } from '../stderr-logger.js';
import { outboxOnDisk } from './status.js';
import { AGENT_VERSION } from '../../version.js';
import { buildBundle, type BundleState } from '../../bundle/bundle.js';
import type { Config } from '../../config/schema.js';
import { ControlRequestError, requestDaemon } from '../../control/client.js';
import { systemClock } from 'posdiag-protocol';
import { FAULT_CATALOG } from '../../devices/catalog.js';
import { standaloneSelfTest } from '../../self-test/standalone-self-test.js';
import { fetchDaemonLogTail } from '../../log-reader/daemon-tail.js';

/** The daemon's live state, or, with no daemon, one poll and the outbox as it lies on disk. */
async function collectState(config: Config): Promise<BundleState> {
  const status = (await requestDaemon(config.control.socket, 'status', {})) as { outbox?: unknown } | undefined;
  if (status) {
    const last = await requestDaemon(config.control.socket, 'last_self_test', {}).catch((err) => {
      if (err instanceof ControlRequestError && err.code === 'not_found') return undefined;
      throw err;
    });
    // The lines it could not write (a full or failing log disk); an older daemon has none to give.
    const logTail = await fetchDaemonLogTail(config.control.socket).catch(() => null);
    return { source: 'daemon', status, selfTests: last ? [last] : [], outbox: status.outbox ?? null, logTail: logTail ?? null };
  }
  const result = await standaloneSelfTest({ config, catalog: FAULT_CATALOG, log: stderrLogger('error'), clock: systemClock, locale: config.locale });
  return { source: 'one poll (no daemon running)', status: { readings: result.readings, faults: result.faults }, selfTests: [result], outbox: await outboxOnDisk(config) };
}

export const bundleCommand = defineCommand({
  name: 'bundle',
  usage: 'posdiag bundle [-o FILE] [--config FILE]',
  summary: 'Write a diagnostic bundle (tar.gz): logs, redacted config, current state, recent self-tests, outbox statistics.',
  flags: {
    output: { type: 'string', alias: 'o', description: 'file to write (default posdiag-bundle-<terminal>-<time>.tar.gz)', valueName: 'FILE' },
    config: configFlag,
  },
  async run(flags, _positional, io) {
    const config = await loadAgentConfig(flags.config);
    const now = systemClock.now();
    const file = flags.output ?? `posdiag-bundle-${config.terminal.id}-${new Date(now).toISOString().replace(/[:.]/g, '-')}.tar.gz`;
    checkCreatable(file, '-o');
    const bundle = await buildBundle(config, await collectState(config), now, AGENT_VERSION);
    writeOutputFile(file, bundle, '-o');
    io.stdout(`${file}\n`);
    return EXIT.ok;
  },
});
