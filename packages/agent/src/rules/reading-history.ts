import type { DeviceKind, Readings, ReadingSnapshot } from '../core/readings.js';
import { families } from '../devices/index.js';

/**
 * A small ring of recent merged readings, so a repair request can show the readings around a fault's
 * onset. The Monitor records every merged picture it evaluates; each is a fresh object never mutated
 * afterwards, so the ring keeps references, not copies.
 */
/**
 * Which readings belong to a device, for evidence that stays on the point: its families' or the
 * agent's own, and what every family says may explain any device's fault (`repairContext`: a drop).
 */
function readingPrefixes(device: DeviceKind): readonly string[] {
  const own = device === 'agent' ? ['agent.'] : families.filter((f) => f.kind === device).flatMap((f) => f.readingPrefixes);
  return [...own, ...families.flatMap((f) => f.repairContext ?? [])];
}

export class ReadingHistory {
  private readonly ring: (ReadingSnapshot | undefined)[];
  private next = 0;

  constructor(readonly capacity = 120) {
    this.ring = new Array(capacity);
  }

  record(readings: Readings, at: number): void {
    this.ring[this.next] = { at, readings };
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first; of several recorded at the same time (one per source observed), the last. */
  snapshots(): ReadingSnapshot[] {
    const out: ReadingSnapshot[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const s = this.ring[(this.next + i) % this.capacity];
      if (!s) continue;
      if (out.length && out[out.length - 1]!.at === s.at) out[out.length - 1] = s;
      else out.push(s);
    }
    return out;
  }

  /**
   * Up to `each` snapshots at or before `onset` (the latest ones) and up to `each` after it (the
   * earliest), with only `device`'s readings, oldest first.
   */
  around(onset: number, device: DeviceKind, each = 5): ReadingSnapshot[] {
    const all = this.snapshots();
    const before = all.filter((s) => s.at <= onset).slice(-each);
    const after = all.filter((s) => s.at > onset).slice(0, each);
    const prefixes = readingPrefixes(device);
    return [...before, ...after].map(({ at, readings }) => {
      const own: Readings = {};
      for (const key in readings) if (prefixes.some((p) => key.startsWith(p))) own[key] = readings[key]!;
      return { at, readings: own };
    });
  }
}
