import { afterPrefix } from './at-params.js';
import { cmeCode } from './cme-errors.js';

/**
 * Collecting one command's response from the lines a modem sends (protocols.md §4). Pure.
 *
 * A response is: an optional echo of the command (ATE1), information lines, and one final result code.
 * Unsolicited result codes (URCs: `RDY`, `+CFUN: 1`, `+CPIN: …`, `+CREG: 1`) may arrive anywhere in
 * between; they are set aside as `urcs`, never mistaken for the answer. For a command with a `+NAME`
 * prefix, only `+NAME:` lines are information; for the identity commands (ATI, AT+CGMI, …), whose
 * answers are bare text, every line that does not look like a URC is.
 *
 * A query (ATI, or an extended command without `=`: `AT+CSQ`, `AT+CPIN?`) always answers OK with
 * information. An OK before any information is therefore the stray tail of an earlier command that
 * timed out: it is set aside with the URCs, and the query keeps waiting, so one late reply cannot shift
 * every later answer by one.
 */

export type FinalResult =
  | { kind: 'ok' }
  | { kind: 'error' }
  /** `+CME ERROR: 10` or `+CME ERROR: SIM not inserted`; `code` undefined for a text not known here. */
  | { kind: 'cme_error'; code: number | undefined; text: string }
  | { kind: 'cms_error'; text: string };

export interface AtResponse {
  command: string;
  /** Information lines, in order, exactly as received (prefix included). */
  lines: string[];
  final: FinalResult;
  /** Unsolicited lines that arrived while the command was in flight (and stray OKs, see above). */
  urcs: string[];
  /** Whether the modem echoed the command (it is in ATE1 mode). */
  echoed: boolean;
}

/** The final result code a line is, if it is one. */
export function finalResult(line: string): FinalResult | undefined {
  const upper = line.toUpperCase();
  if (upper === 'OK') return { kind: 'ok' };
  if (upper === 'ERROR') return { kind: 'error' };
  const cme = afterPrefix(line, '+CME ERROR');
  if (cme !== undefined) return { kind: 'cme_error', code: cmeCode(cme), text: cme };
  const cms = afterPrefix(line, '+CMS ERROR');
  if (cms !== undefined) return { kind: 'cms_error', text: cms };
  return undefined;
}

/** Commands answered with bare text (manufacturer, model, revision, IMEI). */
const BARE_TEXT_COMMANDS = new Set(['ATI', 'AT+CGMI', 'AT+CGMM', 'AT+CGMR', 'AT+CGSN', 'AT+GMI', 'AT+GMM', 'AT+GMR', 'AT+GSN']);

/** Bare-word URCs modems send at boot or on events. */
const BARE_URCS = new Set(['RDY', 'SMS DONE', 'PB DONE', 'CALL READY', 'SMS READY', 'RING', 'NO CARRIER', 'POWERED DOWN', 'NORMAL POWER DOWN']);

/** `AT+CSQ` → `+CSQ`, `AT+CREG?` → `+CREG`, `AT+CMEE=2` → `+CMEE`; undefined for basic commands (AT, ATE0, ATI). */
export function infoPrefix(command: string): string | undefined {
  const m = /^AT([+^][A-Z0-9]+)/i.exec(command.trim());
  return m ? m[1]!.toUpperCase() : undefined;
}

/** A line shaped like an unsolicited code: `+NAME: …` / `^NAME…`, or a known bare word. */
function looksUnsolicited(line: string): boolean {
  return /^[+^][A-Za-z]/.test(line) || BARE_URCS.has(line.toUpperCase());
}

export class AtResponseCollector {
  private readonly lines: string[] = [];
  private readonly urcs: string[] = [];
  private echoed = false;
  private readonly prefix: string | undefined;
  private readonly bareText: boolean;
  private readonly query: boolean;

  constructor(private readonly command: string) {
    const upper = command.trim().toUpperCase();
    this.prefix = infoPrefix(command);
    this.bareText = BARE_TEXT_COMMANDS.has(upper);
    this.query = upper === 'ATI' || (this.prefix !== undefined && !upper.includes('='));
  }

  /** Takes the next line; returns the whole response once its final result code arrives. */
  push(line: string): AtResponse | undefined {
    const final = finalResult(line);
    if (final?.kind === 'ok' && this.query && this.lines.length === 0) {
      this.urcs.push(line);
      return undefined;
    }
    if (final) return { command: this.command, lines: [...this.lines], final, urcs: [...this.urcs], echoed: this.echoed };
    if (!this.echoed && this.lines.length === 0 && line.toUpperCase() === this.command.trim().toUpperCase()) this.echoed = true;
    else if (this.isInformation(line)) this.lines.push(line);
    else this.urcs.push(line);
    return undefined;
  }

  private isInformation(line: string): boolean {
    if (this.prefix !== undefined && afterPrefix(line, this.prefix) !== undefined) return true;
    return this.bareText && !looksUnsolicited(line);
  }
}

/** The information lines of a response with their `+NAME:` prefix removed (bare lines unchanged). */
export function informationValues(response: AtResponse): string[] {
  const prefix = infoPrefix(response.command);
  return response.lines.map((line) => (prefix === undefined ? line : (afterPrefix(line, prefix) ?? line)));
}
