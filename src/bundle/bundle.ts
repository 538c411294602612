import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { scrubText, scrubValue } from '../core/card-scrubber.js';
import type { Config } from '../config/schema.js';
import { logFilesOldestFirst } from '../log/log-files.js';
import { tarGz, type TarEntry } from './tar.js';

export interface BundleState {
  /** 'daemon' when the running agent supplied the state, else what one in-process poll saw. */
  source: string;
  status: unknown;
  selfTests: unknown[];
  outbox: unknown;
}

const DIR = 'posdiag-bundle';

/**
 * The technician's diagnostic bundle (tar.gz): logs, the config with secrets redacted, the current state,
 * recent self-tests and outbox statistics. Every file passes the card scrubber line by line, so a
 * bundle can be mailed to the provider as it is.
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
  for (const file of await logFilesOldestFirst(config.paths.logs)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // rotated away while we listed
    }
    // Scrubbed again on the way out: a log written by an older version must not leak through a bundle.
    const scrubbed = text.split('\n').map(scrubText).join('\n');
    entries.push({ name: `${DIR}/logs/${basename(file)}`, data: Buffer.from(scrubbed), mtimeMs: statSync(file).mtimeMs });
  }
  return tarGz(entries);
}

/** The config as a technician may see it: the hub token and key material replaced. */
export function redactConfig(config: Config): unknown {
  if (!config.uplink) return config;
  const { token, ...uplink } = config.uplink;
  return { ...config, uplink: { ...uplink, ...(token ? { token: '[redacted]' } : {}) } };
}
