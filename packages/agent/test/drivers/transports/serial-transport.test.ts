import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { SerialTransport, SerialTransportError, type FrameParser } from '../../../src/drivers/transports/serial.js';
import { silentLogger } from '../../../src/log/logger.js';
import { attachMockPort } from '../../../src/sim/mock-port.js';

/** The transport over serialport's mock binding, with a hand-driven device and a one-byte-per-frame parser. */

const byteFrames: FrameParser<number> = { push: (chunk) => [...chunk], reset: () => {} };
let nextPort = 0;
const transports: SerialTransport<number>[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  vi.doUnmock('serialport');
  vi.resetModules();
});

async function setup() {
  const clock = new FakeClock();
  const path = `/dev/mock-transport-${process.pid}-${nextPort++}`;
  const written: string[] = [];
  let send: (bytes: Buffer) => void = () => {};
  const { binding } = await attachMockPort(
    path,
    (bytes) => {
      written.push(bytes.toString('hex'));
      return Buffer.alloc(0);
    },
    (s) => {
      send = s;
      return () => {};
    },
  );
  const transport = new SerialTransport<number>({ path, baudRate: 9600, clock, log: silentLogger, parser: byteFrames, binding });
  transports.push(transport);
  return { clock, transport, written, reply: (hex: string) => send(Buffer.from(hex, 'hex')) };
}

const replyByte = (expected: number) => (frame: number) => (frame === expected ? frame : undefined);

describe('serial transport', () => {
  it('keeps one request in flight and queues the others in order', async () => {
    const { clock, transport, written, reply } = await setup();
    const first = transport.request(Buffer.from([0x01]), replyByte(0xa1), 1000);
    const second = transport.request(Buffer.from([0x02]), replyByte(0xa2), 1000);
    await clock.advance(0);
    expect(written).toEqual(['01']);
    reply('a1');
    await expect(first).resolves.toBe(0xa1);
    await clock.advance(0);
    expect(written).toEqual(['01', '02']);
    reply('a2');
    await expect(second).resolves.toBe(0xa2);
    expect(transport.state).toBe('open');
  });

  it('offers frames to the request first; what it does not claim goes to listeners', async () => {
    const { clock, transport, reply } = await setup();
    const unclaimed: number[] = [];
    transport.onFrame((f) => unclaimed.push(f));
    const request = transport.request(Buffer.from([0x01]), replyByte(0xa1), 1000);
    await clock.advance(0);
    reply('55a166');
    await expect(request).resolves.toBe(0xa1);
    await clock.advance(0);
    expect(unclaimed).toEqual([0x55, 0x66]);
  });

  it('a request with no reply times out with the timeout flag, and the line stays usable', async () => {
    const { clock, transport, written, reply } = await setup();
    const request = transport.request(Buffer.from([0x01]), replyByte(0xa1), 200);
    let settled = false;
    const outcome = request.then(
      () => 'resolved',
      (err: SerialTransportError) => err,
    ).finally(() => (settled = true));
    await clock.advance(199);
    expect(settled).toBe(false);
    await clock.advance(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(SerialTransportError);
    expect((err as SerialTransportError).timeout).toBe(true);
    const next = transport.request(Buffer.from([0x02]), replyByte(0xa2), 200);
    await clock.advance(0);
    expect(written).toEqual(['01', '02']);
    reply('a2');
    await expect(next).resolves.toBe(0xa2);
  });

  it('write sends bytes in turn with requests; open failures carry the path and back off', async () => {
    const { transport, written } = await setup();
    await transport.write(Buffer.from([0x1d, 0x61, 0x0f]));
    expect(written).toEqual(['1d610f']);

    const clock2 = new FakeClock();
    const { SerialPortMock } = await import('serialport');
    const missing = new SerialTransport<number>({
      path: '/dev/mock-transport-missing',
      baudRate: 9600,
      clock: clock2,
      log: silentLogger,
      parser: byteFrames,
      binding: SerialPortMock.binding,
      backoff: { minMs: 100, maxMs: 150 },
    });
    transports.push(missing);
    await expect(missing.open()).rejects.toThrow(/\/dev\/mock-transport-missing: open failed/);
    expect(missing.state).toBe('failed');
    await expect(missing.open()).rejects.toMatchObject({ backoff: true });
    await clock2.advance(100);
    await expect(missing.open()).rejects.toThrow(/open failed/);
    // Second failure doubles the delay, capped at maxMs.
    await clock2.advance(149);
    await expect(missing.open()).rejects.toMatchObject({ backoff: true });
  });

  it('turns a serialport load failure into a clear error', async () => {
    vi.doMock('serialport', () => {
      throw new Error('libudev missing');
    });
    const { SerialTransport: Fresh } = await import('../../../src/drivers/transports/serial.js');
    const t = new Fresh<number>({ path: '/dev/ttyS9', baudRate: 9600, clock: new FakeClock(), log: silentLogger, parser: byteFrames });
    await expect(t.open()).rejects.toThrow(/cannot load the "serialport" module/);
    await t.close();
  });
});
