import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentMessage, BUNDLE_CHUNK_BYTES, splitBundle } from 'posdiag-protocol';
import { BundleAssembler, MAX_ASSEMBLIES } from '../src/bundle-assembler.js';
import { TestAgent } from './helpers/hub-agent.js';
import { startTestHub } from '../../../test/support/hub-harness.js';

describe('bundle chunks', () => {
  it('split into protocol-valid chunks and put back together in any order, byte for byte', () => {
    const bundle = randomBytes(2 * BUNDLE_CHUNK_BYTES + 1234);
    const chunks = splitBundle('cmd-1', bundle);
    expect(chunks.map((c) => [c.index, c.total, c.size])).toEqual([[0, 3, bundle.length], [1, 3, bundle.length], [2, 3, bundle.length]]);
    for (const chunk of chunks) expect(agentMessage.safeParse(chunk).success).toBe(true);
    const assembler = new BundleAssembler();
    expect(assembler.add(chunks[2]!)).toEqual({ kind: 'incomplete', received: 1, total: 3 });
    expect(assembler.add(chunks[0]!)).toEqual({ kind: 'incomplete', received: 2, total: 3 });
    const done = assembler.add(chunks[1]!);
    expect(done.kind === 'complete' && done.bundle.equals(bundle)).toBe(true);
    expect(() => splitBundle('cmd-2', Buffer.alloc(0))).toThrow(RangeError);
  });

  it('refuses a chunk twice, out of range, of another bundle, or a bundle that does not hash to what it announced', () => {
    const chunks = splitBundle('cmd-1', randomBytes(BUNDLE_CHUNK_BYTES + 10));
    const refusal = (assembler: BundleAssembler, ...sent: typeof chunks) => sent.map((c) => assembler.add(c)).at(-1);
    expect(refusal(new BundleAssembler(), chunks[0]!, chunks[0]!)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/chunk 0 came twice/) });
    expect(refusal(new BundleAssembler(), { ...chunks[0]!, index: 5 })).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/chunk 5 of 2/) });
    expect(refusal(new BundleAssembler(), chunks[0]!, { ...chunks[1]!, size: 99 })).toMatchObject({ reason: expect.stringMatching(/another bundle/) });
    const flipped = Buffer.from(chunks[1]!.data, 'base64');
    flipped[0]! ^= 0xff;
    expect(refusal(new BundleAssembler(), chunks[0]!, { ...chunks[1]!, data: flipped.toString('base64') })).toMatchObject({ reason: expect.stringMatching(/SHA-256 does not match/) });
    // Refused means forgotten: the whole bundle may come again.
    const assembler = new BundleAssembler();
    refusal(assembler, chunks[0]!, chunks[0]!);
    expect(refusal(assembler, chunks[0]!, chunks[1]!)).toMatchObject({ kind: 'complete' });
  });

  it('holds at most a few half-sent bundles per connection', () => {
    const assembler = new BundleAssembler();
    for (let i = 0; i < MAX_ASSEMBLIES; i++) expect(assembler.add(splitBundle(`cmd-${i}`, randomBytes(BUNDLE_CHUNK_BYTES + 1))[0]!).kind).toBe('incomplete');
    expect(assembler.add(splitBundle('one-more', randomBytes(BUNDLE_CHUNK_BYTES + 1))[0]!)).toMatchObject({ kind: 'refused' });
  });
});

describe('hub: bundles on command', () => {
  let h: Awaited<ReturnType<typeof startTestHub>>;
  let agent: TestAgent;
  beforeAll(async () => {
    h = await startTestHub();
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next(); // welcome
  });
  afterAll(async () => {
    await agent.close();
    await h.cleanup();
  });

  const askForBundle = async (terminal = 'T-0001') => {
    const res = await fetch(`${h.api}/terminals/${terminal}/commands`, { method: 'POST', body: JSON.stringify({ name: 'bundle' }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(await agent.next()).toMatchObject({ type: 'command', id, name: 'bundle' });
    return id;
  };
  const waitForBundle = async (id: string) => {
    for (let i = 0; i < 500; i++) {
      const res = await fetch(`${h.api}/bundles/${id}`);
      if (res.status === 200) return res;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`bundle ${id} never stored`);
  };

  it('stores the bundle a terminal sends on the command, lists it and serves it as it came', async () => {
    const id = await askForBundle();
    const bundle = randomBytes(BUNDLE_CHUNK_BYTES * 2 + 77);
    for (const chunk of splitBundle(id, bundle)) agent.send(chunk);
    const res = await waitForBundle(id);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="posdiag-bundle-T-0001-${id}.tar.gz"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bundle)).toBe(true);
    const list = (await (await fetch(`${h.api}/bundles?terminal=T-0001`)).json()) as unknown[];
    expect(list).toEqual([{ id, terminal: 'T-0001', receivedAt: expect.any(String), size: bundle.length, sha256: splitBundle(id, bundle)[0]!.sha256 }]);
    expect(await (await fetch(`${h.api}/bundles?terminal=T-0002`)).json()).toEqual([]);
  });

  it('refuses a bundle nobody asked for, and one sent again after it was stored', async () => {
    agent.send(splitBundle('made-up', randomBytes(10))[0]);
    expect(await agent.next()).toMatchObject({ type: 'error', ref: 'made-up', reason: 'no bundle was asked of T-0001 by command made-up' });
    const id = await askForBundle();
    const [chunk] = splitBundle(id, randomBytes(10));
    agent.send(chunk);
    await waitForBundle(id);
    agent.send(chunk);
    expect(await agent.next()).toMatchObject({ type: 'error', ref: id });
  });

  it('answers 404 for a bundle it does not have, and 400 for a bad terminal filter', async () => {
    expect((await fetch(`${h.api}/bundles/nope`)).status).toBe(404);
    expect((await fetch(`${h.api}/bundles?terminal=a%20b`)).status).toBe(400);
  });
});
