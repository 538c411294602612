/**
 * The raw `ws` baseline as a program of its own (so its RSS is its own): a bare WebSocketServer on an
 * ephemeral loopback port that greets each connection with a welcome and answers every frame with the
 * ack the hub would send for it (same shape, same size). No authentication, no validation, no storage.
 * Prints `{"url": …}` on stdout once listening; exits on SIGTERM.
 */
import { WebSocketServer } from 'ws';
// The hub's frame bound (posdiag-protocol's MAX_FRAME_BYTES), written out: this program loads nothing but ws.
const MAX_FRAME_BYTES = 256 * 1024;

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
server.on('connection', (ws) => {
  ws.send(JSON.stringify({ type: 'welcome', serverTime: new Date().toISOString(), lastSeq: 0 }));
  ws.on('message', (data) => {
    const { report } = JSON.parse(data.toString());
    ws.send(JSON.stringify({ type: 'ack', id: report.id, seq: report.seq, duplicate: false }));
  });
});
server.once('listening', () => {
  console.log(JSON.stringify({ url: `ws://127.0.0.1:${server.address().port}/agent` }));
});
process.once('SIGTERM', () => {
  for (const ws of server.clients) ws.terminate();
  server.close(() => process.exit(0));
});
