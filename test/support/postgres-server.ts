import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Debian's PostgreSQL 15 (scripts/test-setup.mjs installs it). */
const BIN = '/usr/lib/postgresql/15/bin';

/** The server runs as whoever runs the tests, except root, which PostgreSQL refuses: then as `postgres`. */
function owner(): { uid: number; gid: number; name: string } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g'), name: 'postgres' };
}

function command(program: string, args: string[]): [string, string[]] {
  const who = owner();
  return who ? ['runuser', ['-u', who.name, '--', join(BIN, program), ...args]] : [join(BIN, program), args];
}

function run(program: string, args: string[]): void {
  const result = spawnSync(...command(program, args), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

/** As run, without blocking the event loop: what the test's own clients do meanwhile goes on. */
async function runAsync(program: string, args: string[]): Promise<void> {
  await promisify(execFile)(...command(program, args));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/DB over loopback TCP. */
  url(database: string): string;
  /** The same database over the Unix socket: postgres://postgres@/DB?host=DIR */
  socketUrl(database: string): string;
  port: number;
  /** A new empty database; its URL. */
  createDatabase(name: string): Promise<string>;
  /** pg_ctl stop -m fast: clients see their connections end, and new ones refused. */
  pause(): Promise<void>;
  /** Starts it again on the same data and port. */
  resume(): Promise<void>;
  stop(): void;
}

/**
 * A real PostgreSQL server of its own in a temporary directory (initdb + pg_ctl), listening on a free
 * loopback port and on a Unix socket in that directory, trust authentication for the `postgres` role.
 * `fast` turns fsync off: for the test suite, whose assertions do not depend on surviving a power cut;
 * the benchmarks measure a server as shipped.
 */
export async function startPostgres(options: { fast?: boolean } = {}): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-pg-'));
  const data = join(dir, 'data');
  const who = owner();
  if (who) {
    chownSync(dir, who.uid, who.gid);
    chmodSync(dir, 0o755);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const settings = [`-p ${port}`, "-c listen_addresses=127.0.0.1", `-k ${dir}`, '-c max_connections=300', ...(options.fast ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : [])];
  const startArgs = ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', settings.join(' '), 'start'];
  run('pg_ctl', startArgs);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    socketUrl: (database) => `postgres://postgres@/${database}?host=${encodeURIComponent(dir)}&port=${port}`,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    pause: () => runAsync('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']),
    resume: () => runAsync('pg_ctl', startArgs),
    stop() {
      // A paused server has nothing to stop.
      spawnSync(...command('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
