import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleApiRequest, type ApiContext } from '../src/http-api.js';
import { openTestStore } from './helpers/store.js';
import { startTestHub } from '../../../test/support/hub-harness.js';
import { recordingLogger } from '../../../test/support/recording-logger.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

describe('GET /healthz', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startTestHub({ apiToken: 'operator-secret' });
  });
  afterAll(() => h.cleanup());
  const base = () => `http://127.0.0.1:${h.hub.address.port}`;

  it('answers 200 {"status":"ok"} without any token, while the API still wants one', async () => {
    const res = await fetch(`${base()}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base()}/api/reports`)).status).toBe(401);
  });

  it('takes only GET', async () => {
    const res = await fetch(`${base()}/healthz`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('GET /healthz when the database cannot be read', () => {
  it('answers 503 once the store no longer answers reads', async () => {
    const { store, dispose } = await openTestStore();
    // Only the store is read on this path (and the request counted); the rest of the context is never touched.
    const ctx = { store, log: recordingLogger(), metrics: { apiRequest() {} } } as unknown as ApiContext;
    const server = createServer((req, res) => handleApiRequest(req, res, ctx));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    try {
      expect((await fetch(url)).status).toBe(200);
      await store.close();
      const res = await fetch(url);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', error: 'the database cannot be read' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dispose();
    }
  });
});
