import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES } from '../../src/workorders/attachments.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import type { TestAgent } from '../helpers/hub-agent.js';
import { apiClient, terminalWithOrder } from './support.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

/** A real PNG's first bytes, then anything: the hub checks the signature, not the picture. */
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 7)]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');

/**
 * Work orders keep the evidence operators add (a photo of the damage, the courier's receipt): the
 * bytes as uploaded (their SHA-256 on the order's history), only of the kinds kept and only what they
 * say they are, always served back as a download.
 */
describe('work orders: attachments', () => {
  let h: Harness;
  let agent: TestAgent;
  const api = apiClient(() => h.api);
  let id: number;
  const upload = (body: Buffer, type: string, query = '') => fetch(`${h.api}/workorders/${id}/attachments${query}`, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(body) });

  beforeAll(async () => {
    h = await startTestHub();
    ({ agent, id } = await terminalWithOrder(h.hub, () => api.get('/workorders?terminal=T-0001')));
  });
  afterAll(async () => {
    await agent.close();
    await h.cleanup();
  });

  it('keeps a photo and a PDF as uploaded, logs each with its hash, and lists them on the order', async () => {
    const photo = await upload(PNG, 'image/png', `?name=${encodeURIComponent('C:\\photos\\裂纹 front.png')}`);
    expect(photo.status).toBe(201);
    const sha256 = createHash('sha256').update(PNG).digest('hex');
    expect(await photo.json()).toMatchObject({ orderId: id, name: '裂纹 front.png', contentType: 'image/png', size: PNG.length, sha256, addedBy: 'loopback' });
    const receipt = await upload(PDF, 'application/pdf; charset=binary');
    const order = (await api.get(`/workorders/${id}`)).body;
    expect(receipt.status).toBe(201);
    expect(order.attachments.map((a: { name: string }) => a.name)).toEqual(['裂纹 front.png', `${order.ref}-2.pdf`]);
    expect(order.history.filter((e: { action: string }) => e.action === 'attachment').map((e: { detail: { sha256: string } }) => e.detail.sha256)).toEqual([sha256, createHash('sha256').update(PDF).digest('hex')]);
    expect((await api.get(`/workorders/${id}/attachments`)).body.attachments).toHaveLength(2);
  });

  it('serves the bytes back unchanged, as a download that nothing runs', async () => {
    const [first] = (await api.get(`/workorders/${id}/attachments`)).body.attachments as { url: string }[];
    const res = await fetch(`${h.api.replace(/\/api$/, '')}${first!.url}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect(Object.fromEntries(['content-type', 'x-content-type-options', 'content-disposition', 'content-security-policy'].map((k) => [k, res.headers.get(k)]))).toEqual({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'content-disposition': `attachment; filename="__ front.png"; filename*=UTF-8''${encodeURIComponent('裂纹 front.png')}`,
      'content-security-policy': "default-src 'none'; sandbox",
    });
    expect((await api.get(`/workorders/${id}/attachments/999`)).status).toBe(404);
  });

  it('refuses what it does not keep, each with a status and a reason, and stores nothing of it', async () => {
    const refusal = async (res: Response) => ({ status: res.status, error: ((await res.json()) as { error: string }).error });
    expect(await refusal(await upload(Buffer.from('<html><script>alert(1)</script>'), 'text/html'))).toEqual({ status: 415, error: 'an attachment is one of image/jpeg, image/png, image/webp, application/pdf, not text/html' });
    expect(await refusal(await upload(Buffer.from('<svg onload=alert(1)>'), 'image/png'))).toEqual({ status: 415, error: 'the bytes are not image/png' });
    expect(await refusal(await upload(Buffer.alloc(0), 'image/png'))).toEqual({ status: 400, error: 'the attachment is empty' });
    expect(await refusal(await upload(PNG, 'image/png', '?name=a%22b.png'))).toMatchObject({ status: 400 });
    expect(await refusal(await upload(Buffer.concat([PNG, Buffer.alloc(MAX_ATTACHMENT_BYTES)]), 'image/png'))).toEqual({ status: 413, error: `body larger than ${MAX_ATTACHMENT_BYTES} bytes` });
    expect((await api.get(`/workorders/${id}/attachments`)).body.attachments).toHaveLength(2);
    expect(await refusal(await fetch(`${h.api}/workorders/99999/attachments`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(PNG) }))).toMatchObject({ status: 404 });
  });

  it('takes none once the order is closed or cancelled', async () => {
    expect(await api.post(`/workorders/${id}/transition`, { to: 'cancelled', comment: 'merchant bought a new one' })).toMatchObject({ status: 200 });
    const res = await upload(PNG, 'image/png');
    expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 409, body: { error: expect.stringMatching(/is no longer open/) } });
  });
});
