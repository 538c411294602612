import type { HubMessage } from 'posdiag-protocol';
import type { TestAgent } from '../helpers/hub-agent.js';

/** The hub's next message to `agent` that `match` takes, with every message before it. */
export async function nextMatching(agent: TestAgent, match: (m: HubMessage) => boolean): Promise<{ message: HubMessage; before: HubMessage[] }> {
  const before: HubMessage[] = [];
  for (;;) {
    const message = await agent.next();
    if (match(message)) return { message, before };
    before.push(message);
  }
}

export const isCommand = (name: string) => (m: HubMessage) => m.type === 'command' && m.name === name;
export const isAck = (id: string) => (m: HubMessage) => m.type === 'ack' && m.id === id;

/** A JSON API client for one hub as one bearer token (none: the loopback hub is open). */
export function apiClient(api: () => string, token?: string) {
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${api()}${path}`, { ...init, headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // CSV
    }
    return { status: res.status, body, headers: res.headers };
  };
  return { get: (path: string) => call(path), post: (path: string, body: unknown) => call(path, { method: 'POST', body: JSON.stringify(body) }) };
}
