import { join } from 'node:path';
import { defineCommand, EXIT } from 'posdiag-protocol/cli';
import { configFlag, loadAgentConfig } from '../config-flag.js';
import { stderrLogger } from '../stderr-logger.js';
import { systemClock } from 'posdiag-protocol';
import { LOCALES, type Locale } from 'posdiag-protocol';
import { localTime, uiText, valueWord } from '../../core/ui-text.js';
import { FAULT_CATALOG } from '../../devices/catalog.js';
import { standaloneSelfTest } from '../../self-test/standalone-self-test.js';
import type { Config } from '../../config/schema.js';
import { requestDaemon } from '../../control/client.js';
import { onePollStatusAnswer, type StatusAnswer } from '../../control/status-answer.js';
import type { OutboxStats } from '../../report/outbox-contract.js';
import { LogState } from '../../report/outbox/log-state.js';
import { readOutboxStats } from '../../report/outbox/read-only-stats.js';
import { readLockState } from '../../repair/terminal-lock.js';
import { readWorkOrder } from '../../repair/work-order.js';

/** Without a daemon: one poll of every device, the faults that hold now, and the outbox as it lies on disk. */
async function onePollStatus(config: Config): Promise<StatusAnswer> {
  const result = await standaloneSelfTest({ config, catalog: FAULT_CATALOG, log: stderrLogger(process.env.POSDIAG_LOG_LEVEL ?? 'error'), clock: systemClock, locale: config.locale });
  const repair = { lock: readLockState(config.paths.state, Date.now()), workOrder: readWorkOrder(config.paths.state) };
  return onePollStatusAnswer(result, await outboxOnDisk(config), repair, config.uplink !== undefined, FAULT_CATALOG);
}

/**
 * The outbox as a stopped daemon left it, read without writing a byte (a look must not change the log
 * or leave files the service user cannot write). No outbox dir means none was ever made: nothing is
 * pending, shown as the daemon would open it, empty. Null when it cannot be read.
 */
export async function outboxOnDisk(config: Config): Promise<OutboxStats | null> {
  try {
    return (await readOutboxStats(join(config.paths.state, 'outbox'))) ?? new LogState().stats('disk');
  } catch {
    return null;
  }
}

/** The JSON document: the answer, with each fault's steps in the chosen language. */
function statusDocument(status: StatusAnswer, locale: Locale) {
  const faults = status.faults.map(({ remediation, ...fault }) => ({ ...fault, remediation: remediation.map((s) => ({ text: s.text[locale], automatic: s.automatic })) }));
  return { ...status, faults, ...(status.hints ? { hints: status.hints.map((h) => h[locale]) } : {}) };
}

const when = (iso: string) => localTime(new Date(iso));

/** The technician's view: readings, open faults with since when and what to do, the hub link, the outbox. */
export function formatStatus(status: StatusAnswer, locale: Locale): string {
  const t = uiText(locale);
  const w = t.status;
  const names = Object.keys(status.readings).sort();
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = [w.header(status.terminal, when(status.at), w.sources[status.source]), '', t.labelled(w.readings, '')];
  for (const name of names) lines.push(`  ${name.padEnd(width)}  ${valueWord(status.readings[name]!, locale)}`);
  lines.push('', t.labelled(w.faults, status.faults.length ? '' : w.none));
  for (const f of status.faults) {
    const parts = [`${f.code}${f.instance ? ` [${f.instance}]` : ''}`, t.severityOf(t.severities[f.severity], t.categories[f.category])];
    parts.push(f.since ? w.since(when(f.since)) : w.sinceUnknown);
    if (f.flapping) parts.push(w.flapping);
    if (f.inhibitedBy) parts.push(t.inhibitedBy(f.inhibitedBy));
    lines.push(`  ${parts.join('  ')}`);
    // An explained fault's steps are its root cause's.
    if (!f.inhibitedBy) f.remediation.forEach((s, i) => lines.push(`    ${i + 1}. ${s.text[locale]}${s.automatic ? ` ${t.automatic}` : ''}`));
  }
  if (status.hints?.length) {
    lines.push('', t.labelled(w.hints, ''));
    for (const hint of status.hints) lines.push(`  ${hint[locale]}`);
  }
  const link = status.uplink;
  const linkParts = [w.uplinkStates[link.state]];
  if (link.pending !== null) linkParts.push(link.lastAckAt ? w.lastAck(when(link.lastAckAt)) : w.noAckYet, w.awaitingAck(link.pending));
  lines.push('', t.labelled(w.uplink, linkParts.join(t.separator)));
  // Under it, like a fault's steps: which of the configured hubs it is.
  if (link.url) lines.push(`  ${link.url}`);
  const box = status.outbox;
  const boxParts = box ? [w.records(box.pending), w.bytes(box.bytes), box.storage === 'disk' ? w.onDisk : w.inMemory] : [w.outboxUnreadable];
  if (box?.droppedTotal) boxParts.push(w.dropped(box.droppedTotal));
  lines.push(t.labelled(w.outbox, boxParts.join(t.separator)));
  const lock = status.lock;
  lines.push(t.labelled(w.lock, lock.locked ? w.locked(lock.since ? when(lock.since) : null, lock.reason) : w.unlocked));
  if (status.workOrder) {
    lines.push(t.labelled(w.workOrder, w.workOrderState(status.workOrder.ref, status.workOrder.state)));
    if (status.workOrder.url) lines.push(`  ${status.workOrder.url}`);
  }
  return lines.join('\n') + '\n';
}

export const statusCommand = defineCommand({
  name: 'status',
  usage: 'posdiag status [--config FILE] [--json] [--lang zh-CN|en]',
  summary:
    'Current readings, each open fault with since when and what to do, the link to the hub (connected, last ack,\n' +
    'reports awaiting ack) and the outbox (reports, bytes, disk or memory): from the running daemon, or else\n' +
    'from one poll of every configured device.',
  flags: {
    config: configFlag,
    json: { type: 'boolean', description: 'print {readings, faults, uplink, outbox} as one JSON document' },
    lang: { type: 'string', description: 'language of the output (default: the config locale)', choices: LOCALES },
  },
  async run(flags, _positional, io) {
    const config = await loadAgentConfig(flags.config);
    const locale = (flags.lang as Locale | undefined) ?? config.locale;
    const status = ((await requestDaemon(config.control.socket, 'status', {})) as StatusAnswer | undefined) ?? (await onePollStatus(config));
    io.stdout(flags.json ? JSON.stringify(statusDocument(status, locale), null, 2) + '\n' : formatStatus(status, locale));
    return EXIT.ok;
  },
});
