import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { scrubText, scrubValue } from '../core/card-scrubber.js';
import type { Config } from '../config/schema.js';
import { logFilesOldestFirst } from '../log-line/log-files.js';
import type { LogTailSnapshot } from '../log-line/tail-snapshot.js';
import { tarGz, type TarEntry } from './tar.js';

export interface BundleState {
  /** 'daemon' when the running agent supplied the state, else what one in-process poll saw. */
  source: string;
  status: unknown;
  selfTests: unknown[];
  outbox: unknown;
  /** The daemon's memory tail of its log (none without a daemon). */
  logTail?: LogTailSnapshot | null;
}

const DIR = 'posdiag-bundle';

/**
 * The technician's diagnostic bundle (tar.gz): logs, the config with secrets redacted, the current state,
 * recent self-tests and outbox statistics. Every file passes the card scrubber line by line, so a
 * bundle can be mailed to the provider as it is. When the log files cannot be written (or read), the
 * daemon's latest lines come along as `logs/memory-tail.log`, what it says of them (storage, unwritten,
 * lost, error) as `logs/memory-tail.json`.
 */
export async function buildBundle(config: Config, state: BundleState, now: number, agentVersion: string): Promise<Buffer> {
  const json = (name: string, value: unknown): TarEntry => ({
    name: `${DIR}/${name}`,
    data: Buffer.from(JSON.stringify(scrubValue(value), null, 2) + '\n'),
    mtimeMs: now,
  });
  const entries: TarEntry[] = [
    json('manifest.json', { createdAt: new Date(now).toISOString(), agentVersion, terminal: config.terminal.id, source: state.source }),
    json('config.json', redactConfig(config)),
    json('status.json', state.status),
    json('self-tests.json', state.selfTests),
    json('outbox.json', state.outbox),
  ];
  let unreadable = false;
  const files = await logFilesOldestFirst(config.paths.logs).catch(() => {
    unreadable = true;
    return [];
  });
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      // Rotated away while we listed, or a failing disk: then the memory tail stands in.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unreadable = true;
      continue;
    }
    // Scrubbed again on the way out: a log written by an older version must not leak through a bundle.
    const scrubbed = text.split('\n').map(scrubText).join('\n');
    entries.push({ name: `${DIR}/logs/${basename(file)}`, data: Buffer.from(scrubbed), mtimeMs: statSync(file).mtimeMs });
  }
  const tail = state.logTail;
  if (tail && (unreadable || tail.storage === 'memory' || tail.unwritten > 0)) {
    const { lines, ...about } = tail;
    entries.push(json('logs/memory-tail.json', about));
    entries.push({ name: `${DIR}/logs/memory-tail.log`, data: Buffer.from(lines.map((line) => scrubText(line) + '\n').join('')), mtimeMs: now });
  }
  return tarGz(entries);
}

/** The config as a technician may see it: the hub token and key material replaced. */
export function redactConfig(config: Config): unknown {
  if (!config.uplink) return config;
  const { token, ...uplink } = config.uplink;
  return { ...config, uplink: { ...uplink, ...(token ? { token: '[redacted]' } : {}) } };
}
