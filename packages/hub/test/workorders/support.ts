import type { HubMessage } from 'posdiag-protocol';
import { makeRepairFault } from '../../../../test/support/reports.js';
import { TestAgent } from '../helpers/hub-agent.js';

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

/**
 * T-0001 connected to the hub at `url` with one repair order opened from its repair request: the agent
 * (welcomed) and the order's id, once the hub has taken the report into its order.
 */
export async function terminalWithOrder(hub: { url: string; workOrdersTaken(): Promise<void> }, listOrders: () => Promise<{ body: { workorders: { id: number }[] } }>): Promise<{ agent: TestAgent; id: number }> {
  const agent = await TestAgent.connect(hub.url, 'T-0001', 'token-one');
  await agent.next();
  const fault = makeRepairFault({ seq: 1 });
  agent.send({ type: 'report', report: fault });
  await nextMatching(agent, isAck(fault.id));
  await hub.workOrdersTaken();
  return { agent, id: (await listOrders()).body.workorders[0]!.id };
}
