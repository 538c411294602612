import WebSocket from 'ws';
import { CLOSE_REPLACED, type HubMessage } from 'posdiag-protocol';

/** Sends one hub → agent message; false when the socket is not open. */
export function sendHubMessage(ws: WebSocket, message: HubMessage): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(message));
  return true;
}

/** The connected agents. Invariant: at most one open connection per terminal, the newest. */
export class AgentRegistry {
  private readonly sockets = new Map<string, WebSocket>();

  /** Makes `ws` the terminal's connection; the one it replaces is closed. */
  add(terminal: string, ws: WebSocket): void {
    const previous = this.sockets.get(terminal);
    this.sockets.set(terminal, ws);
    previous?.close(CLOSE_REPLACED, 'replaced by a newer connection');
  }

  /** Forgets `ws`, unless a newer connection has already taken its place; true when it was the terminal's. */
  remove(terminal: string, ws: WebSocket): boolean {
    if (this.sockets.get(terminal) !== ws) return false;
    this.sockets.delete(terminal);
    return true;
  }

  /** Ends the terminal's connection (and forgets it at once, so commands get 409); false when it had none. */
  disconnect(terminal: string, code: number, reason: string): boolean {
    const ws = this.sockets.get(terminal);
    if (!ws) return false;
    this.sockets.delete(terminal);
    ws.close(code, reason);
    return true;
  }

  /** Sends to the terminal's current connection; false when it has none. */
  send(terminal: string, message: HubMessage): boolean {
    const ws = this.sockets.get(terminal);
    return ws !== undefined && sendHubMessage(ws, message);
  }

  terminals(): string[] {
    return [...this.sockets.keys()].sort();
  }

  has(terminal: string): boolean {
    return this.sockets.has(terminal);
  }

  /** Ends every connection now (hub shutdown): agents reconnect to the next hub. */
  terminateAll(): void {
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
  }
}
