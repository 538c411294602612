/**
 * A payment app's side of `app_health`, as short as it can be (the README shows it; the tests run
 * it): one connection to the agent's control socket, one JSON line per report, the answer read back.
 * An app would call `reportHealth` once a minute and after every crash restart.
 */
import { createConnection } from 'node:net';

export interface AppHealth {
  safBacklog: number;
  safOldestAt?: string | null;
  lastApprovedAt?: string | null;
  hostErrors: Record<string, number>;
  crashes: number;
  version: string;
}

export function reportHealth(socketPath: string, health: AppHealth, id = 1): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify({ id, method: 'app_health', params: health }) + '\n'));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      socket.end();
      const answer = JSON.parse(buffered.slice(0, nl)) as { result?: unknown; error?: { code: string; message: string } };
      if (answer.error) reject(new Error(`${answer.error.code}: ${answer.error.message}`));
      else resolve(answer.result);
    });
    socket.on('error', reject);
  });
}
