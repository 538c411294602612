import { createConnection } from 'node:net';
import type { ControlLine } from './protocol.js';

export class ControlRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly runningTestId?: string,
  ) {
    super(message);
  }
}

/** Lets an event handler answer the daemon on the request's own connection (interactive prompts). */
export interface ControlReply {
  answer(promptId: string, answer: boolean): void;
}

/**
 * One request to the daemon. Resolves with its result, or `undefined` when no daemon listens on `path`
 * (the caller then works in-process). Progress lines go to `onEvent`, with a way to answer prompts;
 * the answers' own results are not waited for (an answer too late simply loses to the timeout).
 */
export function requestDaemon(
  path: string,
  method: string,
  params: Record<string, unknown>,
  onEvent: (line: ControlLine, reply: ControlReply) => void = () => {},
): Promise<unknown | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let connected = false;
    let buffered = '';
    let settled = false;
    const REQUEST_ID = 1;
    let nextId = REQUEST_ID + 1;
    const reply: ControlReply = {
      answer(promptId, answer) {
        if (!settled) socket.write(JSON.stringify({ id: nextId++, method: 'answer', params: { promptId, answer } }) + '\n');
      },
    };
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      fn();
    };
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(JSON.stringify({ id: REQUEST_ID, method, params }) + '\n');
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        let line: ControlLine;
        try {
          line = JSON.parse(buffered.slice(0, nl)) as ControlLine;
        } catch {
          return settle(() => reject(new ControlRequestError('bad_answer', `the daemon on ${path} answered a line that is not JSON`)));
        }
        buffered = buffered.slice(nl + 1);
        if (line.id !== REQUEST_ID && line.id !== null) continue; // the outcome of an answer
        if (line.id === null && 'event' in line) continue; // pushed to every connection (the lock), not an answer
        if ('result' in line) return settle(() => resolve(line.result));
        if ('error' in line) return settle(() => reject(new ControlRequestError(line.error.code, line.error.message, line.error.runningTestId)));
        onEvent(line, reply);
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // No daemon: the socket file is absent, or left behind by one that died. Any other error (EACCES:
      // this user may not open the socket) is the caller's to report; it carries the socket's path.
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')) settle(() => resolve(undefined));
      else settle(() => reject(err));
    });
    socket.once('close', () => settle(() => reject(new ControlRequestError('closed', 'the daemon closed the control connection without an answer'))));
  });
}
