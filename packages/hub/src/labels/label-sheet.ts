import { terminalIdSchema } from 'posdiag-protocol';
import { CsvError, formatCsv, parseCsv } from './csv.js';
import { TAGS_LABEL as TAGS } from './label-holds.js';
import { labelKey, labelValue, MAX_LABELS, type Labels } from './labels.js';

/**
 * The label sheet: CSV with a header `terminal,COLUMN…` (COLUMN a label name: merchant, region, carrier,
 * tags or any other) and one row per terminal. A cell sets its column's label; an empty cell removes it.
 * `tags` holds several tags separated by `;` (stored as one label, `a;b`, each tag trimmed, empty ones
 * and repeats dropped).
 *
 * A value a spreadsheet would run as a formula (one that starts with = + - @, a tab or a carriage return:
 * OWASP's CSV injection) is written with a leading `'`, which spreadsheets show as text; reading the
 * sheet back takes that quote off again, so an export imports to the same labels.
 */
export const SHEET_COLUMNS = ['merchant', 'region', 'carrier', 'tags'] as const;

export interface SheetRow {
  row: number;
  terminal: string;
  /** Every column of the sheet: a value, or null where the cell is empty. */
  cells: Record<string, string | null>;
}

export type ImportMode = 'merge' | 'replace';

/** The sheet's rows, checked; a CsvError names the first bad row. `known` says whether a terminal id is one of the hub's. */
export function parseSheet(text: string, known: (terminal: string) => boolean): SheetRow[] {
  const [header, ...records] = parseCsv(text);
  if (!header) throw new CsvError(1, 'no header row (terminal,merchant,region,carrier,tags)');
  const [first, ...columns] = header.fields;
  if (first !== 'terminal') throw new CsvError(header.row, `the first column must be "terminal", not "${first}"`);
  const seenColumns = new Set<string>();
  for (const column of columns) {
    if (!labelKey.safeParse(column).success) throw new CsvError(header.row, `column "${column}" is not a label name (a lowercase letter, then up to 31 of a-z 0-9 _ . -)`);
    if (seenColumns.has(column)) throw new CsvError(header.row, `column "${column}" given twice`);
    seenColumns.add(column);
  }
  const rowOf = new Map<string, number>();
  return records.map(({ row, fields }) => {
    if (fields.length !== header.fields.length) throw new CsvError(row, `${fields.length} fields, the header has ${header.fields.length}`);
    const terminal = fields[0]!;
    if (!terminalIdSchema.safeParse(terminal).success) throw new CsvError(row, `"${terminal}" is not a terminal id`);
    if (!known(terminal)) throw new CsvError(row, `unknown terminal ${terminal}`);
    const earlier = rowOf.get(terminal);
    if (earlier !== undefined) throw new CsvError(row, `terminal ${terminal} is on row ${earlier} already`);
    rowOf.set(terminal, row);
    const cells: Record<string, string | null> = {};
    columns.forEach((column, i) => {
      const cell = unguardFormula(fields[i + 1]!);
      const value = column === TAGS ? normalizeTags(cell) : cell;
      if (value !== '' && !labelValue.safeParse(value).success) throw new CsvError(row, `${column}: at most 128 characters`);
      cells[column] = value === '' ? null : value;
    });
    return { row, terminal, cells };
  });
}

function normalizeTags(cell: string): string {
  return [...new Set(cell.split(';').map((t) => t.trim()).filter((t) => t !== ''))].join(';');
}

/** A terminal's labels after its row: merge keeps the labels the sheet has no column for, replace drops them. */
export function applyRow(row: SheetRow, current: Labels, mode: ImportMode): Labels {
  const next: Labels = mode === 'merge' ? { ...current } : {};
  for (const [column, value] of Object.entries(row.cells)) {
    if (value === null) delete next[column];
    else next[column] = value;
  }
  if (Object.keys(next).length > MAX_LABELS) throw new CsvError(row.row, `terminal ${row.terminal} would have more than ${MAX_LABELS} labels`);
  return next;
}

/**
 * Every terminal as a sheet `parseSheet` reads back: the usual columns first, then any other label
 * names in order; terminals sorted by id.
 */
export function formatSheet(terminals: readonly string[], labels: ReadonlyMap<string, Labels>): string {
  const others = new Set<string>();
  for (const l of labels.values()) for (const key of Object.keys(l)) if (!(SHEET_COLUMNS as readonly string[]).includes(key)) others.add(key);
  const columns = [...SHEET_COLUMNS, ...[...others].sort()];
  const rows = [...terminals].sort().map((t) => [t, ...columns.map((c) => guardFormula(labels.get(t)?.[c] ?? ''))]);
  return formatCsv([['terminal', ...columns], ...rows]);
}

/** A formula's start, after any quotes already there (so a value of its own `'=x` comes back whole too). */
const FORMULA_START = /^'*[=+\-@\t\r]/;

function guardFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function unguardFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell) ? cell.slice(1) : cell;
}
