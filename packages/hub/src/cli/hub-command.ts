import { checkCreatable, CliError, ConfigError, defineCommand, EXIT, readNamedFile, UsageError } from 'posdiag-protocol/cli';
import { DurationError, parseDuration } from 'posdiag-protocol';
import { startHub } from '../server.js';
import { loadNotifyConfig } from '../notify/config.js';
import { isPostgresUrl } from '../store/open-store.js';
import { loadTokens, TokensError } from '../tokens.js';
import { stderrLogger } from '../logger.js';
import { databaseError } from './database-error.js';
export { shownDb } from './database-error.js';
import { createUserCommand } from './user-command.js';

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen must be HOST:PORT (got "${text}")`);
  return { host: (m[1] ?? m[2])!, port };
}

/** The operator's API token: the file's content, trimmed; it must not be empty. */
function readApiToken(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const token = readNamedFile(file, '--api-token-file').trim();
  if (token === '') throw new ConfigError(`--api-token-file: ${file} is empty; it must hold the API bearer token`);
  return token;
}

/**
 * A duration flag: the one duration grammar (posdiag-protocol's duration.ts), at least `min.ms` (written
 * `min.text`), `min.why` said when it is shorter.
 */
function parseDurationFlag(flag: string, text: string, example: string, min: { ms: number; text: string; why?: string }): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    if (!(err instanceof DurationError)) throw err;
    throw new UsageError(`${flag} must be a duration such as ${example} (got "${text}")`);
  }
  if (ms < min.ms) throw new UsageError(`${flag} must be at least ${min.text} (got "${text}")${min.why ? `: ${min.why}` : ''}`);
  return ms;
}

/** `--silence-after`: at least 2m. */
export const parseSilence = (text: string) =>
  parseDurationFlag('--silence-after', text, '15m or 1h', { ms: 120_000, text: '2m', why: "the agents' reconnect backoff alone reaches 1m" });

/** `--retain`: at least 1d (a report is kept long enough for its agent to see it acked). */
export const parseRetain = (text: string) => parseDurationFlag('--retain', text, '90d or 12w', { ms: 86_400_000, text: '1d' });

/** `--public-url`: an http(s) URL without query or fragment, the hub as merchants reach it. */
export function parsePublicUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) throw new UsageError(`--public-url must be an http(s) URL such as https://hub.example.com (got "${text}")`);
  return text.replace(/\/+$/, '');
}

const SIZE_UNITS = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 } as const;

/** `--retain-bundles`: a whole number and a unit, decimal (500MB) or binary (2GiB); more than 0. */
export function parseSize(text: string): number {
  const m = /^(\d+)([a-zA-Z]+)$/.exec(text);
  const unit = m && Object.hasOwn(SIZE_UNITS, m[2]!) ? SIZE_UNITS[m[2] as keyof typeof SIZE_UNITS] : undefined;
  const bytes = m && unit ? Number(m[1]) * unit : NaN;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`--retain-bundles must be a size such as 500MB or 2GiB (got "${text}")`);
  if (bytes === 0) throw new UsageError(`--retain-bundles must be more than 0 (got "${text}")`);
  return bytes;
}

/**
 * What stopped the hub from starting, said in terms of its flags: the address (69), a PostgreSQL server
 * that refuses or is not there (69), a SQLite file that cannot be opened (73), or a database a newer
 * hub upgraded (78).
 */
function startError(err: unknown, listen: string, db: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE') return new CliError(EXIT.unavailable, `--listen ${listen}: the address is already in use (another hub, or another program, listens there)`);
  if (code === 'EADDRNOTAVAIL') return new CliError(EXIT.unavailable, `--listen ${listen}: not an address of this machine`);
  return databaseError(err, db);
}

/** `--instance`: a name other hubs and the logs show; printable, no spaces, at most 64 characters. */
export function parseInstance(text: string): string {
  if (!/^[A-Za-z0-9._:@-]{1,64}$/.test(text)) throw new UsageError(`--instance must be 1 to 64 letters, digits or . _ : @ - (got "${text}")`);
  return text;
}

function readPem(file: string | undefined, flag: string): string | undefined {
  return file === undefined ? undefined : readNamedFile(file, flag);
}

/**
 * The hub as a command, named as the program that runs it: `posdiag-hub` on its own (cli/bin.ts), or
 * `posdiag hub` when the agent's CLI loads it.
 */
