import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/**
 * A loopback server that silently drops new connections, as an overloaded host does: it listens with a
 * backlog of 0 and never accepts, and one connection of our own fills that queue, so the kernel drops
 * every further SYN (a listen overflow) and a connect to it neither succeeds nor is refused. Loopback
 * only: tests never send anything to an address off this machine.
 *
 * Node cannot listen without accepting, so the listener is a few lines of python3 (on every machine of
 * this kind; CI installs it with vsmartcard's virtual card anyway).
 */
const LISTENER = `
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
print(s.getsockname()[1], flush=True)
sys.stdin.read()
`;

export interface SynDropper {
  port: number;
  stop(): Promise<void>;
}

export async function startSynDropper(): Promise<SynDropper> {
  // The listener lives as long as its stdin: closing it (or our death) ends it.
  const child = spawn('python3', ['-c', LISTENER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the SYN-dropping listener exited (${code}): ${stderr}`)));
  });
  const filler: Socket = await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
  return {
    port,
    async stop() {
      filler.destroy();
      child.stdin.end();
      await exited;
    },
  };
}
