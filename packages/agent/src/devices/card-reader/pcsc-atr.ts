/**
 * The transmission protocols a chip card offers in its Answer To Reset (ISO/IEC 7816-3 §8.2). Pure.
 *
 * Layout: TS, T0 (high nibble Y1 says which of TA1..TD1 follow, low nibble K = number of historical
 * bytes), then interface bytes; each TDi names a protocol T in its low nibble and the next group's
 * presence in its high nibble. TCK (a check byte) ends the ATR when any protocol other than T=0 is
 * offered. No TD1 (or only T=15) means T=0 only. T=15 is not a protocol (it introduces global bytes) and is skipped.
 *
 * The ATR identifies the chip and its capabilities, never the cardholder; only its length and the
 * protocols derived here leave the driver.
 */

export type AtrProtocols =
  | { ok: true; protocols: number[] }
  | { ok: false; message: string };

const TS_DIRECT = 0x3b;
const TS_INVERSE = 0x3f;
const T15 = 15;

export function atrProtocols(atr: Uint8Array): AtrProtocols {
  if (atr.length < 2) return { ok: false, message: `ATR of ${atr.length} bytes is too short` };
  if (atr[0] !== TS_DIRECT && atr[0] !== TS_INVERSE) return { ok: false, message: 'ATR does not start with TS 3B or 3F' };
  const historical = atr[1]! & 0x0f;
  let presence = atr[1]! >> 4;
  let pos = 2;
  const offered: number[] = [];
  for (;;) {
    // TAi, TBi, TCi are skipped; only TDi carries a protocol and the next group's presence bits.
    pos += (presence & 1) + ((presence >> 1) & 1) + ((presence >> 2) & 1);
    if ((presence & 8) === 0) break;
    const td = atr[pos];
    if (td === undefined) return { ok: false, message: `ATR ends inside its interface bytes (${atr.length} bytes)` };
    offered.push(td & 0x0f);
    presence = td >> 4;
    pos += 1;
  }
  const protocols = [...new Set(offered.filter((t) => t !== T15))];
  const hasTck = offered.some((t) => t !== 0);
  const expected = pos + historical + (hasTck ? 1 : 0);
  if (atr.length !== expected) return { ok: false, message: `ATR is ${atr.length} bytes, its format bytes announce ${expected}` };
  if (hasTck && atr.slice(1).reduce((x, b) => x ^ b, 0) !== 0) return { ok: false, message: 'ATR check byte (TCK) does not match' };
  return { ok: true, protocols: protocols.length === 0 ? [0] : protocols };
}

/** "T=1", or "T=0+T=1" when the card offers both (first = the card's preferred one). */
export function formatProtocols(protocols: number[]): string {
  return protocols.map((t) => `T=${t}`).join('+');
}
