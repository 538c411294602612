import type { Observation, Readings } from '../../core/readings.js';
import type { PcscReaderState, PcscSnapshot } from '../../drivers/transports/pcsc.js';
import { deviceIdentityOf, type ReaderIdentity } from './enrolment.js';
import { atrProtocols, formatProtocols } from './pcsc-atr.js';

/**
 * PC/SC snapshot → card reader readings. Pure. Only presence, the ATR's length and the protocols it
 * offers leave here: never the ATR bytes, never anything read from the card.
 */

/**
 * The config's `reader` pattern: case-insensitive, `*` matches any run of characters, and the pattern
 * may match anywhere in the name (PC/SC appends slot numbers, e.g. "Virtual PCD 00 00").
 */
export function readerMatcher(pattern: string): (name: string) => boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const re = new RegExp(source, 'i');
  return (name) => re.test(name);
}

/** The configured reader in a snapshot, if pcscd lists it. */
export function findReader(snapshot: PcscSnapshot, matches: (name: string) => boolean): PcscReaderState | undefined {
  return snapshot.kind === 'readers' ? snapshot.readers.find((r) => matches(r.name)) : undefined;
}

/**
 * Who a PC/SC reader is: pcsc-lite names it "<vendor> <product> [(<serial>)] <index> <slot>", and the
 * index depends on plug order, so the two trailing hex pairs are not part of it.
 */
export function pcscReaderIdentity(name: string): ReaderIdentity {
  return { bus: 'pcsc', name: name.replace(/ [0-9A-F]{2} [0-9A-F]{2}$/i, '') };
}

/** `reader`: the configured one as `findReader` found it in `snapshot`. */
export function pcscObservation(snapshot: PcscSnapshot, reader: PcscReaderState | undefined): Observation {
  if (snapshot.kind === 'unavailable') {
    // Without the library we cannot tell whether the reader is there; without pcscd nothing can use it.
    const readings: Readings = snapshot.reason === 'service' ? { 'card_reader.connected': false } : {};
    return { readings, problems: [{ reading: 'card_reader.connected', message: snapshot.message }] };
  }
  if (!reader) {
    return {
      readings: { 'card_reader.connected': false },
      evidence: { 'card_reader.pcsc_readers': snapshot.readers.map((r) => r.name).join('; ') || 'none' },
    };
  }
  return {
    ...cardObservation(reader),
    identity: deviceIdentityOf(pcscReaderIdentity(reader.name)),
    evidence: { 'card_reader.reader': reader.name },
  };
}

function cardObservation(reader: PcscReaderState): Pick<Observation, 'readings' | 'problems'> {
  const readings: Readings = { 'card_reader.connected': true, 'card_reader.card_present': reader.cardPresent };
  if (!reader.cardPresent) return { readings };
  readings['card_reader.card_mute'] = reader.cardMute;
  if (!reader.atr) return { readings };
  readings['card_reader.atr_length'] = reader.atr.length;
  const parsed = atrProtocols(reader.atr);
  if (parsed.ok) {
    readings['card_reader.protocol'] = formatProtocols(parsed.protocols);
    return { readings };
  }
  readings['card_reader.protocol'] = 'unknown';
  return { readings, problems: [{ reading: 'card_reader.protocol', message: parsed.message }] };
}
