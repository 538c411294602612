/**
 * +CME ERROR codes (27.007 §9.2) the diagnosis needs. With `AT+CMEE=1` a modem sends the number, with
 * `=2` the text; both map to one code. Texts are matched case-insensitively, as vendors vary the case.
 */
export const CME = {
  notAllowed: 3,
  notSupported: 4,
  simNotInserted: 10,
  simPinRequired: 11,
  simPukRequired: 12,
  simFailure: 13,
  simBusy: 14,
  simWrong: 15,
  incorrectPassword: 16,
  noNetworkService: 30,
  networkTimeout: 31,
  emergencyCallsOnly: 32,
  unknown: 100,
} as const;

const TEXTS: Record<number, string> = {
  [CME.notAllowed]: 'operation not allowed',
  [CME.notSupported]: 'operation not supported',
  [CME.simNotInserted]: 'SIM not inserted',
  [CME.simPinRequired]: 'SIM PIN required',
  [CME.simPukRequired]: 'SIM PUK required',
  [CME.simFailure]: 'SIM failure',
  [CME.simBusy]: 'SIM busy',
  [CME.simWrong]: 'SIM wrong',
  [CME.incorrectPassword]: 'incorrect password',
  [CME.noNetworkService]: 'no network service',
  [CME.networkTimeout]: 'network timeout',
  [CME.emergencyCallsOnly]: 'network not allowed - emergency calls only',
  [CME.unknown]: 'unknown',
};

const BY_TEXT = new Map(Object.entries(TEXTS).map(([code, text]) => [text.toUpperCase(), Number(code)]));

/** The verbose text a modem in `AT+CMEE=2` mode sends for `code`. */
export function cmeText(code: number): string {
  return TEXTS[code] ?? TEXTS[CME.unknown]!;
}

/** The code of a +CME ERROR argument, numeric or verbose; undefined for a text not known here. */
export function cmeCode(argument: string): number | undefined {
  const trimmed = argument.trim().replace(/^"|"$/g, '');
  if (/^\d{1,5}$/.test(trimmed)) return Number(trimmed);
  return BY_TEXT.get(trimmed.toUpperCase());
}
