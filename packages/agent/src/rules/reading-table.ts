import type { ReadingValue, Readings } from '../core/readings.js';

/**
 * Readings laid out in a flat array, one slot per reading name a rule can look at, so a compiled
 * condition reads `values[slot]` instead of looking a name up in an object.
 *
 * Invariants:
 * - after `load(r, unknown)`, `values[slotOf(name)]` is `r[name]` for every name with a slot, UNKNOWN
 *   for a name in `unknown` that `r` lacks, and undefined otherwise;
 * - every instance id ever seen has a slot in every pattern, so a rule with several `*` readings can
 *   evaluate any of its instances against any of its patterns;
 * - the layout (which key sits at which position) is rebuilt only when the readings' key sequence
 *   changes; from one poll to the next it does not, and `load` is then one pass over the keys.
 */
export type Values = (ReadingValue | typeof UNKNOWN | undefined)[];

/**
 * The value of a reading its driver could not read this time (it reported a problem and no value): not
 * absent — the device has the reading, its value is just not known. Conditions treat it as either
 * outcome (conditions.ts), so it neither raises nor clears a fault.
 */
export const UNKNOWN: unique symbol = Symbol('unknown reading');

const NONE: readonly string[] = [];

/** Instance id of a rule without `*` readings. */
export const NO_INSTANCE = -1;

/** A reading name with one `*` segment, e.g. `network.*.up`. */
export class PatternRef {
  /** Slot of the resolved name, by instance id. */
  readonly slots: number[] = [];
  /** Ids of the instances present in the loaded readings. */
  present: number[] = [];
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(readonly name: string) {
    const star = name.indexOf('*');
    this.prefix = name.slice(0, star);
    this.suffix = name.slice(star + 1);
  }

  resolve(instance: string): string {
    return this.prefix + instance + this.suffix;
  }

  /** The instance `key` is a reading of, or null. The `*` matches one whole segment: no dots. */
  instanceOf(key: string): string | null {
    if (key.length <= this.prefix.length + this.suffix.length) return null;
    if (!key.startsWith(this.prefix) || !key.endsWith(this.suffix)) return null;
    const instance = key.slice(this.prefix.length, key.length - this.suffix.length);
    return instance.includes('.') ? null : instance;
  }
}

export class ReadingTable {
  readonly values: Values = [];
  /** Instance names by id; ids are never reused, so a name's id is stable for the engine's life. */
  readonly instanceNames: string[] = [];
  /** Bumped on every layout rebuild: cached per-rule instance lists are stale when it moved. */
  generation = 0;
  private readonly slotOf = new Map<string, number>();
  private readonly patterns = new Map<string, PatternRef>();
  private readonly instanceIds = new Map<string, number>();
  private keys: string[] = [];
  private keySlots: number[] = [];
  /** Slots set to UNKNOWN by the last load, reset by the next. */
  private readonly unknownSlots: number[] = [];

  /** The slot of a fixed reading name, allocated on first use. */
  slot(name: string): number {
    let slot = this.slotOf.get(name);
    if (slot === undefined) {
      slot = this.values.length;
      this.values.push(undefined);
      this.slotOf.set(name, slot);
    }
    return slot;
  }

  /** The one PatternRef of `name` (rules naming the same pattern share it). */
  pattern(name: string): PatternRef {
    let ref = this.patterns.get(name);
    if (ref === undefined) {
      ref = new PatternRef(name);
      this.patterns.set(name, ref);
      for (let id = 0; id < this.instanceNames.length; id++) ref.slots[id] = this.slot(ref.resolve(this.instanceNames[id]!));
    }
    return ref;
  }

  instanceName(id: number): string | null {
    return id === NO_INSTANCE ? null : this.instanceNames[id]!;
  }

  load(readings: Readings, unknown: Iterable<string> = NONE): void {
    for (const slot of this.unknownSlots) this.values[slot] = undefined;
    this.unknownSlots.length = 0;
    this.loadValues(readings);
    for (const name of unknown) {
      const slot = this.slotOf.get(name);
      if (slot !== undefined && this.values[slot] === undefined) {
        this.values[slot] = UNKNOWN;
        this.unknownSlots.push(slot);
      }
    }
  }

  private loadValues(readings: Readings): void {
    const keys = this.keys;
    const keySlots = this.keySlots;
    const values = this.values;
    let i = 0;
    for (const key in readings) {
      if (keys[i] !== key) {
        this.rebuild(readings);
        return;
      }
      const slot = keySlots[i++]!;
      if (slot >= 0) values[slot] = readings[key];
    }
    if (i !== keys.length) this.rebuild(readings);
  }

  private rebuild(readings: Readings): void {
    this.generation++;
    const patterns = [...this.patterns.values()];
    for (const ref of patterns) ref.present = [];
    for (const key in readings) {
      for (const ref of patterns) {
        const instance = ref.instanceOf(key);
        if (instance === null) continue;
        const id = this.instanceId(instance);
        if (!ref.present.includes(id)) ref.present.push(id);
      }
    }
    this.values.fill(undefined);
    this.keys = [];
    this.keySlots = [];
    for (const key in readings) {
      const slot = this.slotOf.get(key) ?? -1;
      this.keys.push(key);
      this.keySlots.push(slot);
      if (slot >= 0) this.values[slot] = readings[key];
    }
  }

  private instanceId(name: string): number {
    let id = this.instanceIds.get(name);
    if (id === undefined) {
      id = this.instanceNames.length;
      this.instanceNames.push(name);
      this.instanceIds.set(name, id);
      for (const ref of this.patterns.values()) ref.slots[id] = this.slot(ref.resolve(name));
    }
    return id;
  }
}