export const createHubCommand = (program: string) =>
  defineCommand({
    name: 'hub',
    usage:
      `${program} [--listen HOST:PORT] [--db FILE|postgres://USER@HOST:PORT/DB] [--tokens FILE] [--api-token-file FILE] [--tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--silence-after DURATION] [--retain DURATION] [--retain-bundles SIZE] [--notify FILE] [--public-url URL] [--instance NAME]`,
    summary:
      'The provider-side hub: terminals connect over WebSocket at /agent (bearer token or TLS client certificate),\n' +
      'reports are stored once (SQLite, or PostgreSQL for many hub processes) and acknowledged after commit; JSON API under /api. With --api-token-file,\n' +
      'every API request needs "Authorization: Bearer <token>"; without it the API is open, so the hub then listens\n' +
      'only on loopback (a non-loopback --listen without an API token exits 78). Operators with roles and their own\n' +
      `API tokens (which also close the API): "${program} user add|list|disable|token" ("${program} user --help").\n` +
      'The web console for those operators is at / on the same address (log in at /login).',
    flags: {
      listen: { type: 'string', description: 'address to listen on (default 127.0.0.1:8080)', valueName: 'HOST:PORT' },
      db: { type: 'string', description: 'SQLite database file (default ./posdiag-hub.db), or postgres://USER@HOST:PORT/DB (?host=/socket/dir)', valueName: 'FILE|URL' },
      tokens: { type: 'string', description: 'JSON object: terminal id -> bearer token (required; SIGHUP re-reads it)', valueName: 'FILE' },
      'api-token-file': { type: 'string', description: 'file holding the operator bearer token for /api (required off loopback)', valueName: 'FILE' },
      'tls-cert': { type: 'string', description: 'serve wss/https with this PEM certificate', valueName: 'FILE' },
      'tls-key': { type: 'string', description: 'PEM private key for --tls-cert', valueName: 'FILE' },
      'tls-ca': { type: 'string', description: 'CA whose client certificates (CN = terminal id) are accepted', valueName: 'FILE' },
      'silence-after': { type: 'string', description: 'announce a terminal silent when not heard from this long (default 15m)', valueName: 'DURATION' },
      retain: { type: 'string', description: 'prune reports, bundles, commands, settled notifications, audit entries and ended silences older than this (at least 1d; default: keep everything)', valueName: 'DURATION' },
      'retain-bundles': { type: 'string', description: 'keep at most this much of bundles, pruning the oldest first (e.g. 500MB, 2GiB)', valueName: 'SIZE' },
      notify: { type: 'string', description: 'routing file (JSON, Alertmanager\'s shape): faults and silent terminals go to its webhook, WeCom, DingTalk, Feishu and e-mail receivers', valueName: 'FILE' },
      'public-url': { type: 'string', description: 'the hub as merchants reach it: terminals are told their work order page, URL/wo/TOKEN', valueName: 'URL' },
      instance: { type: 'string', description: 'name of this hub process in logs, leases and commands (default HOSTNAME-PID)', valueName: 'NAME' },
    },
    subcommands: { user: createUserCommand(program) },
    async run(flags, _positional, io) {
      if (!flags.tokens) throw new UsageError('--tokens FILE is required: a terminal not in it is refused');
      if (Boolean(flags['tls-cert']) !== Boolean(flags['tls-key'])) throw new UsageError('--tls-cert and --tls-key go together');
      const { host, port } = parseListen(flags.listen ?? '127.0.0.1:8080');
      let tokens;
      try {
        readNamedFile(flags.tokens, '--tokens'); // a missing or unreadable file is exit 66 / 77; its content, 78
        tokens = loadTokens(flags.tokens);
      } catch (err) {
        if (err instanceof TokensError) throw new ConfigError(err.message);
        throw err;
      }
      const apiToken = readApiToken(flags['api-token-file']);
      const silenceAfterMs = flags['silence-after'] === undefined ? undefined : parseSilence(flags['silence-after']);
      const retain = {
        ...(flags.retain !== undefined ? { maxAgeMs: parseRetain(flags.retain) } : {}),
        ...(flags['retain-bundles'] !== undefined ? { bundleBytes: parseSize(flags['retain-bundles']) } : {}),
      };
      // A bad file exits 78 naming the key (notify/config.ts), before the database is touched.
      const notify = flags.notify === undefined ? undefined : loadNotifyConfig(flags.notify);
      const publicUrl = flags['public-url'] === undefined ? undefined : parsePublicUrl(flags['public-url']);
      const cert = readPem(flags['tls-cert'], '--tls-cert');
      const key = readPem(flags['tls-key'], '--tls-key');
      const ca = readPem(flags['tls-ca'], '--tls-ca');
      const db = flags.db ?? 'posdiag-hub.db';
      if (!isPostgresUrl(db)) checkCreatable(db, '--db');
      const log = stderrLogger();
      const hub = await startHub({
        host,
        port,
        db,
        tokens,
        ...(apiToken ? { apiToken } : {}),
        ...(silenceAfterMs !== undefined ? { silenceAfterMs } : {}),
        ...(Object.keys(retain).length > 0 ? { retain } : {}),
        ...(notify ? { notify } : {}),
        ...(publicUrl ? { workOrders: { publicUrl } } : {}),
        ...(flags.instance !== undefined ? { instance: parseInstance(flags.instance) } : {}),
        log,
        ...(cert && key ? { tls: { cert, key, ...(ca ? { ca, requestCert: true } : {}) } } : {}),
      }).catch((err: unknown) => {
        throw startError(err, `${host}:${port}`, db);
      });
      log.info({ url: hub.url, terminals: Object.keys(tokens).length }, 'hub listening');
      // SIGHUP re-reads the tokens file: terminals are added and revoked without a restart.
      const tokensFile = flags.tokens;
      const reloadTokens = () => void hub.reloadTokens(tokensFile);
      process.on('SIGHUP', reloadTokens);
      await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
      process.off('SIGHUP', reloadTokens);
      await hub.close();
      log.info({}, 'hub stopped');
      return EXIT.ok;
    },
  });
