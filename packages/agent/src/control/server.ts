import { chmodSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { makeOwnDir } from '../core/own-files.js';
import type { Logger } from '../log/logger.js';
import { ConnectionPrompts } from './connection-prompts.js';
import { controlRequest, MAX_REQUEST_BYTES, type ControlErrorCode, type ControlLine, type ControlRequest } from './protocol.js';

/** Thrown by a handler to answer with a specific error code (e.g. `busy`). */
export class ControlError extends Error {
  constructor(
    readonly code: ControlErrorCode,
    message: string,
    readonly runningTestId?: string,
  ) {
    super(message);
  }
}

/** What a request knows of the connection it came on. */
export interface ControlSession {
  /** Prompts of interactive self-tests started on this connection, answered by its `answer` requests. */
  prompts: ConnectionPrompts;
}

export interface ControlHandlers {
  /** Runs the request; `emit` streams progress lines; resolves with the result. */
  handle(request: ControlRequest, emit: (line: ControlLine) => void, session: ControlSession): Promise<unknown>;
}

export interface ControlServer {
  readonly path: string;
  /** Sends `line` to every open connection (the `lock` event): no request asked for it. */
  broadcast(line: ControlLine): void;
  close(): Promise<void>;
}

/**
 * Serves the control API on a Unix socket with mode 0660 (owner and group: the payment app's group).
 * A stale socket file from a crashed daemon is replaced; a live one means another daemon runs, which is
 * an error rather than two daemons fighting over the devices.
 */
export async function startControlServer(path: string, handlers: ControlHandlers, log: Logger): Promise<ControlServer> {
  makeOwnDir(dirname(path));
  if (await isLive(path)) throw new Error(`another posdiag daemon is serving ${path}`);
  try {
    unlinkSync(path);
  } catch {
    // No stale socket to remove.
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, handlers, log);
  });
  const write = (socket: Socket, line: ControlLine) => {
    if (!socket.destroyed) socket.write(JSON.stringify(line) + '\n');
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The socket is born 0660: listen() binds synchronously, so a umask set around it alone decides the
    // mode bind(2) gives, and no client ever sees a wider socket. The chmod after it only makes sure.
    const umask = process.umask(0o117);
    try {
      server.listen(path, () => resolve());
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o660);
  return {
    path,
    broadcast(line) {
      for (const socket of sockets) write(socket, line);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveConnection(socket: Socket, handlers: ControlHandlers, log: Logger): void {
  let buffered = '';
  const send = (line: ControlLine) => {
    if (!socket.destroyed) socket.write(JSON.stringify(line) + '\n');
  };
  const session: ControlSession = { prompts: new ConnectionPrompts(send) };
  socket.once('close', () => session.prompts.close());
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) void dispatch(line, handlers, send, session, log);
    }
    if (buffered.length > MAX_REQUEST_BYTES) {
      send({ id: null, error: { code: 'bad_request', message: `request line longer than ${MAX_REQUEST_BYTES} bytes` } });
      socket.end();
    }
  });
}

async function dispatch(line: string, handlers: ControlHandlers, send: (line: ControlLine) => void, session: ControlSession, log: Logger): Promise<void> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    send({ id: null, error: { code: 'bad_request', message: `not JSON: ${(err as Error).message}` } });
    return;
  }
  const parsed = controlRequest.safeParse(value);
  const id = typeof (value as { id?: unknown })?.id === 'number' ? (value as { id: number }).id : null;
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
    send({ id, error: { code: 'bad_request', message } });
    return;
  }
  const request = parsed.data;
  try {
    const result = await handlers.handle(request, send, session);
    send({ id: request.id, result });
  } catch (err) {
    if (err instanceof ControlError) {
      send({ id: request.id, error: { code: err.code, message: err.message, ...(err.runningTestId ? { runningTestId: err.runningTestId } : {}) } });
    } else {
      log.error({ err, method: request.method }, 'control request failed');
      send({ id: request.id, error: { code: 'failed', message: (err as Error).message } });
    }
  }
}

/** Whether something accepts connections on the socket path right now. */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => (probe.destroy(), resolve(true)));
    probe.once('error', () => resolve(false));
  });
}
