/**
 * The values 3GPP TS 27.007 allows in the answers the readings come from. A value outside them is not a
 * weak signal or an odd registration but firmware or the line talking nonsense: the parser turns such an
 * answer into an `ImpossibleAnswer` (modemObservation reports it as a problem with the raw answer and
 * takes no reading from it), so no fault can fire from it.
 */

/** Closed intervals of allowed values; a single value is [v, v]. */
export type AllowedValues = readonly (readonly [number, number])[];

export const CSQ_VALUES = {
  // §8.5: rssi 0..31, 99 not known. Quectel adds 100..191 (TD-SCDMA, -116..-25 dBm) and 199 (not known),
  // which are read as unknown, never converted.
  rssi: [[0, 31], [99, 99], [100, 191], [199, 199]],
  // §8.5: RXQUAL 0..7, 99 not known.
  ber: [[0, 7], [99, 99]],
} as const satisfies Record<string, AllowedValues>;

/** §8.69 +CESQ: each figure's index range, with its "not known or not detectable" value. */
export const CESQ_VALUES = {
  rxlev: [[0, 63], [99, 99]],
  ber: [[0, 7], [99, 99]],
  rscp: [[0, 96], [255, 255]],
  ecno: [[0, 49], [255, 255]],
  rsrq: [[0, 34], [255, 255]],
  rsrp: [[0, 97], [255, 255]],
} as const satisfies Record<string, AllowedValues>;

/** §7.2 +CREG, §10.1.19 +CGREG, §10.1.22 +CEREG read responses. */
export const REGISTRATION_VALUES = {
  // <n>: 0..3 URC modes, 4..5 with PSM timers (Rel-13).
  n: [[0, 5]],
  // <stat>: 0..5, 6..7 SMS only, 8 emergency only, 9..10 CSFB not preferred.
  stat: [[0, 10]],
} as const satisfies Record<string, AllowedValues>;

/** An answer that parsed but holds values 27.007 does not allow. */
export interface ImpossibleAnswer {
  /** The parameters as the modem sent them, e.g. "45,99". */
  raw: string;
  /** e.g. "+CSQ: 45,99: rssi 45 is not 0..31, 99, 100..191 or 199". */
  problem: string;
}

export function isImpossible<T extends object>(answer: T | ImpossibleAnswer | undefined): answer is ImpossibleAnswer {
  return answer !== undefined && 'problem' in answer;
}

/**
 * Checks every named value of an answer against its table; the first one outside makes the whole answer
 * impossible (one nonsense field says the line cannot be trusted).
 */
export function checkAnswer<K extends string>(
  command: string,
  values: Record<K, number>,
  table: Record<K, AllowedValues>,
): ImpossibleAnswer | undefined {
  const raw = Object.values<number>(values).join(',');
  for (const name of Object.keys(table) as K[]) {
    const value = values[name];
    if (!table[name].some(([min, max]) => value >= min && value <= max)) {
      return { raw, problem: `${command}: ${raw}: ${name} ${value} is not ${describe(table[name])}` };
    }
  }
  return undefined;
}

/** [[0, 31], [99, 99]] → "0..31 or 99". */
function describe(allowed: AllowedValues): string {
  const parts = allowed.map(([min, max]) => (min === max ? `${min}` : `${min}..${max}`));
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}
