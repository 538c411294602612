#!/usr/bin/env node
// posdiag printer relay: an example client for payment-app developers (plain Node, no dependencies).
//
// On an Android POS terminal the receipt printer sits behind the vendor's printer service, which only
// the payment app reaches (through the vendor SDK). The app relays what that service says to the
// posdiag daemon over its control socket, and prints the self-test's receipts when asked. This file
// is both the reference for that conversation (connectPrinterRelay) and a runnable stand-in for the
// app (the command line below). The protocol is in packaging/android/README.md.
//
//   node printer-relay-example.mjs [--socket PATH] [--every SECONDS] [--refuse-prints]
//
// Reads one status per line on standard input, as the `printer_status` params, e.g.
//   {"paper":"ok","cover":"closed","overheat":false,"cutter":"ok","online":true,"vendorCode":"sunmi:1"}
//   {"vendorCode":"sunmi:4"}
// relays each at once and the latest again every SECONDS (default 15: the daemon's `staleAfter`,
// 45 s by default, must not pass without one). A print request's text goes to standard output between
// "--- print <promptId>" and "--- end" lines; it is answered "printed" (or, with --refuse-prints,
// "not printed") after the latest status is relayed once more, since the daemon judges the receipt by
// the status that follows it. Exit codes: 0 at the end of input, 64 bad arguments, 69 no daemon
// (or the daemon closed the socket), 65 a status line that is not JSON.

import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/**
 * One long-lived connection to the daemon. `relay(status)` sends `printer_status` and resolves with the
 * daemon's answer ({accepted, readings, evidence}); print requests (`prompt` events of kind `print`)
 * go to `onPrint(text, promptId)`, whose boolean (true: printed) is sent back as the `answer`.
 */
export function connectPrinterRelay(socketPath, { onPrint, onClose = () => {} }) {
  return new Promise((resolveConnect, rejectConnect) => {
    const socket = createConnection(socketPath);
    const pending = new Map();
    let nextId = 1;
    let buffered = '';
    let connected = false;

    const request = (method, params) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        socket.write(JSON.stringify({ id, method, params }) + '\n');
      });

    const onLine = async (line) => {
      const message = JSON.parse(line);
      if (message.event === 'prompt' && message.kind === 'print') {
        let printed = false;
        try {
          printed = (await onPrint(message.text, message.promptId)) === true;
        } catch {
          printed = false;
        }
        await request('answer', { promptId: message.promptId, answer: printed }).catch(() => {});
        return;
      }
      const waiting = pending.get(message.id);
      if (!waiting || !('result' in message || 'error' in message)) return;
      pending.delete(message.id);
      if ('result' in message) waiting.resolve(message.result);
      else waiting.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    };

    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) void onLine(line);
      }
    });
    socket.once('connect', () => {
      connected = true;
      resolveConnect({
        relay: (status) => request('printer_status', status),
        close: () => socket.end(),
      });
    });
    socket.once('error', (err) => {
      if (!connected) rejectConnect(err);
    });
    socket.once('close', () => {
      for (const { reject } of pending.values()) reject(new Error('the daemon closed the control connection'));
      pending.clear();
      onClose();
    });
  });
}

const USAGE = 'usage: printer-relay-example.mjs [--socket PATH] [--every SECONDS] [--refuse-prints]';

function parseArgs(argv) {
  const options = { socket: '/data/vendor/posdiag/run/control.sock', everyMs: 15_000, refusePrints: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--socket' && argv[i + 1]) options.socket = argv[++i];
    else if (arg === '--every' && Number(argv[i + 1]) > 0) options.everyMs = Number(argv[++i]) * 1000;
    else if (arg === '--refuse-prints') options.refusePrints = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`printer-relay-example: ${err.message}\n${USAGE}\n`);
    process.exit(64);
  }
  let latest;
  let relay;
  let ending = false;
  const relayLatest = async () => {
    if (latest === undefined) return;
    const answer = await relay.relay(latest);
    process.stderr.write(`relayed: ${JSON.stringify(answer.readings)}\n`);
  };
  try {
    relay = await connectPrinterRelay(options.socket, {
      async onPrint(text, promptId) {
        process.stdout.write(`--- print ${promptId}\n${text}\n--- end\n`);
        await relayLatest();
        return !options.refusePrints;
      },
      onClose: () => {
        if (ending) return;
        process.stderr.write('printer-relay-example: the daemon closed the control connection\n');
        process.exit(69);
      },
    });
  } catch (err) {
    process.stderr.write(`printer-relay-example: cannot reach the posdiag daemon on ${options.socket}: ${err.message}\n`);
    process.exit(69);
  }
  const heartbeat = setInterval(() => void relayLatest().catch(() => {}), options.everyMs);
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    try {
      latest = JSON.parse(line);
    } catch {
      process.stderr.write(`printer-relay-example: not JSON: ${line}\n`);
      process.exit(65);
    }
    try {
      await relayLatest();
    } catch (err) {
      process.stderr.write(`printer-relay-example: the daemon refused the status: ${err.message}\n`);
    }
  }
  clearInterval(heartbeat);
  ending = true;
  relay.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
