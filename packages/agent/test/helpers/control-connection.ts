import { createConnection, type Socket } from 'node:net';
import { waitFor } from '../../../../test/support/wait-for.js';

/**
 * A control connection held open as the payment app holds one: every line the daemon sends is kept
 * (answers and pushed events alike), and `request` sends one request and waits for its answer.
 */
export async function openControlConnection(path: string) {
  const socket: Socket = createConnection(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      buffered = buffered.slice(nl + 1);
    }
  });
  let nextId = 1;
  return {
    lines,
    /** The pushed events of this kind, in order. */
    events: (event: string) => lines.filter((l) => l.id === null && l.event === event),
    async request(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
      const id = nextId++;
      socket.write(JSON.stringify({ id, method, params }) + '\n');
      const answer = await waitFor(() => lines.find((l) => l.id === id && ('result' in l || 'error' in l)), `the answer to ${method}`);
      if ('error' in answer) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
      return answer.result;
    },
    close: () => socket.destroy(),
  };
}
