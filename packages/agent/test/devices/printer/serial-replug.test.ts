import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import type { Observation } from '../../../src/core/readings.js';
import { SerialPrinterDriver } from '../../../src/devices/printer/serial-printer-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EscPosPrinterEmulator } from '../../../src/devices/printer/emulator/escpos-printer.js';
import { createPtyPair, type PtyPair } from '../../helpers/pty.js';

/**
 * Unplug (kill socat) and replug 20 times over real ttys: every loss is detected (by the poll at the
 * latest) and heard by the watcher, every replug is recovered by the next poll (a reopen step is reported), and the process's open
 * file descriptors do not grow. No sleeps: every wait is for an event.
 */

let dir: string;
let driver: SerialPrinterDriver;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-printer-replug-'));
});
afterAll(async () => {
  await driver?.close();
  rmSync(dir, { recursive: true, force: true });
});

const openFds = () => readdirSync('/proc/self/fd').length;

async function plugIn(host: string, device: string): Promise<{ pty: PtyPair; unplug: () => Promise<void> }> {
  const pty = await createPtyPair(host, device);
  const port = new SerialPort({ path: device, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => {});
  const detach = new EscPosPrinterEmulator().attachToStream(port);
  return {
    pty,
    async unplug() {
      detach();
      await new Promise<void>((resolve) => port.close(() => resolve()));
      await pty.kill();
    },
  };
}

it('unplug and replug 20 times: detected and recovered every time, fds flat', async () => {
  const host = join(dir, 'host');
  const device = join(dir, 'device');
  driver = new SerialPrinterDriver(
    { transport: 'serial', path: host, baudRate: 115200, timeout: '1s' },
    { clock: systemClock, log: silentLogger },
    { backoff: { minMs: 0, maxMs: 0 } },
  );
  let losses = 0;
  let onLoss = () => {};
  // Steps ride on whichever observation comes first: the poll's, or an ASB packet's from the new line.
  const steps: NonNullable<Observation['actions']> = [];
  driver.watch((o: Observation) => {
    steps.push(...(o.actions ?? []));
    if (o.readings['printer.connected'] === false) {
      losses++;
      onLoss();
    }
  });
  const lost = (n: number) => new Promise<void>((resolve) => {
    onLoss = () => losses >= n && resolve();
    onLoss();
  });
  const poll = async () => {
    const o = await driver.poll(new AbortController().signal);
    steps.push(...(o.actions ?? []));
    return o;
  };

  // One warm-up cycle, so lazily created handles (the native binding, its poller) are counted in the baseline.
  let plug = await plugIn(host, device);
  expect((await poll()).readings['printer.connected']).toBe(true);
  await plug.unplug();
  await poll();
  await lost(1);
  const before = openFds();

  steps.length = 0;
  for (let i = 0; i < 20; i++) {
    plug = await plugIn(host, device);
    const o = await poll();
    expect(o.readings).toMatchObject({ 'printer.connected': true, 'printer.paper': 'ok' });
    await plug.unplug();
    // Usually the line's hangup alone is heard; under load the tty may report nothing until the next I/O,
    // which is the poll (the scheduler's heartbeat): either way the watcher hears the loss by then.
    expect((await poll()).readings['printer.connected']).toBe(false);
    await lost(i + 2);
  }
  expect(losses).toBe(21);
  // Every recovery reports the reopen that brought the printer back; failed attempts say why.
  expect(steps.filter((a) => a.action === 'printer.reopen' && a.ok)).toHaveLength(20);
  for (const failed of steps.filter((a) => !a.ok)) expect(failed).toMatchObject({ action: 'printer.reopen', detail: expect.stringMatching(/open failed/) });
  expect(openFds()).toBe(before);
}, 60_000);
